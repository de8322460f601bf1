// The server's side of a session (DESIGN.md §3, §5): turns requests (a check-in, a token
// request, a cast ballot, the chair's commands, a scrutineer's key or shares) into chain
// records, and every record it builds goes through `apply` before it is returned, so the
// engine cannot write what a verifier would refuse. No I/O: the caller stores the returned
// lines (one write batch per call) and acknowledges only once they are durable.
//
// An engine is touched by one thread at a time (the session's strand). The one expensive step,
// checking a cast ballot, can run elsewhere: ballot_check() copies what it needs, prepare_ballot
// runs on any thread, and append_ballot finishes on the strand.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pingyi/core/error.hpp"
#include "pingyi/core/record.hpp"
#include "pingyi/core/rules.hpp"
#include "pingyi/core/session_state.hpp"
#include "pingyi/crypto/ballot.hpp"
#include "pingyi/crypto/chain.hpp"
#include "pingyi/crypto/ed25519.hpp"
#include "pingyi/crypto/random.hpp"
#include "pingyi/crypto/trustee.hpp"
#include "pingyi/crypto/voprf.hpp"

namespace pingyi::core {

// The server's secrets for one session: the signing key of genesis.server_key (signed heads,
// receipts), the token key (skT, pkT of genesis.token_key) and the server's trustee share. They
// live in the secrets file (store/secrets_file.hpp), never in the chain or a log.
struct server_keys {
  crypto::signing_key signing;
  crypto::voprf::key_pair token;
  crypto::trustee_key trustee;

  [[nodiscard]] static server_keys generate(crypto::random_source& rng);
};

// A record the engine has applied: the record, its one line (what is stored, sent and hashed)
// and the line's hash.
struct appended {
  record rec;
  std::string line;
  crypto::chain_hash hash{};
};

// What the secretariat gives to create a session (§4 POST /api/sessions), rounds apart.
struct session_setup {
  std::string title;
  std::string committee;
  std::string date;
  std::vector<member> members;
  std::vector<std::string> scrutineers;
  core::quorum quorum{1, 2};
};

// A round to define: the record's fields but its number, which the engine assigns.
struct round_setup {
  std::string title;
  round_kind kind = round_kind::evaluation;
  std::vector<round_contest> contests;
  core::rule rule;
};

// The answer to a token request: the evaluation and its proof, and the token record when this
// request created one (a repeat of the same request appends nothing and gets the same answer).
struct token_reply {
  std::optional<appended> added;
  crypto::point evaluated;
  crypto::proof proof;
};

// The answer to a cast ballot: its receipt {seq, hash, sig}, and the ballot record when this
// cast created one (the identical ballot again appends nothing and gets the same receipt).
struct ballot_reply {
  std::optional<appended> added;
  crypto::signed_head receipt;
};

// Everything the expensive half of accepting a ballot needs, copied from the engine so that it
// can run on a worker thread while the session goes on. Holds the token key: keep it in memory.
struct ballot_check {
  crypto::session_id session{};
  std::uint32_t round = 0;
  crypto::point election_key;
  std::vector<crypto::contest_spec> specs;
  std::shared_ptr<const server_keys> keys;
};

// The stateless checks of a cast ballot (any thread): round as in the check, shape, no α twice
// within a contest, every 0/1 and limit proof, the signature, and the token (N == skT·T); then
// the token proof every observer will check. Returns the ballot record's body. Errors:
// ROUND_NOT_OPEN (another round), BAD_REQUEST (shape), INVALID_POINT, DUPLICATE_CIPHERTEXT,
// INVALID_PROOF, INVALID_SIGNATURE, INVALID_TOKEN.
[[nodiscard]] result<ballot_body> prepare_ballot(const ballot_check& check, const crypto::ballot& cast,
                                                 crypto::random_source& rng);

// The wall clock, as Unix time in milliseconds; tests pass a fixed one.
using clock_function = std::function<std::int64_t()>;
[[nodiscard]] std::int64_t system_clock_ms();
// "YYYY-MM-DDTHH:MM:SS.mmmZ" for a Unix time in ms (years 1970 … 9999).
[[nodiscard]] std::string format_record_time(std::int64_t unix_ms);

class session_engine {
 public:
  // A new session: genesis (nonce drawn from rng), the server's trustee record, and one round
  // record per entry of `rounds`. The records are returned in chain order: store them in one
  // batch (write_batch::create_session, then append). BAD_REQUEST naming the field for a roster
  // that is empty or has a duplicate or "server" id, a scrutineer not in it or listed twice, a
  // quorum outside 0 < num < den (num = den could never be met: present·den > members·num), or a
  // bad round (fields as "rounds[k].contests[0].max").
  [[nodiscard]] static result<std::pair<session_engine, std::vector<appended>>> create(
      const session_setup& setup, const std::vector<round_setup>& rounds, server_keys keys, clock_function clock,
      crypto::random_source& rng);

