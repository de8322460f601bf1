// The durable chain store: SQLite in WAL mode with synchronous=FULL, one writer thread with
// group commit, and a separate read connection (see chain_store.hpp for the contract).
//
// Why the writer is shaped as it is: with synchronous=FULL every COMMIT waits for an fsync of
// the WAL, a few milliseconds on a real disk. One transaction per record would cap the server at
// a few hundred records per second; instead, whatever is queued while one commit waits for the
// disk goes into the next commit together, so a burst of 3,000 ballots costs a handful of fsyncs.
#include "pingyi/store/chain_store.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <map>
#include <mutex>
#include <thread>
#include <type_traits>
#include <utility>

#include "pingyi/core/utf8.hpp"
#include "posix_file.hpp"
#include "schema.hpp"
#include "sqlite_connection.hpp"

namespace pingyi::store {

using detail::sqlite_connection;
using detail::sqlite_statement;
using detail::statement_use;
using detail::errno_text;
using detail::file_descriptor;

namespace {

std::int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string session_name(const crypto::session_id& id) { return "session " + crypto::to_hex(id); }

// A chain line is one line of UTF-8 (DESIGN.md §3.6): the chain is served as JSONL, so a line
// break inside a record would split it, and a NUL would cut it short in C APIs.
status check_text(std::string_view what, std::string_view s, bool is_line) {
  if (s.empty()) return fail(error_code::invalid_argument, std::string(what) + " is empty");
  if (s.find('\0') != std::string_view::npos) {
    return fail(error_code::invalid_argument, std::string(what) + " contains a NUL byte");
  }
  if (is_line && s.find_first_of("\n\r") != std::string_view::npos) {
    return fail(error_code::invalid_argument, std::string(what) + " contains a line break");
  }
  if (!core::is_valid_utf8(s)) return fail(error_code::invalid_argument, std::string(what) + " is not UTF-8");
  return {};
}

// Checks what can be checked of one write without the store's state.
status check_content(const detail::write& w) {
  return std::visit(
      [](const auto& x) -> status {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, detail::create_session_write>) {
          return check_text("genesis line", x.line, true);
        } else if constexpr (std::is_same_v<T, detail::append_write>) {
          return check_text("line of seq " + std::to_string(x.seq), x.line, true);
        } else if constexpr (std::is_same_v<T, detail::put_credential_write> ||
                             std::is_same_v<T, detail::erase_credential_write>) {
          return check_text("credential holder", x.holder, false);
        } else if constexpr (std::is_same_v<T, detail::put_declaration_write>) {
          return check_text("declaration member", x.decl.member, false);
        } else {
          static_assert(std::is_same_v<T, detail::erase_declarations_write>);
          return {};
        }
      },
      w);
}

const crypto::session_id& session_of(const detail::write& w) {
  return std::visit([](const auto& x) -> const crypto::session_id& { return x.session; }, w);
}

// fsync of the directory holding `file`, so that a newly created file's name is durable too.
status sync_directory_of(const std::filesystem::path& file) {
  const std::filesystem::path dir = file.parent_path();
  return detail::sync_directory(dir.empty() ? std::filesystem::path(".") : dir);
}

void invoke(const write_callback& cb, const status& s) noexcept {
  // noexcept: a callback that throws is a bug that must not pass unnoticed (std::terminate).
  cb(s);
}

}  // namespace

struct chain_store::impl {
  struct pending {
    write_batch batch;
    write_callback on_durable;
  };

  std::filesystem::path path_;
  store_options options_;
  file_descriptor lock_;  // flock'ed for the store's lifetime: one store per database

  sqlite_connection writer_db_;
  sqlite_connection reader_db_;

  // Used only by the writer thread (and by open() before it starts).
  struct {
    sqlite_statement begin, commit, rollback;
    sqlite_statement insert_session, insert_line, put_credential, erase_credential, put_declaration, erase_declarations;
  } w_;

  // The read connection and its statements; readers take turns on it.
  mutable std::mutex read_mu_;
  mutable struct {
    sqlite_statement session_exists, list_sessions, read_chain, find_credential, find_holder, list_declarations;
  } r_;

