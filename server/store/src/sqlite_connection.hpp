// A thin RAII layer over SQLite's C API for the store: a connection and its prepared statements,
// with every failure turned into a store::error that carries SQLite's own message.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "pingyi/crypto/bytes.hpp"
#include "pingyi/store/error.hpp"

namespace pingyi::store::detail {

class sqlite_statement {
 public:
  sqlite_statement() = default;
  explicit sqlite_statement(sqlite3_stmt* s) noexcept : s_(s) {}
  sqlite_statement(sqlite_statement&& o) noexcept : s_(o.s_), bind_rc_(o.bind_rc_) { o.s_ = nullptr; }
  sqlite_statement& operator=(sqlite_statement&& o) noexcept;
  sqlite_statement(const sqlite_statement&) = delete;
  sqlite_statement& operator=(const sqlite_statement&) = delete;
  ~sqlite_statement() { sqlite3_finalize(s_); }

  // Parameters are 1-based. A failed bind is remembered and returned by the next step(), so that
  // a statement is never run with a parameter missing.
  sqlite_statement& bind(int i, std::int64_t v) noexcept;
  sqlite_statement& bind(int i, crypto::byte_view blob) noexcept;
  // The text is bound without a copy (SQLITE_STATIC): it must outlive the next step().
  sqlite_statement& bind_text(int i, std::string_view text) noexcept;

  // SQLITE_ROW, SQLITE_DONE or an error code.
  [[nodiscard]] int step() noexcept;
  // Ends the statement's use: resets it (which ends a reader's snapshot and lets checkpoints
  // progress) and clears its bindings.
  void reset() noexcept;

  [[nodiscard]] std::int64_t column_int(int i) const noexcept { return sqlite3_column_int64(s_, i); }
  // Views valid until the next step() or reset().
  [[nodiscard]] crypto::byte_view column_blob(int i) const noexcept;
  [[nodiscard]] std::string_view column_text(int i) const noexcept;
  [[nodiscard]] bool column_is_null(int i) const noexcept { return sqlite3_column_type(s_, i) == SQLITE_NULL; }

 private:
  sqlite3_stmt* s_ = nullptr;
  int bind_rc_ = SQLITE_OK;
};

// Resets a statement when the scope using it ends, whatever path leaves it.
class statement_use {
 public:
  explicit statement_use(sqlite_statement& s) noexcept : s_(s) {}
  statement_use(const statement_use&) = delete;
  statement_use& operator=(const statement_use&) = delete;
  ~statement_use() { s_.reset(); }

 private:
  sqlite_statement& s_;
};

class sqlite_connection {
 public:
  // `flags` as sqlite3_open_v2's; an empty `vfs` is SQLite's default VFS.
  [[nodiscard]] static result<sqlite_connection> open(const std::filesystem::path& path, int flags,
                                                      const std::string& vfs);

  sqlite_connection(sqlite_connection&& o) noexcept : db_(o.db_) { o.db_ = nullptr; }
  sqlite_connection& operator=(sqlite_connection&& o) noexcept;
  sqlite_connection(const sqlite_connection&) = delete;
  sqlite_connection& operator=(const sqlite_connection&) = delete;
  ~sqlite_connection();

  [[nodiscard]] sqlite3* get() const noexcept { return db_; }

  // Runs SQL that returns no rows (several statements allowed).
  [[nodiscard]] status exec(const char* sql) const;
  [[nodiscard]] result<sqlite_statement> prepare(std::string_view sql) const;
  // The single integer a statement such as "PRAGMA synchronous" returns.
  [[nodiscard]] result<std::int64_t> query_int(const char* sql) const;
  // The single text value a statement such as "PRAGMA journal_mode=WAL" returns.
  [[nodiscard]] result<std::string> query_text(const char* sql) const;

  // An error naming what failed, with SQLite's message and extended code (corrupt for a damaged
  // file or one that is not a database, busy for a lock held elsewhere, io for the rest):
  // "commit: database or disk is full (code 13)".
  [[nodiscard]] error failure(std::string_view what, int rc) const;

 private:
  explicit sqlite_connection(sqlite3* db) noexcept : db_(db) {}
  sqlite3* db_ = nullptr;
};

}  // namespace pingyi::store::detail
