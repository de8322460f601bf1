// A session's state as the fold of its chain (DESIGN.md §5), and `apply`, the one function that
// decides whether a record may be appended: the server calls it before writing a record, start-up
// calls it to replay a stored chain, and pingyi-verify calls it to check a published one. It
// checks every rule of §3.6 before changing anything, so a rejected record leaves the state
// exactly as it was.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "pingyi/core/error.hpp"
#include "pingyi/core/record.hpp"
#include "pingyi/core/rules.hpp"
#include "pingyi/crypto/ballot.hpp"
#include "pingyi/crypto/chain.hpp"
#include "pingyi/crypto/ed25519.hpp"
#include "pingyi/crypto/point.hpp"
#include "pingyi/crypto/proof.hpp"
#include "pingyi/crypto/session_id.hpp"

namespace pingyi::core {

// Where a round is in its life (§3.6): defined by its `round` record, then opened, closed,
// given its result and revealed, in that order and never back. Decryption happens between
// closed and resulted; `decryptions` tells how far it is.
enum class round_phase { defined, open, closed, resulted, revealed };

[[nodiscard]] std::string_view to_string(round_phase p) noexcept;

struct byte32_hash {
  std::size_t operator()(const crypto::byte_array<32>& b) const noexcept;
};
using byte32_set = std::unordered_set<crypto::byte_array<32>, byte32_hash>;

struct member_state {
  std::string id;
  std::optional<crypto::verify_key> device_key;  // from the member's latest check_in
  std::uint64_t check_in_seq = 0;                // that check_in's seq (0: none yet)
  bool present = false;                          // checked in and not checked out since
};

struct trustee_state {
  std::string id;  // "server" or a scrutineer's member id
  crypto::point key;
};

struct issued_token {
  crypto::verify_key device_key;  // the key that signed the request
  crypto::point blinded;
  crypto::point evaluated;
  crypto::proof proof;
};

// A ballot's nullifier vk once spent: where its record is, and what it was, so that the
// identical ballot sent again gets the same receipt (§4) and any other is TOKEN_SPENT.
struct spent_token {
  std::uint64_t seq = 0;
  crypto::chain_hash hash{};
  crypto::byte_array<64> digest{};  // ballot_digest (§3.3)
  // The digest leaves out the signature over it: without it, the cast ballot with any other
  // 64 bytes as sig would be taken for the identical one and answered with its receipt.
  crypto::signature sig;
};

struct round_state {
  round_body definition;
  std::vector<contest_shape> shapes;       // what the rules need of the contests
  std::vector<crypto::contest_spec> specs;  // what ballot verification needs of them
  round_phase phase = round_phase::defined;
  std::uint32_t present_at_open = 0;

  // Members holding a token in this round. A declaration is verified with the device key that
  // signed the member's token request, not a later one (§3.2); the rest lets the server answer
  // a repeated request (a reply lost on the way) with the same evaluation.
  std::map<std::string, issued_token, std::less<>> tokens;
  // Declarations received while the round is open (never on the chain before round_closed;
  // the store keeps them durably). Filled by accept_declaration, emptied by round_closed.
  std::map<std::string, crypto::signature, std::less<>> declarations;

  std::uint32_t ballots = 0;
  // Running sums (A, B) per contest and option of the accepted ballots.
  std::vector<std::vector<crypto::ciphertext>> sums;
  // Every α accepted so far, per contest, while the round is open (§3.3: no α twice in a round
  // and contest). Released at close.
  std::vector<byte32_set> alphas;

  std::optional<round_closed_body> closed;
  crypto::chain_hash closed_hash{};  // hash of the round_closed line (§3.4)
  // Decryption shares D_t by trustee id, per contest and option.
  std::map<std::string, std::vector<std::vector<crypto::point>>, std::less<>> decryptions;
  // The counts, known once every trustee has decrypted (at close when there were no ballots).
  std::optional<std::vector<std::vector<std::uint32_t>>> counts;
  std::optional<result_body> result;
};

// The fold of one chain. Read it freely; change it only through apply (and
// accept_declaration): every field is what the records applied so far say.
struct session_state {
  // The chain so far: how many records, the hash and time of the last one.
  std::uint64_t length = 0;
  crypto::chain_hash head{};
  std::string last_time;