  // The queue and what write() checks against, guarded by mu_.
  mutable std::mutex mu_;
  std::condition_variable wake_writer_;
  std::vector<pending> queue_;
  std::size_t queued_writes_ = 0;
  std::size_t queued_bytes_ = 0;
  // The next seq of every session, counting what is queued: an append is checked against it
  // when it is queued, so a batch is refused whole before any of it reaches the writer.
  std::map<crypto::session_id, std::uint64_t> next_seq_;
  std::optional<error> failure_;
  bool closing_ = false;

  std::atomic<std::uint64_t> commits_{0};
  std::atomic<std::uint64_t> batches_{0};
  std::atomic<std::uint64_t> writes_{0};

  std::mutex join_mu_;
  std::thread writer_;

  impl(std::filesystem::path path, const store_options& options, file_descriptor lock, sqlite_connection writer,
       sqlite_connection reader)
      : path_(std::move(path)),
        options_(options),
        lock_(std::move(lock)),
        writer_db_(std::move(writer)),
        reader_db_(std::move(reader)) {}

  ~impl() {
    close();
    // Statements are finalized before their connections close (members go in reverse order).
  }

  status prepare_statements();
  status load_next_seqs();
  status validate(const write_batch& batch, std::map<crypto::session_id, std::uint64_t>& overlay) const;
  status enqueue(write_batch batch, write_callback on_durable);
  void run() noexcept;
  status commit(const std::vector<pending>& batch);
  status apply(const detail::write& w, std::int64_t created_ms);
  void close();

  [[nodiscard]] status require_session(const crypto::session_id& s) const;  // read_mu_ held
};

status chain_store::impl::prepare_statements() {
  auto prep = [](const sqlite_connection& db, sqlite_statement& into, std::string_view sql) -> status {
    auto s = db.prepare(sql);
    if (!s) return s.error();
    into = std::move(*s);
    return {};
  };
  const std::pair<sqlite_statement*, std::string_view> writer_sql[] = {
      {&w_.begin, "BEGIN IMMEDIATE"},
      {&w_.commit, "COMMIT"},
      {&w_.rollback, "ROLLBACK"},
      {&w_.insert_session, "INSERT INTO sessions (id, created_ms) VALUES (?1, ?2)"},
      {&w_.insert_line, "INSERT INTO chain (session, seq, line, hash) VALUES (?1, ?2, ?3, ?4)"},
      {&w_.put_credential,
       "INSERT INTO credentials (session, kind, holder, hash) VALUES (?1, ?2, ?3, ?4) "
       "ON CONFLICT (session, kind, holder) DO UPDATE SET hash = excluded.hash"},
      {&w_.erase_credential, "DELETE FROM credentials WHERE session = ?1 AND kind = ?2 AND holder = ?3"},
      {&w_.put_declaration,
       "INSERT INTO declarations (session, round, member, sig) VALUES (?1, ?2, ?3, ?4) "
       "ON CONFLICT (session, round, member) DO UPDATE SET sig = excluded.sig"},
      {&w_.erase_declarations, "DELETE FROM declarations WHERE session = ?1 AND round = ?2"},
  };
  for (const auto& [stmt, sql] : writer_sql) {
    if (auto s = prep(writer_db_, *stmt, sql); !s) return s;
  }
  const std::pair<sqlite_statement*, std::string_view> reader_sql[] = {
      {&r_.session_exists, "SELECT 1 FROM sessions WHERE id = ?1"},
      {&r_.list_sessions,
       "SELECT s.id, s.created_ms, coalesce((SELECT max(c.seq) + 1 FROM chain c WHERE c.session = s.id), 0) "
       "FROM sessions s ORDER BY s.created_ms, s.id"},
      {&r_.read_chain, "SELECT seq, line, hash FROM chain WHERE session = ?1 AND seq >= ?2 ORDER BY seq"},
      {&r_.find_credential, "SELECT hash FROM credentials WHERE session = ?1 AND kind = ?2 AND holder = ?3"},
      {&r_.find_holder, "SELECT holder FROM credentials WHERE session = ?1 AND kind = ?2 AND hash = ?3 LIMIT 2"},
      // BINARY collation compares with memcmp: UTF-8 byte order, as round_closed sorts them.
      {&r_.list_declarations, "SELECT member, sig FROM declarations WHERE session = ?1 AND round = ?2 ORDER BY member"},
  };
  for (const auto& [stmt, sql] : reader_sql) {
    if (auto s = prep(reader_db_, *stmt, sql); !s) return s;
  }
  return {};
}

