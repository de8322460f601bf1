// RAII over SQLite's C API; see sqlite_connection.hpp.
#include "sqlite_connection.hpp"

#include <utility>

namespace pingyi::store::detail {

sqlite_statement& sqlite_statement::operator=(sqlite_statement&& o) noexcept {
  if (this != &o) {
    sqlite3_finalize(s_);
    s_ = std::exchange(o.s_, nullptr);
    bind_rc_ = o.bind_rc_;
  }
  return *this;
}

sqlite_statement& sqlite_statement::bind(int i, std::int64_t v) noexcept {
  const int rc = sqlite3_bind_int64(s_, i, v);
  if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  return *this;
}

sqlite_statement& sqlite_statement::bind(int i, crypto::byte_view blob) noexcept {
  // A zero-length blob is bound as a blob, not NULL: SQLite binds NULL for a null pointer.
  static constexpr crypto::byte empty = 0;
  const int rc = sqlite3_bind_blob64(s_, i, blob.empty() ? &empty : blob.data(), blob.size(), SQLITE_STATIC);
  if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  return *this;
}

sqlite_statement& sqlite_statement::bind_text(int i, std::string_view text) noexcept {
  const int rc = sqlite3_bind_text64(s_, i, text.empty() ? "" : text.data(), text.size(), SQLITE_STATIC, SQLITE_UTF8);
  if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  return *this;
}

int sqlite_statement::step() noexcept {
  if (bind_rc_ != SQLITE_OK) return bind_rc_;
  return sqlite3_step(s_);
}

void sqlite_statement::reset() noexcept {
  sqlite3_reset(s_);
  sqlite3_clear_bindings(s_);
  bind_rc_ = SQLITE_OK;
}

crypto::byte_view sqlite_statement::column_blob(int i) const noexcept {
  const void* p = sqlite3_column_blob(s_, i);
  const int n = sqlite3_column_bytes(s_, i);
  if (p == nullptr || n <= 0) return {};
  return {static_cast<const crypto::byte*>(p), static_cast<std::size_t>(n)};
}

std::string_view sqlite_statement::column_text(int i) const noexcept {
  // column_text before column_bytes: the byte count is of the UTF-8 form just produced.
  const unsigned char* p = sqlite3_column_text(s_, i);
  const int n = sqlite3_column_bytes(s_, i);
  if (p == nullptr || n <= 0) return {};
  return {reinterpret_cast<const char*>(p), static_cast<std::size_t>(n)};
}

result<sqlite_connection> sqlite_connection::open(const std::filesystem::path& path, int flags,
                                                  const std::string& vfs) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &db, flags, vfs.empty() ? nullptr : vfs.c_str());
  sqlite_connection c(db);  // closes db on every path, also when open failed
  if (rc != SQLITE_OK) {
    if (db == nullptr) return fail(error_code::io, "open " + path.string() + ": out of memory");
    return c.failure("open " + path.string(), rc);
  }
  // Extended result codes say which I/O step failed (SQLITE_IOERR_FSYNC, …) in messages.
  sqlite3_extended_result_codes(db, 1);
  return c;
}

sqlite_connection& sqlite_connection::operator=(sqlite_connection&& o) noexcept {
  if (this != &o) {
    sqlite3_close_v2(db_);
    db_ = std::exchange(o.db_, nullptr);
  }
  return *this;
}

sqlite_connection::~sqlite_connection() { sqlite3_close_v2(db_); }

status sqlite_connection::exec(const char* sql) const {
  const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return failure(sql, rc);
  return {};
}

result<sqlite_statement> sqlite_connection::prepare(std::string_view sql) const {
  sqlite3_stmt* s = nullptr;
  const int rc =
      sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &s, nullptr);
  if (rc != SQLITE_OK) return failure("prepare " + std::string(sql), rc);
  return sqlite_statement(s);
}

result<std::int64_t> sqlite_connection::query_int(const char* sql) const {
  auto s = prepare(sql);
  if (!s) return s.error();
  const int rc = s->step();
  if (rc != SQLITE_ROW) return failure(sql, rc == SQLITE_DONE ? SQLITE_ERROR : rc);
  return s->column_int(0);
}

result<std::string> sqlite_connection::query_text(const char* sql) const {
  auto s = prepare(sql);
  if (!s) return s.error();
  const int rc = s->step();
  if (rc != SQLITE_ROW) return failure(sql, rc == SQLITE_DONE ? SQLITE_ERROR : rc);
  return std::string(s->column_text(0));
}

error sqlite_connection::failure(std::string_view what, int rc) const {
  std::string m(what);
  m.append(": ");
  // errmsg describes the most recent failure on this connection; errstr the code passed in,
  // which is what a failed bind or a code returned by step() carries.
  const char* msg = db_ != nullptr ? sqlite3_errmsg(db_) : nullptr;
  const bool current = db_ != nullptr && sqlite3_extended_errcode(db_) == rc;
  m.append(current && msg != nullptr ? msg : sqlite3_errstr(rc));
  m.append(" (code ").append(std::to_string(rc)).append(")");
  switch (rc & 0xff) {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return fail(error_code::corrupt, std::move(m));
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return fail(error_code::busy, std::move(m));
    default:
      return fail(error_code::io, std::move(m));
  }
}

}  // namespace pingyi::store::detail
