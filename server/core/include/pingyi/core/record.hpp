// The chain record (DESIGN.md §3.6): one struct per record body, the envelope {seq, prev, time,
// type}, and the codec between a record and its one compact JSON line.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "pingyi/core/error.hpp"
#include "pingyi/core/rules.hpp"
#include "pingyi/crypto/ballot.hpp"
#include "pingyi/crypto/bytes.hpp"
#include "pingyi/crypto/chain.hpp"
#include "pingyi/crypto/ed25519.hpp"
#include "pingyi/crypto/point.hpp"
#include "pingyi/crypto/proof.hpp"
#include "pingyi/crypto/range_proof.hpp"

namespace pingyi::core {

// Bounds the decoder enforces, so that hostile input cannot demand unbounded memory or work.
inline constexpr std::size_t max_line_bytes = 16u << 20;    // a whole line
inline constexpr std::size_t max_json_depth = 8;            // the deepest record (ballot) needs 6
inline constexpr std::size_t max_members = 10'000;          // genesis.members, voted
inline constexpr std::size_t max_trustees = max_members + 1;
inline constexpr std::size_t max_contests = 100;            // per round, ballot, sums, shares, result
inline constexpr std::size_t max_options = 1000;            // per contest (range proofs ≤ 1001 values)
inline constexpr std::size_t max_id_bytes = 64;             // ids: 1 … 64 UTF-8 bytes
inline constexpr std::size_t max_text_bytes = 1024;         // titles, names, labels, seats, date
inline constexpr std::uint64_t max_seq = (std::uint64_t{1} << 53) - 1;  // exact in a JS number

// Bodies, fields in §3.6 order.
struct member {
  std::string id;
  std::string name;
  std::string seat;
  friend bool operator==(const member&, const member&) = default;
};

struct quorum {
  std::uint32_t num = 0;
  std::uint32_t den = 0;
  friend bool operator==(const quorum&, const quorum&) = default;
};

struct genesis_body {
  std::string protocol;  // always "pingyi/1"
  std::string title;
  std::string committee;
  std::string date;
  crypto::byte_array<32> nonce{};
  crypto::verify_key server_key;
  crypto::point token_key;  // pkT, not the identity
  std::vector<member> members;
  core::quorum quorum;
  std::vector<std::string> scrutineers;
  friend bool operator==(const genesis_body&, const genesis_body&) = default;
};

struct trustee_body {
  std::string id;
  std::string name;
  crypto::point key;  // X_t, not the identity
  crypto::proof proof;
  friend bool operator==(const trustee_body&, const trustee_body&) = default;
};

struct election_key_body {
  std::vector<std::string> trustees;
  crypto::point key;  // X, not the identity
  friend bool operator==(const election_key_body&, const election_key_body&) = default;
};

struct round_contest {
  std::string id;
  std::string title;
  std::vector<std::string> options;
  std::uint32_t min = 0;
  std::uint32_t max = 0;
  friend bool operator==(const round_contest&, const round_contest&) = default;
};

struct round_body {
  std::uint32_t round = 0;
  std::string title;
  round_kind kind = round_kind::evaluation;
  std::vector<round_contest> contests;
  core::rule rule;
  friend bool operator==(const round_body&, const round_body&) = default;
};

struct check_in_body {
  std::string member;
  crypto::verify_key device_key;
  crypto::signature sig;
  friend bool operator==(const check_in_body&, const check_in_body&) = default;
};

struct check_out_body {
  std::string member;
  friend bool operator==(const check_out_body&, const check_out_body&) = default;
};

struct round_opened_body {
  std::uint32_t round = 0;
  std::uint32_t present = 0;
  friend bool operator==(const round_opened_body&, const round_opened_body&) = default;
};

struct token_body {
  std::uint32_t round = 0;
  std::string member;
  crypto::point blinded;  // not the identity
  crypto::signature request_sig;
  crypto::point evaluated;  // not the identity
  crypto::proof proof;
  friend bool operator==(const token_body&, const token_body&) = default;
};

// A ballot's contests as the tablet casts them (crypto/ballot.hpp): per option the ciphertext
// (α, β: neither the identity) with its 0/1 proof, and the contest's limit proof.
using ballot_selection = crypto::selection;
using ballot_contest = crypto::contest_ballot;

struct ballot_body {
  std::uint32_t round = 0;
  crypto::verify_key vk;
  crypto::point token;  // N, not the identity
  crypto::proof token_proof;
  std::vector<ballot_contest> contests;
  crypto::signature sig;
  friend bool operator==(const ballot_body&, const ballot_body&) = default;
};

struct declaration {
  std::string member;
  crypto::signature sig;
  friend bool operator==(const declaration&, const declaration&) = default;
};

struct contest_sums {
  std::string id;
  std::vector<crypto::ciphertext> options;  // A, B: may be the identity
  friend bool operator==(const contest_sums&, const contest_sums&) = default;
};

struct round_closed_body {
  std::uint32_t round = 0;
  std::uint32_t present = 0;
  std::uint32_t tokens = 0;
  std::uint32_t ballots = 0;
  std::vector<declaration> voted;
  std::vector<contest_sums> sums;
  friend bool operator==(const round_closed_body&, const round_closed_body&) = default;
};

struct decryption_share {
  crypto::point share;  // D_t: may be the identity
  crypto::proof proof;
  friend bool operator==(const decryption_share&, const decryption_share&) = default;
};

struct contest_shares {
  std::string id;
  std::vector<decryption_share> options;
  friend bool operator==(const contest_shares&, const contest_shares&) = default;
};

struct decryption_body {
  std::uint32_t round = 0;
  std::string trustee;
  std::vector<contest_shares> shares;
  friend bool operator==(const decryption_body&, const decryption_body&) = default;
};

struct result_body {
  std::uint32_t round = 0;
  std::uint32_t ballots = 0;
  std::uint32_t present = 0;
  std::int64_t undeclared = 0;  // ballots − declarations: negative is possible (§3.2)
  std::vector<contest_result> contests;
  friend bool operator==(const result_body&, const result_body&) = default;
};

struct revealed_body {
  std::uint32_t round = 0;
  friend bool operator==(const revealed_body&, const revealed_body&) = default;
};

struct adjourned_body {
  friend bool operator==(const adjourned_body&, const adjourned_body&) = default;
};

// The alternatives in the order of §3.6; record_type_name gives each one's "type".
using record_body = std::variant<genesis_body, trustee_body, election_key_body, round_body, check_in_body,
                                 check_out_body, round_opened_body, token_body, ballot_body, round_closed_body,
                                 decryption_body, result_body, revealed_body, adjourned_body>;

[[nodiscard]] std::string_view record_type_name(const record_body& b) noexcept;

struct record {
  std::uint64_t seq = 0;
  crypto::chain_hash prev{};
  std::string time;  // YYYY-MM-DDTHH:MM:SS.mmmZ
  record_body body;
  friend bool operator==(const record&, const record&) = default;
};

// True for "YYYY-MM-DDTHH:MM:SS.mmmZ" naming a real instant (month lengths and leap years checked;
// no leap seconds).
[[nodiscard]] bool is_record_time(std::string_view s) noexcept;

// The compact line: seq, prev, time, type, then the body in §3.6 order; no spaces, UTF-8 as is.
// A record's strings must be valid UTF-8 (every decoded record's are); the line is what gets
// hashed, stored and sent, and is never re-serialised.
[[nodiscard]] std::string encode(const record& r);

// Decodes one line. Never throws. Duplicate keys, unknown or missing fields, wrong types,
// non-integer, negative or out-of-range numbers, ids outside 1 … 64 bytes, lists above the
// bounds above, upper-case or malformed hex are BAD_REQUEST; a point not canonical, or the
// identity where §3 forbids it, is INVALID_POINT; a line above max_line_bytes is
// PAYLOAD_TOO_LARGE. The error names the field ("contests[1].selections[0].alpha").
// Every line encode() writes decodes to the same record and re-encodes to the same bytes.
[[nodiscard]] result<record> decode(std::string_view line);

}  // namespace pingyi::core