status chain_store::impl::load_next_seqs() {
  auto s = writer_db_.prepare(
      "SELECT s.id, coalesce((SELECT max(c.seq) + 1 FROM chain c WHERE c.session = s.id), 0) FROM sessions s");
  if (!s) return s.error();
  for (;;) {
    const int rc = s->step();
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) return writer_db_.failure("load sessions", rc);
    const crypto::byte_view id = s->column_blob(0);
    if (id.size() != 32) return fail(error_code::corrupt, "a session id is not 32 bytes");
    crypto::session_id sid{};
    std::copy(id.begin(), id.end(), sid.begin());
    next_seq_[sid] = static_cast<std::uint64_t>(s->column_int(1));
  }
  return {};
}

status chain_store::impl::validate(const write_batch& batch,
                                   std::map<crypto::session_id, std::uint64_t>& overlay) const {
  // mu_ is held. `overlay` holds the next seqs as this batch changes them.
  auto next_of = [&](const crypto::session_id& s) -> std::optional<std::uint64_t> {
    if (auto it = overlay.find(s); it != overlay.end()) return it->second;
    if (auto it = next_seq_.find(s); it != next_seq_.end()) return it->second;
    return std::nullopt;
  };
  for (std::size_t i = 0; i < batch.writes_.size(); ++i) {
    const detail::write& w = batch.writes_[i];
    const crypto::session_id& sid = session_of(w);
    const std::optional<std::uint64_t> next = next_of(sid);
    const std::string where = "write " + std::to_string(i) + ": " + session_name(sid);
    if (std::holds_alternative<detail::create_session_write>(w)) {
      if (next) return fail(error_code::already_exists, where + " already exists");
      overlay[sid] = 1;
      continue;
    }
    if (!next) return fail(error_code::not_found, where + " does not exist");
    if (const auto* a = std::get_if<detail::append_write>(&w)) {
      if (a->seq != *next) {
        return fail(error_code::wrong_seq, where + ": seq " + std::to_string(a->seq) +
                                               " is not the next one (expected " + std::to_string(*next) + ")");
      }
      overlay[sid] = *next + 1;
    }
  }
  return {};
}

status chain_store::impl::enqueue(write_batch batch, write_callback on_durable) {
  if (!on_durable) return fail(error_code::invalid_argument, "a write needs a callback");
  if (batch.size() > options_.max_queued_writes || batch.bytes() > options_.max_queued_bytes) {
    return fail(error_code::too_large, "a batch of " + std::to_string(batch.size()) + " writes and " +
                                           std::to_string(batch.bytes()) + " bytes exceeds the write queue");
  }
  // Content checks (UTF-8 of large lines) outside the lock: they need no state.
  for (std::size_t i = 0; i < batch.writes_.size(); ++i) {
    if (auto s = check_content(batch.writes_[i]); !s) {
      return fail(s.error().code, "write " + std::to_string(i) + ": " + s.error().message);
    }
  }
  {
    std::lock_guard lk(mu_);
    if (failure_) {
      return fail(error_code::stopped,
                  "the store stopped after a failed commit (" + describe(*failure_) + "); reopen it");
    }
    if (closing_) return fail(error_code::closed, "the store is closed");
    if (queued_writes_ + batch.size() > options_.max_queued_writes ||
        queued_bytes_ + batch.bytes() > options_.max_queued_bytes) {
      return fail(error_code::queue_full, "the write queue is full (" + std::to_string(queued_writes_) + " writes, " +
                                              std::to_string(queued_bytes_) + " bytes)");
    }
    std::map<crypto::session_id, std::uint64_t> overlay;
    if (auto s = validate(batch, overlay); !s) return s;
    for (const auto& [sid, next] : overlay) next_seq_[sid] = next;
    queued_writes_ += batch.size();
    queued_bytes_ += batch.bytes();
    queue_.push_back(pending{std::move(batch), std::move(on_durable)});
  }
  wake_writer_.notify_one();
  return {};
}

