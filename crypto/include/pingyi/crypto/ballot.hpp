// Ballots (DESIGN.md §3.3): per contest, one encrypted 0/1 selection per option with its proof,
// and a limit proof on their sum; the whole signed with the ephemeral key ske whose public half
// vk is the nullifier that the token was bound to.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "pingyi/crypto/bytes.hpp"
#include "pingyi/crypto/ed25519.hpp"
#include "pingyi/crypto/point.hpp"
#include "pingyi/crypto/random.hpp"
#include "pingyi/crypto/range_proof.hpp"
#include "pingyi/crypto/result.hpp"
#include "pingyi/crypto/session_id.hpp"

namespace pingyi::crypto {

// What the round record says of one contest: its id, how many options, and how many of them a
// ballot must select (min … max).
struct contest_spec {
  std::string id;
  std::uint16_t options = 0;
  std::uint32_t min = 0;
  std::uint32_t max = 0;
};

struct selection {
  ciphertext ct;
  range_proof proof;  // lo = 0, hi = 1
  friend bool operator==(const selection&, const selection&) = default;
};

struct contest_ballot {
  std::string id;
  std::vector<selection> selections;  // one per option, in option order
  range_proof limit_proof;            // lo = min, hi = max, on (Σα, Σβ)
  friend bool operator==(const contest_ballot&, const contest_ballot&) = default;
};

// The ballot as the tablet casts it: {round, vk, token, contests, sig}.
struct ballot {
  std::uint32_t round = 0;
  verify_key vk;
  point token;  // N
  std::vector<contest_ballot> contests;
  signature sig;
  friend bool operator==(const ballot&, const ballot&) = default;
};

// The longest contest id, in UTF-8 bytes, for which every proof's lp(ctx) can still be encoded
// (32 + 4 + 2 + id + 32 + 2 ≤ 65,535). build_ballot and verify_ballot refuse longer ids.
inline constexpr std::size_t max_contest_id_bytes = 0xFFFF - 72;

// ballot_ctx = session_id ‖ I2OSP(round, 4) ‖ lp(contest_id) ‖ vk
[[nodiscard]] bytes ballot_context(const session_id& sid, std::uint32_t round, std::string_view contest_id,
                                   const verify_key& vk);
// ballot_ctx ‖ I2OSP(option, 2); the limit proof uses option 0xFFFF.
inline constexpr std::uint16_t limit_option = 0xFFFF;
[[nodiscard]] bytes selection_context(byte_view ballot_ctx, std::uint16_t option);

// SHA-512("pingyi-v1-ballot" ‖ session_id ‖ I2OSP(round, 4) ‖ vk ‖ for each contest: lp(id) ‖ for
// each selection α ‖ β ‖ c_lo … c_hi ‖ s_lo … s_hi ‖ then the limit proof's c… ‖ s…).
[[nodiscard]] byte_array<64> ballot_digest(const session_id& sid, const ballot& b);

// The plaintext of a ballot: choices[k][i] ∈ {0, 1} for option i of contest k.
using ballot_choices = std::vector<std::vector<std::uint8_t>>;

// Builds and signs a ballot. Randomness is drawn contest by contest, option by option: r_i (a
// non-zero scalar), then that selection's proof draws (see prove_range); after the options,
// the limit proof's draws. Fails (out_of_range, naming the field) when the choices do not fit
// the specs, before drawing anything: wrong number of contests ("contests") or options
// ("contests[k].selections"), a value other than 0 or 1 ("contests[k].selections[i]"), a count
// of selections outside min … max, or a spec no ballot can satisfy (min > max, or more than
// max_range_values values) ("contests[k]"), or an id over max_contest_id_bytes ("contests[k].id").
[[nodiscard]] result<ballot> build_ballot(const session_id& sid, std::uint32_t round, const signing_key& ske,
                                          const point& token, const point& election_key,
                                          std::span<const contest_spec> specs, const ballot_choices& choices,
                                          random_source& rng);

// Everything that can be checked of a ballot without the token key: that it has the shape of
// the specs (contest ids and order, option counts, proof lengths), no identity α or β, no α
// repeated within a contest, every 0/1 proof and limit proof, and the signature by vk. The
// failure names the field: "contests" (count), "contests[k].id", "contests[k].selections"
// (count) — invalid_encoding; "contests[k]" — out_of_range, the spec itself is impossible;
// "contests[k].selections[i].alpha" / ".beta" — invalid_point (identity, or an α repeated in
// the contest: the later one is named); "contests[k].selections[i].proof" and
// "contests[k].limit_proof" — invalid_proof (wrong list lengths included); "sig" —
// invalid_signature. Shape and points are checked before any proof and the signature last, so
// the most specific field is named. The round is not checked against anything: the caller
// compares b.round with the open round. The token itself is checked by check_token /
// verify_token.
[[nodiscard]] status verify_ballot(const session_id& sid, const point& election_key,
                                   std::span<const contest_spec> specs, const ballot& b);

}  // namespace pingyi::crypto