  crypto::session_id id{};  // hash of the genesis line
  std::optional<genesis_body> genesis;
  std::vector<member_state> members;  // roster order
  std::map<std::string, std::size_t, std::less<>> member_index;
  std::uint32_t present = 0;

  std::vector<trustee_state> trustees;  // in the order of their records
  std::optional<crypto::point> election_key;

  std::vector<round_state> rounds;  // rounds[k] is round k + 1
  std::optional<std::uint32_t> open_round;
  // Every vk that cast a ballot in this session (§3.2: one ballot per vk in the whole session).
  std::unordered_map<crypto::byte_array<32>, spent_token, byte32_hash> spent_vks;
  bool adjourned = false;

  [[nodiscard]] const member_state* find_member(std::string_view id) const;
  [[nodiscard]] const trustee_state* find_trustee(std::string_view id) const;
  // Round n (1-based), or nullptr.
  [[nodiscard]] const round_state* find_round(std::uint32_t n) const;
  [[nodiscard]] round_state* find_round(std::uint32_t n);
  // Whether present·den > members·num with the genesis quorum.
  [[nodiscard]] bool quorum_met(std::uint32_t present_count) const;
};

// The contests of a round record as the rules and the ballot verifier need them.
[[nodiscard]] std::vector<contest_shape> shapes_of(const round_body& r);
[[nodiscard]] std::vector<crypto::contest_spec> specs_of(const round_body& r);

struct apply_options {
  // Set only by the server for a ballot record it has just built with prepare_ballot (see
  // session_engine.hpp), which checked the ballot's proofs, signature and token off the
  // session's strand: apply then skips those (the expensive part) and checks the rest. Replay
  // and the verifier never set it.
  bool ballot_proofs_checked = false;
  // Set only by a verifier that has already checked, in parallel, this record's Ed25519
  // signatures and VOPRF proof with the keys the chain before it implies: a check_in's sig by
  // its own device_key, a token's request_sig by the member's latest check-in key and its proof
  // by genesis' token_key, each declaration of a round_closed by the key that signed that
  // member's token request. apply then skips exactly those and checks the rest.
  bool signatures_checked = false;
};

// Checks `r` (whose line hashes to `line_hash`) against every rule of §3.6 and, only if all
// hold, folds it into `s`. On failure `s` is unchanged and the error names the catalogue code
// and the field:
//   seq, prev, time (not after the last), type order ........................ BAD_REQUEST
//   a record its phase does not allow (a round opened before election_key,
//     a trustee after it, anything after adjourned, a second decryption) .... FORBIDDEN
//   a member, round or trustee not in the session ........................... NOT_FOUND
//   a token, ballot, close or declaration for a round that is not open ..... ROUND_NOT_OPEN
//   quorum at round_opened ................................................. QUORUM_NOT_MET
//   a second token for a member in a round ................................. ALREADY_ISSUED
//   a vk that already cast a ballot ........................................ TOKEN_SPENT
//   a token proof that fails, or more ballots than tokens .................. INVALID_TOKEN
//   an α seen before in the round and contest, or twice in the ballot ....... DUPLICATE_CIPHERTEXT
//   proofs, signatures ............................................. INVALID_PROOF / _SIGNATURE
//   a value that differs from what the chain implies (present, tokens,
//     ballots, sums, the election key, the result) ......................... BAD_REQUEST
[[nodiscard]] status apply(session_state& s, const record& r, const crypto::chain_hash& line_hash,
                           const apply_options& options = {});

// decode + line_hash + apply, with every check: what replay and the verifier run per line.
[[nodiscard]] status apply_line(session_state& s, std::string_view line);

// An "I have voted" declaration (§3.2) for the open round: the member holds a token in it and
// sig verifies with the device key that signed that token request. Kept in
// rounds[round − 1].declarations until round_closed publishes it. The identical declaration
// again is accepted and changes nothing (tablets repeat it after reconnects). ROUND_NOT_OPEN,
// NOT_FOUND (member), FORBIDDEN (no token in the round), INVALID_SIGNATURE.
[[nodiscard]] status accept_declaration(session_state& s, std::uint32_t round, std::string_view member,
                                        const crypto::signature& sig);

}  // namespace pingyi::core