// The writer thread. Group commit: it takes everything queued, commits it in one transaction,
// then calls back; whatever is queued meanwhile waits for the next round of the loop and goes
// into the next commit together.
void chain_store::impl::run() noexcept {
  std::vector<pending> taken;
  for (;;) {
    {
      std::unique_lock lk(mu_);
      wake_writer_.wait(lk, [&] { return !queue_.empty() || closing_; });
      if (queue_.empty()) return;  // closing, and everything queued has been committed
      taken.swap(queue_);
      queued_writes_ = 0;
      queued_bytes_ = 0;
    }

    const status committed = commit(taken);

    std::vector<pending> not_attempted;
    status refused;
    if (committed) {
      std::uint64_t writes = 0;
      for (const pending& p : taken) writes += p.batch.size();
      commits_.fetch_add(1, std::memory_order_relaxed);
      batches_.fetch_add(taken.size(), std::memory_order_relaxed);
      writes_.fetch_add(writes, std::memory_order_relaxed);
    } else {
      // Fail-stop. The failure is recorded before any callback runs, so from now on write()
      // refuses; the batches queued behind the failed one were accepted and are owed a callback,
      // so they fail too, without being attempted. Writing on after a failed commit could
      // acknowledge records that follow one that is not on disk.
      std::lock_guard lk(mu_);
      failure_ = committed.error();
      not_attempted.swap(queue_);
      queued_writes_ = 0;
      queued_bytes_ = 0;
      refused = fail(error_code::stopped,
                     "not attempted: the store stopped after a failed commit (" + describe(*failure_) + ")");
    }

    // DURABILITY INVARIANT: a callback reports success only here, after the COMMIT containing its
    // batch returned SQLITE_DONE (with synchronous=FULL, after the WAL was fsync'ed). A batch in
    // a commit that failed, or never attempted, is reported failed, never durable.
    for (const pending& p : taken) invoke(p.on_durable, committed);
    for (const pending& p : not_attempted) invoke(p.on_durable, refused);
    taken.clear();
  }
}

status chain_store::impl::commit(const std::vector<pending>& batch) {
  sqlite3* db = writer_db_.get();
  auto step_done = [&](sqlite_statement& s, std::string_view what) -> status {
    statement_use use(s);
    const int rc = s.step();
    if (rc != SQLITE_DONE) return writer_db_.failure(what, rc);
    return {};
  };
  status s = step_done(w_.begin, "begin");
  if (s) {
    const std::int64_t created = now_ms();
    for (const pending& p : batch) {
      for (const detail::write& w : p.batch.writes_) {
        s = apply(w, created);
        if (!s) break;
      }
      if (!s) break;
    }
  }
  if (s) s = step_done(w_.commit, "commit");
  if (!s) {
    // The whole batch goes: SQLite may already have rolled back (it does for some I/O errors);
    // if the transaction is still open, roll it back here.
    if (sqlite3_get_autocommit(db) == 0) (void)step_done(w_.rollback, "rollback");
    return fail(s.error().code, "commit of " + std::to_string(batch.size()) + " batches failed: " + s.error().message);
  }
  return {};
}

status chain_store::impl::apply(const detail::write& w, std::int64_t created_ms) {
  auto run = [&](sqlite_statement& s, std::string_view what) -> status {
    statement_use use(s);
    const int rc = s.step();
    if (rc != SQLITE_DONE) return writer_db_.failure(what, rc);
    return {};
  };
  return std::visit(
      [&](const auto& x) -> status {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, detail::create_session_write>) {
          w_.insert_session.bind(1, x.session).bind(2, created_ms);
          if (auto s = run(w_.insert_session, "insert session"); !s) return s;
          w_.insert_line.bind(1, x.session).bind(2, std::int64_t{0}).bind_text(3, x.line).bind(4, x.session);
          return run(w_.insert_line, "insert genesis");
        } else if constexpr (std::is_same_v<T, detail::append_write>) {
          w_.insert_line.bind(1, x.session)
              .bind(2, static_cast<std::int64_t>(x.seq))
              .bind_text(3, x.line)
              .bind(4, x.hash);
          return run(w_.insert_line, "append seq " + std::to_string(x.seq));
        } else if constexpr (std::is_same_v<T, detail::put_credential_write>) {
          w_.put_credential.bind(1, x.session)
              .bind_text(2, to_string(x.kind))
              .bind_text(3, x.holder)
              .bind(4, x.hash.bytes());
          return run(w_.put_credential, "put credential");
        } else if constexpr (std::is_same_v<T, detail::erase_credential_write>) {
          w_.erase_credential.bind(1, x.session).bind_text(2, to_string(x.kind)).bind_text(3, x.holder);
          return run(w_.erase_credential, "erase credential");
        } else if constexpr (std::is_same_v<T, detail::erase_declarations_write>) {
          w_.erase_declarations.bind(1, x.session).bind(2, static_cast<std::int64_t>(x.round));
          return run(w_.erase_declarations, "erase declarations");
        } else {
          static_assert(std::is_same_v<T, detail::put_declaration_write>);
          w_.put_declaration.bind(1, x.session)
              .bind(2, static_cast<std::int64_t>(x.round))
              .bind_text(3, x.decl.member)
              .bind(4, x.decl.sig.bytes());
          return run(w_.put_declaration, "put declaration");
        }
      },
      w);
}

