// The durable chain store (DESIGN.md §3.6, §5): every session's chain lines exactly as written,
// their hashes, the sessions, credential hashes and the declarations of open rounds, in one
// SQLite database in WAL mode with synchronous=FULL. One writer thread commits with group
// commit; reads use their own connection and never wait for the writer.
//
// The durability contract, kept in chain_store.cpp's writer loop:
//   a write's callback reports success only after the COMMIT of the transaction containing it
//   returned; a commit that fails fails every write in it and stops the store (fail-stop), so
//   that no write it could not make durable is ever acknowledged.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pingyi/crypto/chain.hpp"
#include "pingyi/crypto/session_id.hpp"
#include "pingyi/store/credential.hpp"
#include "pingyi/store/declaration.hpp"
#include "pingyi/store/error.hpp"
#include "pingyi/store/write_batch.hpp"

namespace pingyi::store {

// One record of a chain as stored: its exact line bytes (no newline) and SHA-256 of them.
struct chain_line {
  std::uint64_t seq = 0;
  std::string line;
  crypto::chain_hash hash{};

  friend bool operator==(const chain_line&, const chain_line&) = default;
};

// The same, borrowed from SQLite while a read_chain visitor runs; copy what must outlive it.
struct chain_line_view {
  std::uint64_t seq = 0;
  std::string_view line;
  const crypto::chain_hash& hash;
};

struct session_summary {
  crypto::session_id id{};
  std::int64_t created_ms = 0;  // Unix time in ms at which its genesis was committed
  std::uint64_t length = 0;     // records in its chain: the next seq
};

struct store_options {
  // Bounds of the write queue: write() refuses with queue_full beyond them, rather than let a
  // burst grow memory without end. The defaults hold ~1,000 of the largest ballots.
  std::size_t max_queued_writes = 100'000;
  std::size_t max_queued_bytes = std::size_t{256} << 20;
  // How long a connection waits for a lock held by another before failing.
  int busy_timeout_ms = 5'000;
  // A hard cap on the database size in pages (0: SQLite's own limit). A database at its cap
  // behaves like a full disk; the tests use it to make a commit fail.
  std::uint32_t max_page_count = 0;
  // The SQLite VFS to open the database with (empty: the default). The tests register one
  // whose fsync fails on demand.
  std::string vfs;
};

struct store_stats {
  std::uint64_t commits = 0;      // transactions the writer committed
  std::uint64_t batches = 0;      // write() batches in them
  std::uint64_t writes = 0;       // single writes (appends, credentials, declarations) in them
  std::size_t queued_writes = 0;  // waiting for the next commit now
  std::size_t queued_bytes = 0;
};

// Called exactly once for every batch that write() accepted: with success once the batch is
// durable, or with the error that kept it from being so. A failed batch may or may not be on
// disk (an fsync that fails leaves that unknown); reopening the store tells which.
//
// Callbacks run on the store's writer thread, in the order the batches were accepted. They must
// not block and must not throw: the network layer posts the result back to its own executor
// (the session's strand) and returns. A callback may call write() and the read functions; it
// must not destroy the store.
using write_callback = std::function<void(const status&)>;

class chain_store {
 public:
  // Opens (creating if needed) the store at `path`: sets and verifies WAL mode,
  // synchronous=FULL, foreign keys and the busy timeout, creates or migrates the schema, and
  // starts the writer. Fails with busy if another store has the same database open, with
  // corrupt if the file is not a pingyi store, with unsupported_version if it is newer.
  [[nodiscard]] static result<chain_store> open(const std::filesystem::path& path, const store_options& options = {});

  chain_store(chain_store&&) noexcept;
  chain_store& operator=(chain_store&&) noexcept;
  chain_store(const chain_store&) = delete;
  chain_store& operator=(const chain_store&) = delete;
  // Closes: commits what is queued, then stops the writer.
  ~chain_store();

  // Queues a batch for the next commit. Either returns an error now (invalid_argument,
  // not_found, already_exists, wrong_seq, queue_full, too_large, stopped, closed), in which case
  // nothing of the batch is queued and on_durable is never called; or returns success, and
  // on_durable is called exactly once, later, on the writer thread.
  [[nodiscard]] status write(write_batch batch, write_callback on_durable);
  // write() of a batch holding one append.
  [[nodiscard]] status append(const crypto::session_id& session, std::uint64_t seq, std::string line,
                              write_callback on_durable);

  // Commits everything queued, then stops the writer; later writes fail with closed. Reads still
  // work. Idempotent.
  void close();

  // Why the store stopped accepting writes after a failed commit, if it did.
  [[nodiscard]] std::optional<error> failure() const;
  [[nodiscard]] store_stats stats() const;

  // Reads see only committed data. They share one read connection, so concurrent readers take
  // turns, but they never wait for the writer. They are disk reads: keep them off threads that
  // must never block, as with writes.
  [[nodiscard]] result<std::vector<session_summary>> list_sessions() const;
  // Calls on_line for each record from `from_seq` in seq order until it returns false, holding
  // one snapshot throughout. not_found for an unknown session.
  [[nodiscard]] status read_chain(const crypto::session_id& session, std::uint64_t from_seq,
                                  const std::function<bool(const chain_line_view&)>& on_line) const;
  [[nodiscard]] result<std::vector<chain_line>> load_chain(
      const crypto::session_id& session, std::uint64_t from_seq = 0,
      std::size_t max_lines = std::numeric_limits<std::size_t>::max()) const;
  // Recomputes every stored hash from its line; corrupt, naming the session and seq, at the
  // first that differs. Start-up runs it before replaying a chain.
  [[nodiscard]] status check_chain(const crypto::session_id& session) const;

  [[nodiscard]] result<std::optional<credential_hash>> find_credential(const crypto::session_id& session,
                                                                       credential_kind kind,
                                                                       std::string_view holder) const;
  // The holder of a credential with this hash (a check-in or a reconnect names no member).
  [[nodiscard]] result<std::optional<std::string>> find_credential_holder(const crypto::session_id& session,
                                                                          credential_kind kind,
                                                                          const credential_hash& hash) const;
  // A round's declarations sorted by member id in UTF-8 byte order, as round_closed lists them.
  [[nodiscard]] result<std::vector<declaration>> list_declarations(const crypto::session_id& session,
                                                                   std::uint32_t round) const;

 private:
  struct impl;
  explicit chain_store(std::unique_ptr<impl> p) noexcept;
  std::unique_ptr<impl> impl_;
};

}  // namespace pingyi::store
