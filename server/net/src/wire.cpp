// The protocol's JSON codecs (DESIGN.md §4). Decoding throws a private `refusal` from the
// helpers below and catches it at each public function, which returns it as a catalogue error:
// the field path is built as the decoder descends, so every refusal names its field.
#include "wire.hpp"

#include <algorithm>
#include <array>
#include <functional>
#include <initializer_list>
#include <utility>

#include "pingyi/core/rules.hpp"
#include "pingyi/core/strict_json.hpp"
#include "pingyi/crypto/crockford.hpp"
#include "pingyi/crypto/range_proof.hpp"
#include "pingyi/crypto/scalar.hpp"
#include "pingyi/net/transport.hpp"

namespace pingyi::net::wire {

namespace {

using core::error_code;

struct refusal {
  core::error error;
};

[[noreturn]] void refuse(error_code code, std::string field, std::string message) {
  throw refusal{core::fail(code, std::move(field), std::move(message))};
}
[[noreturn]] void bad(std::string field, std::string message) {
  refuse(error_code::bad_request, std::move(field), std::move(message));
}

std::string at(std::string_view path, std::string_view key) {
  if (path.empty()) return std::string(key);
  return std::string(path).append(".").append(key);
}

std::string indexed(std::string_view path, std::size_t i) {
  return std::string(path).append("[").append(std::to_string(i)).append("]");
}

// ---- objects and fields ---------------------------------------------------------------------

const json& object_of(const json& j, std::string_view path, std::initializer_list<std::string_view> allowed) {
  if (!j.is_object()) bad(std::string(path), path.empty() ? "the request must be a JSON object" : "must be an object");
  for (const auto& item : j.items()) {
    if (std::find(allowed.begin(), allowed.end(), item.key()) == allowed.end()) {
      bad(at(path, item.key()), "is not a field of this request");
    }
  }
  return j;
}

const json& field(const json& object, std::string_view path, std::string_view key) {
  const auto it = object.find(key);
  if (it == object.end()) bad(at(path, key), "is missing");
  return *it;
}

const json* optional_field(const json& object, std::string_view key) {
  const auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

const json& array_of(const json& j, const std::string& path, std::size_t max) {
  if (!j.is_array()) bad(path, "must be an array");
  if (j.size() > max) bad(path, std::string("must have at most ").append(std::to_string(max)).append(" entries"));
  return j;
}

std::uint64_t read_unsigned(const json& j, const std::string& path, std::uint64_t max) {
  if (j.is_number_float()) bad(path, "must be an integer");
  if (!j.is_number_integer()) bad(path, "must be an integer");
  if (!j.is_number_unsigned()) bad(path, "must not be negative");
  const auto n = j.get<std::uint64_t>();
  if (n > max) bad(path, std::string("must be at most ").append(std::to_string(max)));
  return n;
}

std::uint32_t read_u32(const json& j, const std::string& path) {
  return static_cast<std::uint32_t>(read_unsigned(j, path, 0xFFFF'FFFFu));
}

const std::string& read_string(const json& j, const std::string& path) {
  if (!j.is_string()) bad(path, "must be a string");
  return j.get_ref<const std::string&>();
}

std::string read_id(const json& j, const std::string& path) {
  const auto& s = read_string(j, path);
  if (s.empty() || s.size() > core::max_id_bytes) bad(path, "must be 1 to 64 bytes");
  return s;
}

std::string read_text(const json& j, const std::string& path) {
  const auto& s = read_string(j, path);
  if (s.size() > core::max_text_bytes) bad(path, "must be at most 1024 bytes");
  return s;
}

// Lower-case hex of exactly `bytes` bytes, as every hex field of the chain: a second spelling
// of the same value would make two different ballots of one.
const std::string& read_hex(const json& j, const std::string& path, std::size_t bytes) {
  const auto& s = read_string(j, path);
  if (s.size() != 2 * bytes) {
    bad(path, std::string("must be ").append(std::to_string(bytes)).append(" bytes of lower-case hex"));
  }
  for (const char ch : s) {
    if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'))) bad(path, "must be lower-case hex");
  }
  return s;
}

crypto::point read_point(const json& j, const std::string& path) {
  auto p = crypto::point::from_hex(read_hex(j, path, crypto::point::size));
  if (!p) refuse(error_code::invalid_point, path, "is not a canonical ristretto255 point");
  return *p;
}

crypto::point read_point_non_identity(const json& j, const std::string& path) {
  const auto p = read_point(j, path);
  if (p.is_identity()) refuse(error_code::invalid_point, path, "must not be the identity");
  return p;
}

crypto::scalar read_scalar(const json& j, const std::string& path) {
  auto s = crypto::scalar::from_hex(read_hex(j, path, crypto::scalar::size));
  if (!s) bad(path, "is not a canonical scalar (must be below the group order)");
  return *s;
}

crypto::verify_key read_verify_key(const json& j, const std::string& path) {
  auto k = crypto::verify_key::from_hex(read_hex(j, path, crypto::verify_key::size));
  if (!k) refuse(error_code::invalid_point, path, "is not a valid Ed25519 public key");
  return *k;
}

crypto::signature read_signature(const json& j, const std::string& path) {
  auto s = crypto::signature::from_hex(read_hex(j, path, crypto::signature::size));
  if (!s) bad(path, "is not a 64-byte signature");
  return *s;
}

crypto::proof read_proof(const json& j, const std::string& path) {
  const auto& o = object_of(j, path, {"c", "s"});
  return crypto::proof{read_scalar(field(o, path, "c"), at(path, "c")),
                       read_scalar(field(o, path, "s"), at(path, "s"))};
}

std::vector<crypto::scalar> read_scalars(const json& j, const std::string& path) {
  const auto& a = array_of(j, path, crypto::max_range_values);
  std::vector<crypto::scalar> out;
  out.reserve(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) out.push_back(read_scalar(a[i], indexed(path, i)));
  return out;
}

crypto::range_proof read_range_proof(const json& j, const std::string& path) {
  const auto& o = object_of(j, path, {"c", "s"});
  return crypto::range_proof{read_scalars(field(o, path, "c"), at(path, "c")),
                             read_scalars(field(o, path, "s"), at(path, "s"))};
}

std::uint64_t read_seq(const json& j, const std::string& path) { return read_unsigned(j, path, core::max_seq); }

// ---- session and rounds ---------------------------------------------------------------------

core::round_setup read_round(const json& j, const std::string& path) {
  const auto& o = object_of(j, path, {"title", "kind", "contests", "rule"});
  core::round_setup r;
  r.title = read_text(field(o, path, "title"), at(path, "title"));
  const std::string kind_path = at(path, "kind");
  const auto kind = core::parse_round_kind(read_string(field(o, path, "kind"), kind_path));
  if (!kind) bad(kind_path, "must be \"evaluation\", \"motion\" or \"selection\"");
  r.kind = *kind;

  const std::string contests_path = at(path, "contests");
  const auto& contests = array_of(field(o, path, "contests"), contests_path, core::max_contests);
  std::vector<core::contest_shape> shapes;
  for (std::size_t k = 0; k < contests.size(); ++k) {
    const std::string cp = indexed(contests_path, k);
    const auto& c = object_of(contests[k], cp, {"id", "title", "options", "min", "max"});
    core::round_contest contest;
    contest.id = read_id(field(c, cp, "id"), at(cp, "id"));
    contest.title = read_text(field(c, cp, "title"), at(cp, "title"));
    const std::string options_path = at(cp, "options");
    const auto& options = array_of(field(c, cp, "options"), options_path, core::max_options);
    for (std::size_t i = 0; i < options.size(); ++i) {
      contest.options.push_back(read_text(options[i], indexed(options_path, i)));
    }
    contest.min = read_u32(field(c, cp, "min"), at(cp, "min"));
    contest.max = read_u32(field(c, cp, "max"), at(cp, "max"));
    // As the engine checks them, before the rule is read against the contests: a rule's
    // complaint about a contest that cannot exist would name the wrong field.
    if (contest.max > contest.options.size()) bad(at(cp, "max"), "must not exceed the number of options");
    if (contest.min > contest.max) bad(at(cp, "min"), "must not exceed max");
    shapes.push_back(core::contest_shape{contest.id, contest.options, contest.min, contest.max});
    r.contests.push_back(std::move(contest));
  }

  static const json empty_rule = json::object();
  const json* rule = optional_field(o, "rule");
  auto decoded = core::rule_from_json(r.kind, rule != nullptr ? *rule : empty_rule, shapes);
  if (!decoded) throw refusal{core::nest(path, decoded.error())};
  r.rule = std::move(*decoded);
  return r;
}

core::member read_member(const json& j, const std::string& path) {
  const auto& o = object_of(j, path, {"id", "name", "seat"});
  core::member m;
  m.id = read_id(field(o, path, "id"), at(path, "id"));
  m.name = read_text(field(o, path, "name"), at(path, "name"));
  if (const json* seat = optional_field(o, "seat")) m.seat = read_text(*seat, at(path, "seat"));
  return m;
}

// ---- WebSocket requests ---------------------------------------------------------------------

crypto::session_id read_session(const json& j, const std::string& path) {
  if (!j.is_string()) bad(path, "must be a string");
  auto id = parse_session_id(j.get_ref<const std::string&>());
  if (!id) refuse(error_code::not_found, path, "no such session");
  return *id;
}

std::string read_code(const json& j, const std::string& path) {
  auto code = crypto::normalize_crockford(read_string(j, path), 12);
  if (!code) bad(path, "must be a code of 12 Crockford base32 characters");
  return *code;
}

std::optional<std::uint64_t> read_from(const json& o) {
  const json* from = optional_field(o, "from");
  if (from == nullptr) return std::nullopt;
  return read_seq(*from, "from");
}

ws_request read_hello(const json& o) {
  object_of(o, "", {"id", "type", "session", "code", "device_key", "sig", "device", "from"});
  const auto session = read_session(field(o, "", "session"), "session");
  if (const json* device = optional_field(o, "device")) {
    for (const char* other : {"code", "device_key", "sig"}) {
      if (o.contains(other)) bad(other, "is not a field of a reconnecting hello (it has a device secret)");
    }
    const auto& hex = read_hex(*device, "device", 32);
    auto bytes = crypto::from_hex_fixed<32>(hex);
    return hello_device{session, *bytes, read_from(o)};
  }
  const std::string code = read_code(field(o, "", "code"), "code");
  if (!o.contains("device_key") && !o.contains("sig")) return hello_chair{session, code, read_from(o)};
  return hello_member{session, code, read_verify_key(field(o, "", "device_key"), "device_key"),
                      read_signature(field(o, "", "sig"), "sig"), read_from(o)};
}

ws_request read_request(std::string_view type, const json& o) {
  if (type == "hello") return read_hello(o);
  if (type == "token") {
    object_of(o, "", {"id", "type", "round", "blinded", "request_sig"});
    return token_request{read_u32(field(o, "", "round"), "round"),
                         read_point_non_identity(field(o, "", "blinded"), "blinded"),
                         read_signature(field(o, "", "request_sig"), "request_sig")};
  }
  if (type == "voted") {
    object_of(o, "", {"id", "type", "round", "sig"});
    return voted_request{read_u32(field(o, "", "round"), "round"), read_signature(field(o, "", "sig"), "sig")};
  }
  if (type == "leave") {
    object_of(o, "", {"id", "type"});
    return leave_request{};
  }
  if (type == "trustee_key") {
    object_of(o, "", {"id", "type", "key", "proof"});
    return trustee_key_request{read_point_non_identity(field(o, "", "key"), "key"),
                               read_proof(field(o, "", "proof"), "proof")};
  }
  if (type == "decryption") {
    object_of(o, "", {"id", "type", "round", "shares"});
    decryption_request d;
    d.round = read_u32(field(o, "", "round"), "round");
    const auto& shares = array_of(field(o, "", "shares"), "shares", core::max_contests);
    for (std::size_t k = 0; k < shares.size(); ++k) {
      const std::string sp = indexed("shares", k);
      const auto& s = object_of(shares[k], sp, {"id", "options"});
      core::contest_shares contest;
      contest.id = read_id(field(s, sp, "id"), at(sp, "id"));
      const std::string op = at(sp, "options");
      const auto& options = array_of(field(s, sp, "options"), op, core::max_options);
      for (std::size_t i = 0; i < options.size(); ++i) {
        const std::string p = indexed(op, i);
        const auto& share = object_of(options[i], p, {"share", "proof"});
        // D_t may be the identity (§3.4: sums that cancel).
        contest.options.push_back(core::decryption_share{read_point(field(share, p, "share"), at(p, "share")),
                                                         read_proof(field(share, p, "proof"), at(p, "proof"))});
      }
      d.shares.push_back(std::move(contest));
    }
    return d;
  }
  if (type == "seal_key") {
    object_of(o, "", {"id", "type"});
    return seal_key_request{};
  }
  if (type == "open_round" || type == "close_round" || type == "reveal") {
    object_of(o, "", {"id", "type", "round"});
    const auto round = read_u32(field(o, "", "round"), "round");
    if (type == "open_round") return open_round_request{round};
    if (type == "close_round") return close_round_request{round};
    return reveal_request{round};
  }
  if (type == "adjourn") {
    object_of(o, "", {"id", "type"});
    return adjourn_request{};
  }
  bad("type", std::string("is not a request of pingyi/1: ").append(type));
}

// Runs a decoder, turning a refusal into the error it carries.
template <class T, class F>
core::result<T> decoding(F&& decode) {
  try {
    return decode();
  } catch (const refusal& r) {
    return r.error;
  } catch (const json::exception& e) {
    // Only a decoder bug gets here (every access is checked first); refuse rather than crash.
    return core::fail(error_code::bad_request, "", std::string("malformed request: ").append(e.what()));
  }
}

}  // namespace

// ---- parsing --------------------------------------------------------------------------------

core::result<json> parse(std::string_view text) {
  if (text.size() > max_message_bytes) {
    return core::fail(error_code::payload_too_large, "", "a request must be at most 1 MiB");
  }
  return core::parse_strict_json(text, max_depth);
}

std::optional<crypto::session_id> parse_session_id(std::string_view hex) {
  if (hex.size() != 64) return std::nullopt;
  for (const char ch : hex) {
    if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'))) return std::nullopt;
  }
  auto id = crypto::from_hex_fixed<32>(hex);
  if (!id) return std::nullopt;
  return *id;
}

// ---- replies --------------------------------------------------------------------------------

unsigned http_status(core::error_code code) noexcept {
  switch (code) {
    case error_code::bad_request:
    case error_code::invalid_token:
    case error_code::invalid_point:
    case error_code::invalid_proof:
    case error_code::invalid_signature:
    case error_code::duplicate_ciphertext:
      return 400;
    case error_code::unauthorized:
      return 401;
    case error_code::forbidden:
    case error_code::code_used:
      return 403;
    case error_code::not_found:
      return 404;
    case error_code::quorum_not_met:
    case error_code::round_not_open:
    case error_code::already_issued:
    case error_code::token_spent:
      return 409;
    case error_code::payload_too_large:
      return 413;
    case error_code::rate_limited:
      return 429;
    case error_code::internal:
      return 500;
  }
  return 500;
}

json error_json(const core::error& e) {
  json j = json::object();
  j["code"] = std::string(core::to_string(e.code));
  j["message"] = core::describe(e);
  return j;
}

// Replies are dumped with invalid UTF-8 replaced (U+FFFD), never thrown on: a message that
// quotes a client's bytes must not turn a refusal into an exception.
std::string error_body(const core::error& e) {
  json j = json::object();
  j["ok"] = false;
  j["error"] = error_json(e);
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string ok_body(const json& fields) {
  json j = json::object();
  j["ok"] = true;
  for (const auto& item : fields.items()) j[item.key()] = item.value();
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string ws_reply(const json& id, const core::result<json>& outcome) {
  json j = json::object();
  j["id"] = id;
  if (outcome) {
    j["ok"] = true;
    for (const auto& item : outcome->items()) j[item.key()] = item.value();
  } else {
    j["ok"] = false;
    j["error"] = error_json(outcome.error());
  }
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

json head_json(const crypto::signed_head& head) {
  json j = json::object();
  j["seq"] = head.seq;
  j["hash"] = crypto::to_hex(head.hash);
  j["sig"] = head.sig.hex();
  return j;
}

json proof_json(const crypto::proof& p) {
  json j = json::object();
  j["c"] = p.c.hex();
  j["s"] = p.s.hex();
  return j;
}

std::string record_push(std::uint64_t seq, std::string_view line, const crypto::signature& sig) {
  json j = json::object();
  j["type"] = "record";
  j["seq"] = seq;
  j["line"] = line;
  j["sig"] = sig.hex();
  return j.dump();
}

std::string progress_push(const progress& p) {
  json j = json::object();
  j["type"] = "progress";
  j["round"] = p.round ? json(*p.round) : json(nullptr);
  j["present"] = p.present;
  j["tokens"] = p.tokens;
  j["ballots"] = p.ballots;
  j["voted"] = p.voted;
  return j.dump();
}

// ---- HTTP bodies ----------------------------------------------------------------------------

core::result<crypto::ballot> decode_ballot(const json& j) {
  return decoding<crypto::ballot>([&] {
    const auto& o = object_of(j, "", {"round", "vk", "token", "contests", "sig"});
    crypto::ballot b;
    b.round = read_u32(field(o, "", "round"), "round");
    b.vk = read_verify_key(field(o, "", "vk"), "vk");
    b.token = read_point_non_identity(field(o, "", "token"), "token");
    const auto& contests = array_of(field(o, "", "contests"), "contests", core::max_contests);
    for (std::size_t k = 0; k < contests.size(); ++k) {
      const std::string cp = indexed("contests", k);
      const auto& c = object_of(contests[k], cp, {"id", "selections", "limit_proof"});
      crypto::contest_ballot contest;
      contest.id = read_id(field(c, cp, "id"), at(cp, "id"));
      const std::string sp = at(cp, "selections");
      const auto& selections = array_of(field(c, cp, "selections"), sp, core::max_options);
      for (std::size_t i = 0; i < selections.size(); ++i) {
        const std::string p = indexed(sp, i);
        const auto& s = object_of(selections[i], p, {"alpha", "beta", "proof"});
        crypto::selection sel;
        sel.ct.alpha = read_point_non_identity(field(s, p, "alpha"), at(p, "alpha"));
        sel.ct.beta = read_point_non_identity(field(s, p, "beta"), at(p, "beta"));
        sel.proof = read_range_proof(field(s, p, "proof"), at(p, "proof"));
        contest.selections.push_back(std::move(sel));
      }
      contest.limit_proof = read_range_proof(field(c, cp, "limit_proof"), at(cp, "limit_proof"));
      b.contests.push_back(std::move(contest));
    }
    b.sig = read_signature(field(o, "", "sig"), "sig");
    return b;
  });
}

core::result<session_request> decode_session_request(const json& j) {
  return decoding<session_request>([&] {
    const auto& o = object_of(j, "", {"title", "committee", "date", "members", "scrutineers", "rounds", "quorum"});
    session_request r;
    r.setup.title = read_text(field(o, "", "title"), "title");
    r.setup.committee = read_text(field(o, "", "committee"), "committee");
    r.setup.date = read_text(field(o, "", "date"), "date");
    const auto& members = array_of(field(o, "", "members"), "members", core::max_members);
    for (std::size_t i = 0; i < members.size(); ++i)
      r.setup.members.push_back(read_member(members[i], indexed("members", i)));
    if (const json* s = optional_field(o, "scrutineers")) {
      const auto& scrutineers = array_of(*s, "scrutineers", core::max_members);
      for (std::size_t i = 0; i < scrutineers.size(); ++i) {
        r.setup.scrutineers.push_back(read_id(scrutineers[i], indexed("scrutineers", i)));
      }
    }
    if (const json* rounds = optional_field(o, "rounds")) {
      const auto& list = array_of(*rounds, "rounds", max_rounds);
      for (std::size_t k = 0; k < list.size(); ++k) r.rounds.push_back(read_round(list[k], indexed("rounds", k)));
    }
    if (const json* q = optional_field(o, "quorum")) {
      const auto& quorum = object_of(*q, "quorum", {"num", "den"});
      r.setup.quorum = core::quorum{read_u32(field(quorum, "quorum", "num"), "quorum.num"),
                                    read_u32(field(quorum, "quorum", "den"), "quorum.den")};
    } else {
      r.setup.quorum = core::quorum{1, 2};
    }
    return r;
  });
}

core::result<std::vector<core::round_setup>> decode_rounds_request(const json& j) {
  return decoding<std::vector<core::round_setup>>([&] {
    std::vector<core::round_setup> rounds;
    if (j.is_object() && j.contains("rounds")) {
      const auto& o = object_of(j, "", {"rounds"});
      const auto& list = array_of(field(o, "", "rounds"), "rounds", max_rounds);
      if (list.empty()) bad("rounds", "must not be empty");
      for (std::size_t k = 0; k < list.size(); ++k) rounds.push_back(read_round(list[k], indexed("rounds", k)));
    } else {
      rounds.push_back(read_round(j, ""));
    }
    return rounds;
  });
}

// ---- WebSocket ------------------------------------------------------------------------------

std::string_view type_name(const ws_request& r) noexcept {
  static constexpr std::array<std::string_view, std::variant_size_v<ws_request>> names = {
      "hello",      "hello",    "hello",      "token",       "voted",  "leave",  "trustee_key",
      "decryption", "seal_key", "open_round", "close_round", "reveal", "adjourn"};
  return names[r.index()];
}

crypto::basic_result<ws_message, ws_failure> decode_ws_message(std::string_view text) {
  auto parsed = parse(text);
  if (!parsed) return ws_failure{nullptr, parsed.error()};
  const json& o = *parsed;
  if (!o.is_object())
    return ws_failure{nullptr, core::fail(error_code::bad_request, "", "a request must be a JSON object")};

  json id = nullptr;
  const auto it = o.find("id");
  if (it == o.end()) return ws_failure{nullptr, core::fail(error_code::bad_request, "id", "is missing")};
  if (it->is_number_integer() || (it->is_string() && it->get_ref<const std::string&>().size() <= 64)) {
    id = *it;
  } else {
    return ws_failure{nullptr, core::fail(error_code::bad_request, "id", "must be an integer or a short string")};
  }

  const auto type = o.find("type");
  if (type == o.end()) return ws_failure{id, core::fail(error_code::bad_request, "type", "is missing")};
  if (!type->is_string()) return ws_failure{id, core::fail(error_code::bad_request, "type", "must be a string")};
  auto request = decoding<ws_request>([&] { return read_request(type->get_ref<const std::string&>(), o); });
  if (!request) return ws_failure{id, request.error()};
  return ws_message{id, std::move(*request)};
}

}  // namespace pingyi::net::wire