void chain_store::impl::close() {
  {
    std::lock_guard lk(mu_);
    closing_ = true;
  }
  wake_writer_.notify_all();
  std::lock_guard join(join_mu_);
  // A callback (on the writer thread) may close the store; it cannot wait for itself.
  if (writer_.joinable() && writer_.get_id() != std::this_thread::get_id()) writer_.join();
}

status chain_store::impl::require_session(const crypto::session_id& sid) const {
  sqlite_statement& s = r_.session_exists;
  statement_use use(s);
  s.bind(1, sid);
  const int rc = s.step();
  if (rc == SQLITE_ROW) return {};
  if (rc == SQLITE_DONE) return fail(error_code::not_found, session_name(sid) + " does not exist");
  return reader_db_.failure("find session", rc);
}

// ---------------------------------------------------------------------------------------------

result<chain_store> chain_store::open(const std::filesystem::path& path, const store_options& options) {
  // One store per database: a second writer would not know the first one's queued seqs. flock is
  // released by the kernel when the process dies, so a crash never leaves the store locked.
  const std::filesystem::path lock_path = path.string() + ".lock";
  file_descriptor lock(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (lock.get() < 0) return fail(error_code::io, "open " + lock_path.string() + ": " + errno_text(errno));
  if (::flock(lock.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) return fail(error_code::busy, path.string() + " is open in another store");
    return fail(error_code::io, "lock " + lock_path.string() + ": " + errno_text(errno));
  }

  // Created 0600 before SQLite sees it: the database holds credential hashes and the
  // declarations of open rounds, and SQLite gives its -wal and -shm files the database's mode.
  {
    file_descriptor db_file(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (db_file.get() < 0) return fail(error_code::io, "open " + path.string() + ": " + errno_text(errno));
  }

  auto writer = sqlite_connection::open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, options.vfs);
  if (!writer) return writer.error();
  const sqlite_connection& db = *writer;

  sqlite3_busy_timeout(db.get(), options.busy_timeout_ms);
  // Durability settings, each verified: a pragma SQLite does not accept is silently ignored, and
  // a store that believed it had synchronous=FULL without having it would acknowledge records a
  // power cut can take away.
  auto journal = db.query_text("PRAGMA journal_mode = WAL");
  if (!journal) return journal.error();
  if (*journal != "wal") return fail(error_code::io, path.string() + ": journal_mode is " + *journal + ", not wal");
  // secure_delete: erased credentials and declarations are overwritten, not left in free pages.
  if (auto s = db.exec("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA secure_delete = ON; "
                       "PRAGMA trusted_schema = OFF");
      !s) {
    return s.error();
  }
  const std::pair<const char*, std::int64_t> required[] = {
      {"PRAGMA synchronous", 2},  // FULL
      {"PRAGMA foreign_keys", 1},
      {"PRAGMA secure_delete", 1},
      {"PRAGMA busy_timeout", options.busy_timeout_ms},
  };
  for (const auto& [pragma, want] : required) {
    auto got = db.query_int(pragma);
    if (!got) return got.error();
    if (*got != want) {
      return fail(error_code::io,
                  path.string() + ": " + pragma + " is " + std::to_string(*got) + ", not " + std::to_string(want));
    }
  }
  if (options.max_page_count != 0) {
    const std::string sql = "PRAGMA max_page_count = " + std::to_string(options.max_page_count);
    if (auto got = db.query_int(sql.c_str()); !got) return got.error();
  }

  if (auto s = detail::prepare_schema(db); !s) return s.error();
  // The database file may be new: make its directory entry durable before any commit is
  // acknowledged. (SQLite syncs the directory itself when it creates the WAL.)
  if (auto s = sync_directory_of(path); !s) return s.error();

  auto reader = sqlite_connection::open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, options.vfs);
  if (!reader) return reader.error();
  sqlite3_busy_timeout(reader->get(), options.busy_timeout_ms);
  // The read connection never writes: a bug that tried would fail instead of bypassing the writer.
  if (auto s = reader->exec("PRAGMA query_only = ON; PRAGMA trusted_schema = OFF"); !s) return s.error();

  auto p = std::make_unique<impl>(path, options, std::move(lock), std::move(*writer), std::move(*reader));
  if (auto s = p->prepare_statements(); !s) return s.error();
  if (auto s = p->load_next_seqs(); !s) return s.error();
  impl* raw = p.get();
  p->writer_ = std::thread([raw] { raw->run(); });
  return chain_store(std::move(p));
}

