// The protocol's JSON (DESIGN.md §4): strict decoders of the HTTP bodies and WebSocket requests,
// and the encoders of replies, errors and pushes. A decoder refuses, naming the field, every
// unknown key, wrong type, duplicate key, malformed or upper-case hex, non-canonical point or
// scalar, and list longer than the chain's bounds: what it returns can go straight to the engine.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "pingyi/core/error.hpp"
#include "pingyi/core/record.hpp"
#include "pingyi/core/session_engine.hpp"
#include "pingyi/crypto/ballot.hpp"
#include "pingyi/crypto/chain.hpp"
#include "pingyi/crypto/ed25519.hpp"
#include "pingyi/crypto/point.hpp"
#include "pingyi/crypto/proof.hpp"
#include "pingyi/crypto/session_id.hpp"

namespace pingyi::net::wire {

using json = nlohmann::ordered_json;

// The deepest request (a cast ballot: body, contests, contest, selections, selection, proof, c)
// nests 7 levels; anything deeper is refused while parsing.
inline constexpr std::size_t max_depth = 8;
// Rounds in one request (POST /api/sessions or …/rounds).
inline constexpr std::size_t max_rounds = 1000;

// Parses a body or message: BAD_REQUEST for text that is not JSON (UTF-8 included), a key twice
// in one object, or nesting deeper than max_depth; PAYLOAD_TOO_LARGE above 1 MiB.
[[nodiscard]] core::result<json> parse(std::string_view text);

// A session id in a path, query or hello: exactly 64 lower-case hex digits.
[[nodiscard]] std::optional<crypto::session_id> parse_session_id(std::string_view hex);

// ---- replies and pushes ---------------------------------------------------------------------

// The HTTP status of a catalogue code: 400 BAD_REQUEST, INVALID_*, DUPLICATE_CIPHERTEXT; 401
// UNAUTHORIZED; 403 FORBIDDEN, CODE_USED; 404 NOT_FOUND; 409 ROUND_NOT_OPEN, ALREADY_ISSUED,
// TOKEN_SPENT, QUORUM_NOT_MET; 413 PAYLOAD_TOO_LARGE; 429 RATE_LIMITED; 500 INTERNAL.
[[nodiscard]] unsigned http_status(core::error_code code) noexcept;

// {"code": "ROUND_NOT_OPEN", "message": "round: is not open"} (message: core::describe).
[[nodiscard]] json error_json(const core::error& e);
// {"ok": false, "error": {…}}.
[[nodiscard]] std::string error_body(const core::error& e);
// {"ok": true, …fields}.
[[nodiscard]] std::string ok_body(const json& fields);
// {"id": id, "ok": true, …fields} or {"id": id, "ok": false, "error": {…}}.
[[nodiscard]] std::string ws_reply(const json& id, const core::result<json>& outcome);

[[nodiscard]] json head_json(const crypto::signed_head& head);  // {"seq", "hash", "sig"}
[[nodiscard]] json proof_json(const crypto::proof& p);          // {"c", "s"}

// {"type": "record", "seq": n, "line": "<the line>", "sig": "<signed head at seq>"}.
[[nodiscard]] std::string record_push(std::uint64_t seq, std::string_view line, const crypto::signature& sig);

// Live progress of the session (the projector's "已到 x，已投 z"): the latest round that was
// opened (none before the first), who is present, and that round's tokens, ballots and
// declarations so far.
struct progress {
  std::optional<std::uint32_t> round;
  std::uint32_t present = 0;
  std::uint32_t tokens = 0;
  std::uint32_t ballots = 0;
  std::uint32_t voted = 0;
  friend bool operator==(const progress&, const progress&) = default;
};
// {"type": "progress", "round", "present", "tokens", "ballots", "voted"}.
[[nodiscard]] std::string progress_push(const progress& p);

// ---- HTTP bodies ----------------------------------------------------------------------------

// POST /api/sessions/{id}/ballots: {round, vk, token, contests [{id, selections [{alpha, beta,
// proof {c [..], s [..]}}], limit_proof {c, s}}], sig}.
[[nodiscard]] core::result<crypto::ballot> decode_ballot(const json& j);

// POST /api/sessions: {title, committee, date, members [{id, name, seat}], scrutineers [ids],
// rounds [{title, kind, contests [{id, title, options, min, max}], rule}], quorum {num, den}}.
// scrutineers, rounds, quorum ({1, 2}), a member's seat ("") and a round's rule ({}: every
// default) may be left out.
struct session_request {
  core::session_setup setup;
  std::vector<core::round_setup> rounds;
};
[[nodiscard]] core::result<session_request> decode_session_request(const json& j);

// POST /api/sessions/{id}/rounds: one round object, or {"rounds": [ … ]} (fields "rounds[k]…").
[[nodiscard]] core::result<std::vector<core::round_setup>> decode_rounds_request(const json& j);

// ---- WebSocket /ws --------------------------------------------------------------------------

// hello {session, code, device_key, sig}: a member's check-in with the printed code.
struct hello_member {
  crypto::session_id session{};
  std::string code;  // canonical: 12 characters, no dashes
  crypto::verify_key device_key;
  crypto::signature sig;
  std::optional<std::uint64_t> from;
};
// hello {session, device}: a tablet reconnecting with its device secret.
struct hello_device {
  crypto::session_id session{};
  crypto::byte_array<32> device{};
  std::optional<std::uint64_t> from;
};
// hello {session, code}: the chair.
struct hello_chair {
  crypto::session_id session{};
  std::string code;
  std::optional<std::uint64_t> from;
};
struct token_request {
  std::uint32_t round = 0;
  crypto::point blinded;
  crypto::signature request_sig;
};
struct voted_request {
  std::uint32_t round = 0;
  crypto::signature sig;
};
struct leave_request {};
struct trustee_key_request {
  crypto::point key;
  crypto::proof proof;
};
struct decryption_request {
  std::uint32_t round = 0;
  std::vector<core::contest_shares> shares;
};
struct seal_key_request {};
struct open_round_request {
  std::uint32_t round = 0;
};
struct close_round_request {
  std::uint32_t round = 0;
};
struct reveal_request {
  std::uint32_t round = 0;
};
struct adjourn_request {};

using ws_request = std::variant<hello_member, hello_device, hello_chair, token_request, voted_request, leave_request,
                                trustee_key_request, decryption_request, seal_key_request, open_round_request,
                                close_round_request, reveal_request, adjourn_request>;

// The "type" of a request, as on the wire.
[[nodiscard]] std::string_view type_name(const ws_request& r) noexcept;

struct ws_message {
  json id;  // echoed in the reply: an integer or a string
  ws_request request;
};
struct ws_failure {
  json id;  // null when the message's id could not be read
  core::error error;
};
[[nodiscard]] crypto::basic_result<ws_message, ws_failure> decode_ws_message(std::string_view text);

}  // namespace pingyi::net::wire
