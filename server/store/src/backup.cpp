// Backup and restore of the store (backup.hpp).
#include "pingyi/store/backup.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <string_view>
#include <thread>

#include "pingyi/crypto/bytes.hpp"
#include "posix_file.hpp"
#include "sqlite_connection.hpp"

namespace pingyi::store {
namespace {

namespace fs = std::filesystem;
using detail::errno_text;
using detail::file_descriptor;
using detail::sqlite_connection;
using detail::statement_use;

// The backup's own table: its format and, byte for byte, the secrets file it was taken with.
constexpr const char* backup_table_sql =
    "CREATE TABLE pingyi_backup (format INTEGER NOT NULL, taken_ms INTEGER NOT NULL, secrets BLOB NOT NULL) STRICT";
constexpr std::int64_t backup_format = 1;
constexpr std::size_t max_secrets_bytes = std::size_t{1} << 20;

bool path_exists(const fs::path& p) {
  struct stat st{};
  return ::lstat(p.c_str(), &st) == 0;
}

// An empty file created here for SQLite to fill: 0600 from its first byte (SQLite gives the -wal
// and -journal files the database's mode), never over an existing one.
status create_private_file(const fs::path& p) {
  file_descriptor fd(::open(p.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (fd.get() < 0) {
    if (errno == EEXIST) return fail(error_code::already_exists, p.string() + " already exists");
    return fail(error_code::io, "create " + p.string() + ": " + errno_text(errno));
  }
  return {};
}

// Removes a database file and whatever SQLite left beside it.
void remove_database(const fs::path& p) {
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) ::unlink((p.string() + suffix).c_str());
}

// Every page of `from` into `to`, in one step: one read transaction on `from`. A writer holding
// the WAL's write lock never blocks a reader; SQLITE_BUSY can still come from a checkpoint that
// is restarting the WAL, and is retried for a while.
status copy_database(const sqlite_connection& from, const sqlite_connection& to, std::string_view what) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  for (;;) {
    sqlite3_backup* b = sqlite3_backup_init(to.get(), "main", from.get(), "main");
    if (b == nullptr) return to.failure(std::string(what) + ": backup", sqlite3_errcode(to.get()));
    const int step = sqlite3_backup_step(b, -1);
    const int finish = sqlite3_backup_finish(b);
    if (step == SQLITE_DONE && finish == SQLITE_OK) return {};
    const bool busy = step == SQLITE_BUSY || step == SQLITE_LOCKED;
    if (!busy || std::chrono::steady_clock::now() > deadline) {
      return to.failure(std::string(what) + ": backup", step == SQLITE_DONE ? finish : step);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

// The sessions a database holds, as chain_store::list_sessions gives them.
result<std::vector<session_summary>> sessions_of(const sqlite_connection& db) {
  auto s = db.prepare(
      "SELECT s.id, s.created_ms, coalesce((SELECT max(c.seq) + 1 FROM chain c WHERE c.session = s.id), 0) "
      "FROM sessions s ORDER BY s.created_ms, s.id");
  if (!s) return s.error();
  statement_use use(*s);
  std::vector<session_summary> out;
  for (;;) {
    const int rc = s->step();
    if (rc == SQLITE_DONE) return out;
    if (rc != SQLITE_ROW) return db.failure("list sessions", rc);
    const auto id = s->column_blob(0);
    if (id.size() != 32) return fail(error_code::corrupt, "a session id is not 32 bytes");
    session_summary summary;
    std::copy(id.begin(), id.end(), summary.id.begin());
    summary.created_ms = s->column_int(1);
    summary.length = static_cast<std::uint64_t>(s->column_int(2));
    out.push_back(summary);
  }
}

status quick_check(const sqlite_connection& db, const fs::path& p) {
  auto verdict = db.query_text("PRAGMA quick_check");
  if (!verdict) return verdict.error();
  if (*verdict != "ok") return fail(error_code::corrupt, p.string() + ": quick_check: " + *verdict);
  return {};
}

// The whole of a file of at most `limit` bytes.
result<std::string> read_small_file(const fs::path& p, std::size_t limit) {
  file_descriptor fd(::open(p.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (fd.get() < 0) {
    if (errno == ENOENT) return fail(error_code::not_found, p.string() + " does not exist");
    return fail(error_code::io, "open " + p.string() + ": " + errno_text(errno));
  }
  std::string bytes;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n == 0) return bytes;
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail(error_code::io, "read " + p.string() + ": " + errno_text(errno));
    }
    bytes.append(buf, static_cast<std::size_t>(n));
    if (bytes.size() > limit) return fail(error_code::too_large, p.string() + " is larger than a secrets file can be");
  }
}

// Writes `bytes` to a new file `p` (0600), fsync'ed, its directory too.
status write_new_file(const fs::path& p, std::string_view bytes) {
  file_descriptor fd(::open(p.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (fd.get() < 0) {
    if (errno == EEXIST) return fail(error_code::already_exists, p.string() + " already exists");
    return fail(error_code::io, "create " + p.string() + ": " + errno_text(errno));
  }
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd.get(), bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail(error_code::io, "write " + p.string() + ": " + errno_text(errno));
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  if (::fsync(fd.get()) != 0) return fail(error_code::io, "fsync " + p.string() + ": " + errno_text(errno));
  if (fd.close() != 0) return fail(error_code::io, "close " + p.string() + ": " + errno_text(errno));
  const fs::path dir = p.parent_path();
  return detail::sync_directory(dir.empty() ? fs::path(".") : dir);
}

status sync_file(const fs::path& p) {
  file_descriptor fd(::open(p.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (fd.get() < 0 || ::fsync(fd.get()) != 0) return fail(error_code::io, "fsync " + p.string() + ": " + errno_text(errno));
  return {};
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

result<std::uint64_t> size_of(const fs::path& p) {
  std::error_code ec;
  const auto n = fs::file_size(p, ec);
  if (ec) return fail(error_code::io, "size of " + p.string() + ": " + ec.message());
  return static_cast<std::uint64_t>(n);
}

// The snapshot of `database` with the secrets, at `temporary`.
result<backup_summary> write_temporary(const fs::path& database, const fs::path& secrets_file, const fs::path& temporary) {
  if (!path_exists(database)) return fail(error_code::not_found, database.string() + " does not exist");
  auto source = sqlite_connection::open(database, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, "");
  if (!source) return source.error();
  sqlite3_busy_timeout(source->get(), 5000);
  if (auto s = create_private_file(temporary); !s) return s.error();
  backup_summary summary;
  {
    auto target = sqlite_connection::open(temporary, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, "");
    if (!target) return target.error();
    if (auto s = copy_database(*source, *target, database.string()); !s) return s.error();
    // A rollback journal in the copy: it is one file, whole, once this connection closes.
    auto mode = target->query_text("PRAGMA journal_mode = DELETE");
    if (!mode) return mode.error();
    if (auto s = target->exec("PRAGMA synchronous = FULL"); !s) return s.error();
    auto sessions = sessions_of(*target);
    if (!sessions) {
      return fail(error_code::corrupt, database.string() + " is not a pingyi store: " + sessions.error().message);
    }
    summary.sessions = std::move(sessions).value();

    // After the snapshot: a session created since is in the secrets and not in the copy, which is
    // harmless; the other order could leave a session of the copy without its keys.
    auto secrets = read_small_file(secrets_file, max_secrets_bytes);
    if (!secrets) {
      if (secrets.error().code != error_code::not_found || !summary.sessions.empty()) return secrets.error();
      secrets = std::string();  // a store without sessions may have no secrets yet
    }
    if (auto s = target->exec(backup_table_sql); !s) return s.error();
    auto insert = target->prepare("INSERT INTO pingyi_backup (format, taken_ms, secrets) VALUES (?1, ?2, ?3)");
    if (!insert) return insert.error();
    {
      statement_use use(*insert);
      insert->bind(1, backup_format).bind(2, now_ms()).bind(3, crypto::as_bytes(*secrets));
      if (const int rc = insert->step(); rc != SQLITE_DONE) return target->failure("store the secrets", rc);
    }
    if (auto s = quick_check(*target, temporary); !s) return s.error();
  }
  if (auto s = sync_file(temporary); !s) return s.error();
  return summary;
}

}  // namespace

result<backup_summary> write_backup(const fs::path& database, const fs::path& secrets_file, const fs::path& to) {
  if (path_exists(to)) return fail(error_code::already_exists, to.string() + " already exists");
  const fs::path temporary = to.string() + ".partial";
  auto summary = write_temporary(database, secrets_file, temporary);
  if (!summary) {
    // Our own partial file only: a file of that name we did not create is refused above.
    if (summary.error().code != error_code::already_exists) remove_database(temporary);
    return summary.error();
  }
  // link + unlink rather than rename: never replaces a file that appeared at `to` meanwhile.
  if (::link(temporary.c_str(), to.c_str()) != 0) {
    const int e = errno;
    remove_database(temporary);
    if (e == EEXIST) return fail(error_code::already_exists, to.string() + " already exists");
    return fail(error_code::io, "link " + to.string() + ": " + errno_text(e));
  }
  ::unlink(temporary.c_str());
  const fs::path dir = to.parent_path();
  if (auto s = detail::sync_directory(dir.empty() ? fs::path(".") : dir); !s) return s.error();
  auto bytes = size_of(to);
  if (!bytes) return bytes.error();
  summary->bytes = *bytes;
  return summary;
}

result<backup_summary> restore_backup(const fs::path& backup, const fs::path& database, const fs::path& secrets_file) {
  for (const auto& p : {database, fs::path(database.string() + "-wal"), secrets_file}) {
    if (path_exists(p)) return fail(error_code::already_exists, p.string() + " already exists");
  }
  if (!path_exists(backup)) return fail(error_code::not_found, backup.string() + " does not exist");
  auto source = sqlite_connection::open(backup, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, "");
  if (!source) return source.error();

  // The secrets and the format, first: a file that is not a backup is refused before anything
  // is created.
  std::string secrets;
  {
    auto s = source->prepare("SELECT format, secrets FROM pingyi_backup");
    if (!s) return fail(error_code::corrupt, backup.string() + " is not a pingyi backup");
    statement_use use(*s);
    if (s->step() != SQLITE_ROW) return fail(error_code::corrupt, backup.string() + " is not a pingyi backup");
    if (s->column_int(0) != backup_format) {
      return fail(error_code::unsupported_version,
                  backup.string() + " is a backup of format " + std::to_string(s->column_int(0)) + ", this build reads 1");
    }
    const auto bytes = s->column_blob(1);
    secrets.assign(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  }
  if (auto s = quick_check(*source, backup); !s) return s.error();

  if (auto s = create_private_file(database); !s) return s.error();
  backup_summary summary;
  auto restored = [&]() -> status {
    auto target = sqlite_connection::open(database, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, "");
    if (!target) return target.error();
    if (auto s = copy_database(*source, *target, backup.string()); !s) return s;
    // The secrets leave the database with their table, its pages overwritten.
    if (auto s = target->exec("PRAGMA secure_delete = ON; DROP TABLE pingyi_backup"); !s) return s;
    auto sessions = sessions_of(*target);
    if (!sessions) return sessions.error();
    summary.sessions = std::move(sessions).value();
    return {};
  }();
  if (restored) restored = sync_file(database);
  if (restored && !secrets.empty()) restored = write_new_file(secrets_file, secrets);
  if (!restored) {
    remove_database(database);
    if (restored.error().code != error_code::already_exists) ::unlink(secrets_file.c_str());
    return restored.error();
  }
  auto bytes = size_of(database);
  if (!bytes) return bytes.error();
  summary.bytes = *bytes;
  return summary;
}

}  // namespace pingyi::store