chain_store::chain_store(std::unique_ptr<impl> p) noexcept : impl_(std::move(p)) {}
chain_store::chain_store(chain_store&&) noexcept = default;
chain_store& chain_store::operator=(chain_store&&) noexcept = default;
chain_store::~chain_store() = default;

status chain_store::write(write_batch batch, write_callback on_durable) {
  return impl_->enqueue(std::move(batch), std::move(on_durable));
}

status chain_store::append(const crypto::session_id& session, std::uint64_t seq, std::string line,
                           write_callback on_durable) {
  write_batch b;
  b.append(session, seq, std::move(line));
  return write(std::move(b), std::move(on_durable));
}

void chain_store::close() {
  if (impl_) impl_->close();
}

std::optional<error> chain_store::failure() const {
  std::lock_guard lk(impl_->mu_);
  return impl_->failure_;
}

store_stats chain_store::stats() const {
  store_stats st;
  st.commits = impl_->commits_.load(std::memory_order_relaxed);
  st.batches = impl_->batches_.load(std::memory_order_relaxed);
  st.writes = impl_->writes_.load(std::memory_order_relaxed);
  std::lock_guard lk(impl_->mu_);
  st.queued_writes = impl_->queued_writes_;
  st.queued_bytes = impl_->queued_bytes_;
  return st;
}

result<std::vector<session_summary>> chain_store::list_sessions() const {
  std::lock_guard lk(impl_->read_mu_);
  sqlite_statement& s = impl_->r_.list_sessions;
  statement_use use(s);
  std::vector<session_summary> out;
  for (;;) {
    const int rc = s.step();
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) return impl_->reader_db_.failure("list sessions", rc);
    const crypto::byte_view id = s.column_blob(0);
    if (id.size() != 32) return fail(error_code::corrupt, "a session id is not 32 bytes");
    session_summary summary;
    std::copy(id.begin(), id.end(), summary.id.begin());
    summary.created_ms = s.column_int(1);
    summary.length = static_cast<std::uint64_t>(s.column_int(2));
    out.push_back(summary);
  }
  return out;
}

status chain_store::read_chain(const crypto::session_id& session, std::uint64_t from_seq,
                               const std::function<bool(const chain_line_view&)>& on_line) const {
  std::lock_guard lk(impl_->read_mu_);
  if (auto s = impl_->require_session(session); !s) return s;
  sqlite_statement& s = impl_->r_.read_chain;
  // One statement, so one snapshot: records committed meanwhile are not half-seen.
  statement_use use(s);
  s.bind(1, session).bind(2, static_cast<std::int64_t>(std::min<std::uint64_t>(from_seq, INT64_MAX)));
  for (;;) {
    const int rc = s.step();
    if (rc == SQLITE_DONE) return {};
    if (rc != SQLITE_ROW) return impl_->reader_db_.failure("read " + session_name(session), rc);
    const std::uint64_t seq = static_cast<std::uint64_t>(s.column_int(0));
    const std::string_view line = s.column_text(1);
    const crypto::byte_view h = s.column_blob(2);
    if (h.size() != 32) {
      return fail(error_code::corrupt,
                  session_name(session) + ": the hash of seq " + std::to_string(seq) + " is not 32 bytes");
    }
    crypto::chain_hash hash{};
    std::copy(h.begin(), h.end(), hash.begin());
    if (!on_line(chain_line_view{seq, line, hash})) return {};
  }
}

result<std::vector<chain_line>> chain_store::load_chain(const crypto::session_id& session, std::uint64_t from_seq,
                                                        std::size_t max_lines) const {
  std::vector<chain_line> out;
  if (max_lines == 0) {
    std::lock_guard lk(impl_->read_mu_);
    if (auto s = impl_->require_session(session); !s) return s.error();
    return out;
  }
  auto s = read_chain(session, from_seq, [&](const chain_line_view& v) {
    out.push_back(chain_line{v.seq, std::string(v.line), v.hash});
    return out.size() < max_lines;
  });
  if (!s) return s.error();
  return out;
}

