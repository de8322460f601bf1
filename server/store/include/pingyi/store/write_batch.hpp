// A batch of writes that the store commits together, all or nothing, in one transaction: a
// new session with its genesis and its credentials, or a check-in record with the device secret
// it hands out, so that a crash can never keep one without the other.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "pingyi/crypto/chain.hpp"
#include "pingyi/crypto/session_id.hpp"
#include "pingyi/store/credential.hpp"
#include "pingyi/store/declaration.hpp"

namespace pingyi::store {

namespace detail {
// Record 0 of a new chain; the session's id is the line's hash (DESIGN.md §3.6).
struct create_session_write {
  crypto::session_id session;
  std::string line;
};
struct append_write {
  crypto::session_id session;
  std::uint64_t seq = 0;
  std::string line;
  crypto::chain_hash hash;  // line_hash(line), computed on the caller's thread, not the writer's
};
struct put_credential_write {
  crypto::session_id session;
  credential_kind kind;
  std::string holder;
  credential_hash hash;
};
struct erase_credential_write {
  crypto::session_id session;
  credential_kind kind;
  std::string holder;
};
struct put_declaration_write {
  crypto::session_id session;
  std::uint32_t round = 0;
  declaration decl;
};
struct erase_declarations_write {
  crypto::session_id session;
  std::uint32_t round = 0;
};
using write = std::variant<create_session_write, append_write, put_credential_write, erase_credential_write,
                           put_declaration_write, erase_declarations_write>;
}  // namespace detail

// Building a batch checks nothing: chain_store::write checks the whole batch (line encoding,
// seq contiguity, known sessions) before queueing any of it, and refuses all of it on the first
// problem.
class write_batch {
 public:
  // Starts a new chain whose record 0 is `genesis_line`; returns the session's id, the line's
  // SHA-256 (DESIGN.md §3.6), so that the caller need not compute it separately.
  crypto::session_id create_session(std::string genesis_line);

  // Appends `line` as record `seq` of the session's chain: seq must be exactly one more than the
  // last seq stored or queued for that session (record 0 comes only from create_session).
  void append(const crypto::session_id& session, std::uint64_t seq, std::string line);

  // Sets the hash of a credential, replacing any earlier one of the same kind and holder (a
  // device reset issues a new check-in code). The holder is the member id; a chair_code's holder
  // is "chair".
  void put_credential(const crypto::session_id& session, credential_kind kind, std::string holder,
                      const credential_hash& hash);
  // Revokes a credential (a device reset revokes the old device secret). Erasing one that does
  // not exist is not an error.
  void erase_credential(const crypto::session_id& session, credential_kind kind, std::string holder);

  // Keeps a member's "I have voted" declaration for a round; the same member again replaces it
  // (a tablet repeats its declaration after reconnects, and Ed25519 signatures are deterministic,
  // so the repeat is identical).
  void put_declaration(const crypto::session_id& session, std::uint32_t round, declaration decl);
  // Drops a round's declarations. Put it in the batch that appends the round's round_closed
  // record, which publishes them: from then on the chain holds them, and a copy kept here would
  // only be one more place to look for the order in which they came (the store deletes with
  // secure_delete, which overwrites the freed bytes).
  void erase_declarations(const crypto::session_id& session, std::uint32_t round);

  [[nodiscard]] bool empty() const noexcept { return writes_.empty(); }
  [[nodiscard]] std::size_t size() const noexcept { return writes_.size(); }
  // What the batch weighs in the write queue: its lines and strings plus a fixed cost per write.
  [[nodiscard]] std::size_t bytes() const noexcept { return bytes_; }

 private:
  friend class chain_store;
  std::vector<detail::write> writes_;
  std::size_t bytes_ = 0;
};

}  // namespace pingyi::store