  // An engine over a replayed chain (start-up): `state` from apply_line over the stored lines
  // (and accept_declaration for the open round's stored declarations). BAD_REQUEST when the keys
  // are not those of the genesis.
  [[nodiscard]] static result<session_engine> resume(session_state state, server_keys keys, clock_function clock,
                                                     crypto::random_source& rng);

  [[nodiscard]] const session_state& state() const noexcept { return state_; }
  [[nodiscard]] const crypto::session_id& id() const noexcept { return state_.id; }
  // The signed head of the chain as it is now: {length − 1, head, sig}.
  [[nodiscard]] crypto::signed_head head() const;
  // The signed head at any seq whose hash is known (a record push, a receipt).
  [[nodiscard]] crypto::signed_head sign_head(std::uint64_t seq, const crypto::chain_hash& hash) const;

  // Secretariat. A round appended to the agenda gets the next number.
  [[nodiscard]] result<appended> define_round(const round_setup& setup);

  // Key ceremony. A scrutineer's key with its proof of possession (name from the roster); the
  // chair's seal: X = Σ X_t over the server and every scrutineer, refused (FORBIDDEN) while a
  // scrutineer's key is missing.
  [[nodiscard]] result<appended> add_trustee(std::string_view member, const crypto::point& key,
                                             const crypto::proof& proof);
  [[nodiscard]] result<appended> seal_election_key();

  // Attendance. A check-in already on the chain with the same device key (a tablet repeating
  // its hello) appends nothing.
  [[nodiscard]] result<std::optional<appended>> check_in(std::string_view member, const crypto::verify_key& device_key,
                                                         const crypto::signature& sig);
  [[nodiscard]] result<appended> check_out(std::string_view member);

  // Chair.
  [[nodiscard]] result<appended> open_round(std::uint32_t round);
  // round_closed with the declarations received and the sums. The caller stores it in the batch
  // that erases the round's stored declarations (write_batch::erase_declarations).
  [[nodiscard]] result<appended> close_round(std::uint32_t round);
  // The server's decryption shares of a closed round with ballots.
  [[nodiscard]] result<appended> decrypt_round(std::uint32_t round);
  // The result, once every trustee's shares are in (at once for a round without ballots).
  [[nodiscard]] result<appended> publish_result(std::uint32_t round);
  [[nodiscard]] result<appended> reveal(std::uint32_t round);
  [[nodiscard]] result<appended> adjourn();

  // Members.
  [[nodiscard]] result<token_reply> issue_token(std::string_view member, std::uint32_t round,
                                                const crypto::point& blinded, const crypto::signature& request_sig);
  // Returns true when the declaration is new (the caller stores it: write_batch::put_declaration)
  // and false for a repeat.
  [[nodiscard]] result<bool> accept_declaration(std::string_view member, std::uint32_t round,
                                                const crypto::signature& sig);

  // Anonymous ballots: ballot_check for the cast's round (ROUND_NOT_OPEN unless it is open),
  // then prepare_ballot anywhere, then append_ballot here. A repeat of an accepted ballot is
  // answered from the state without preparing anything (find_receipt). accept_ballot does all
  // three in one call.
  [[nodiscard]] result<ballot_check> ballot_check_for(std::uint32_t round) const;
  [[nodiscard]] result<std::optional<crypto::signed_head>> find_receipt(const crypto::ballot& cast) const;
  [[nodiscard]] result<ballot_reply> append_ballot(ballot_body prepared);
  [[nodiscard]] result<ballot_reply> accept_ballot(const crypto::ballot& cast);

  // Scrutineers.
  [[nodiscard]] result<appended> add_decryption(const decryption_body& shares);

 private:
  session_engine(session_state state, std::shared_ptr<const server_keys> keys, clock_function clock,
                 crypto::random_source& rng);
  // Wraps a body as the next record (seq, prev, time never before the last), encodes, applies.
  [[nodiscard]] result<appended> append(record_body body, const apply_options& options = {});

  session_state state_;
  std::shared_ptr<const server_keys> keys_;
  clock_function clock_;
  crypto::random_source* rng_;
};

}  // namespace pingyi::core