status chain_store::check_chain(const crypto::session_id& session) const {
  std::optional<error> bad;
  std::uint64_t expected = 0;
  auto s = read_chain(session, 0, [&](const chain_line_view& v) {
    if (v.seq != expected) {
      bad = fail(error_code::corrupt, session_name(session) + ": seq " + std::to_string(expected) +
                                          " is missing (found " + std::to_string(v.seq) + ")");
      return false;
    }
    if (crypto::line_hash(v.line) != v.hash) {
      bad = fail(error_code::corrupt, session_name(session) + ": the line of seq " + std::to_string(v.seq) +
                                          " does not match its stored hash");
      return false;
    }
    if (v.seq == 0 && v.hash != session) {
      bad = fail(error_code::corrupt, session_name(session) + ": record 0 does not hash to the session id");
      return false;
    }
    ++expected;
    return true;
  });
  if (!s) return s;
  if (bad) return *bad;
  if (expected == 0) return fail(error_code::corrupt, session_name(session) + " has no genesis record");
  return {};
}

result<std::optional<credential_hash>> chain_store::find_credential(const crypto::session_id& session,
                                                                    credential_kind kind,
                                                                    std::string_view holder) const {
  std::lock_guard lk(impl_->read_mu_);
  if (auto s = impl_->require_session(session); !s) return s.error();
  sqlite_statement& s = impl_->r_.find_credential;
  statement_use use(s);
  s.bind(1, session).bind_text(2, to_string(kind)).bind_text(3, holder);
  const int rc = s.step();
  if (rc == SQLITE_DONE) return std::optional<credential_hash>{};
  if (rc != SQLITE_ROW) return impl_->reader_db_.failure("find credential", rc);
  const crypto::byte_view h = s.column_blob(0);
  if (h.size() != 32) return fail(error_code::corrupt, "a credential hash is not 32 bytes");
  crypto::byte_array<32> b{};
  std::copy(h.begin(), h.end(), b.begin());
  return std::optional<credential_hash>{credential_hash{b}};
}

result<std::optional<std::string>> chain_store::find_credential_holder(const crypto::session_id& session,
                                                                       credential_kind kind,
                                                                       const credential_hash& hash) const {
  std::lock_guard lk(impl_->read_mu_);
  if (auto s = impl_->require_session(session); !s) return s.error();
  sqlite_statement& s = impl_->r_.find_holder;
  statement_use use(s);
  s.bind(1, session).bind_text(2, to_string(kind)).bind(3, hash.bytes());
  int rc = s.step();
  if (rc == SQLITE_DONE) return std::optional<std::string>{};
  if (rc != SQLITE_ROW) return impl_->reader_db_.failure("find credential holder", rc);
  std::string holder(s.column_text(0));
  rc = s.step();
  if (rc == SQLITE_ROW) {
    // Two holders with one hash would let one log in as the other: refuse both.
    return fail(error_code::corrupt,
                session_name(session) + ": two holders share one " + std::string(to_string(kind)) + " hash");
  }
  if (rc != SQLITE_DONE) return impl_->reader_db_.failure("find credential holder", rc);
  return std::optional<std::string>{std::move(holder)};
}

result<std::vector<declaration>> chain_store::list_declarations(const crypto::session_id& session,
                                                                std::uint32_t round) const {
  std::lock_guard lk(impl_->read_mu_);
  if (auto s = impl_->require_session(session); !s) return s.error();
  sqlite_statement& s = impl_->r_.list_declarations;
  statement_use use(s);
  s.bind(1, session).bind(2, static_cast<std::int64_t>(round));
  std::vector<declaration> out;
  for (;;) {
    const int rc = s.step();
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) return impl_->reader_db_.failure("list declarations", rc);
    const crypto::byte_view sig = s.column_blob(1);
    if (sig.size() != 64) return fail(error_code::corrupt, "a declaration signature is not 64 bytes");
    crypto::byte_array<64> b{};
    std::copy(sig.begin(), sig.end(), b.begin());
    out.push_back(declaration{std::string(s.column_text(0)), crypto::signature(b)});
  }
  return out;
}

}  // namespace pingyi::store
