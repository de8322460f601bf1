// Start-up replay (DESIGN.md §5): every stored chain is folded through core's apply, exactly as
// a verifier would fold the published one, to rebuild each session's state. A chain that does
// not replay — a stored hash that does not match its line, a broken link, a record apply
// refuses — stops the replay with a message naming the session and the seq: the server refuses
// to start rather than serve from a corrupted chain.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pingyi/core/error.hpp"
#include "pingyi/core/session_state.hpp"
#include "pingyi/crypto/session_id.hpp"
#include "pingyi/store/chain_store.hpp"
#include "pingyi/store/error.hpp"

namespace pingyi::store {

// Why a chain did not replay. `seq` is the first record that failed (absent when the failure is
// not about one record, e.g. the database could not be read); `record_error` is apply's verdict
// when apply refused it.
struct replay_failure {
  crypto::session_id session{};
  std::optional<std::uint64_t> seq;
  std::optional<core::error> record_error;
  error store_error;  // corrupt for a chain that does not replay; io, not_found … from the store

  // "session 3fa1…(64 hex): record 17: INVALID_PROOF contests[0].selections[1].proof: …"
  [[nodiscard]] std::string message() const;
};

template <class T>
using replay_result = crypto::basic_result<T, replay_failure>;

// Replays one session in one pass over its stored lines: checks that each stored seq is the
// next, recomputes each line's hash and compares it with the stored one (record 0's with the
// session id), applies the line with apply_line; then hands the open round's stored
// declarations to accept_declaration (a declaration the store kept but the state refuses is
// corrupt too, named "declarations[k]…" with no seq).
[[nodiscard]] replay_result<core::session_state> replay_session(const chain_store& store,
                                                                const crypto::session_id& session);

// Every session of the store, in list_sessions order; stops at the first that does not replay.
[[nodiscard]] replay_result<std::vector<core::session_state>> replay_all(const chain_store& store);

}  // namespace pingyi::store
