// Fuzz target: the request parser — what the server does with a client's bytes before anything
// touches a session (DESIGN.md §4, docs/PROTOCOL.md). Every input is read as a /ws message and
// as each POST body (session create, rounds, ballot), exactly as server/net reads them:
//   - it decodes, or is refused with a code of the decoders' catalogue (never a crash, a leak,
//     an exception, or a refusal that only a decoder bug can produce);
//   - the refusal's reply is JSON that the server's own strict parser reads back;
//   - what decodes, encoded again the way a client writes it, decodes to the same request (the
//     encoding of a decoded request is a fixed point);
//   - a session or rounds request that decodes is handed to the engine, which builds the
//     records or refuses, and every line it builds decodes and re-encodes to the same bytes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "fuzz_property.hpp"
#include "pingyi/core/record.hpp"
#include "pingyi/core/rules.hpp"
#include "pingyi/core/session_engine.hpp"
#include "pingyi/core/strict_json.hpp"
#include "pingyi/core/utf8.hpp"
#include "pingyi/crypto/bytes.hpp"
#include "pingyi/crypto/init.hpp"
#include "pingyi/crypto/random.hpp"
#include "wire.hpp"

namespace {

using namespace pingyi;
using fuzz::must;
using json = net::wire::json;
using core::error_code;

// ---- refusals -------------------------------------------------------------------------------

// The codes a decoder may answer with: anything else means a decoder reached the engine's work.
bool is_decoder_code(error_code c) {
  return c == error_code::bad_request || c == error_code::invalid_point || c == error_code::not_found ||
         c == error_code::payload_too_large;
}

void check_refusal(const core::error& e) {
  must(is_decoder_code(e.code), "a decoder refuses only with BAD_REQUEST, INVALID_POINT, NOT_FOUND or PAYLOAD_TOO_LARGE", e);
  // wire.cpp's decoding() turns a json::exception into this: every access is meant to be checked
  // before it is made, so reaching it is a decoder bug even though nothing crashed.
  must(e.message.rfind("malformed request:", 0) != 0, "no decoder relies on nlohmann's exceptions", e);
  const std::string body = net::wire::error_body(e);
  const auto reread = core::parse_strict_json(body, 4);
  must(reread.ok() && core::is_valid_utf8(body), "an error reply is valid JSON in UTF-8", e);
  must((*reread)["error"]["code"] == core::to_string(e.code), "an error reply carries the refusal's code", e);
}

// ---- a client's encoding of what was decoded ------------------------------------------------

json proof_json(const crypto::proof& p) { return net::wire::proof_json(p); }

json range_proof_json(const crypto::range_proof& p) {
  json c = json::array();
  json s = json::array();
  for (const auto& x : p.c) c.push_back(x.hex());
  for (const auto& x : p.s) s.push_back(x.hex());
  return json{{"c", std::move(c)}, {"s", std::move(s)}};
}

json ballot_json(const crypto::ballot& b) {
  json contests = json::array();
  for (const auto& c : b.contests) {
    json selections = json::array();
    for (const auto& s : c.selections) {
      selections.push_back(
          json{{"alpha", s.ct.alpha.hex()}, {"beta", s.ct.beta.hex()}, {"proof", range_proof_json(s.proof)}});
    }
    contests.push_back(
        json{{"id", c.id}, {"selections", std::move(selections)}, {"limit_proof", range_proof_json(c.limit_proof)}});
  }
  return json{{"round", b.round},
              {"vk", b.vk.hex()},
              {"token", b.token.hex()},
              {"contests", std::move(contests)},
              {"sig", b.sig.hex()}};
}

json round_json(const core::round_setup& r) {
  json contests = json::array();
  for (const auto& c : r.contests) {
    contests.push_back(
        json{{"id", c.id}, {"title", c.title}, {"options", c.options}, {"min", c.min}, {"max", c.max}});
  }
  return json{{"title", r.title},
              {"kind", std::string(core::to_string(r.kind))},
              {"contests", std::move(contests)},
              {"rule", core::to_json(r.rule)}};
}

json session_json(const net::wire::session_request& s) {
  json members = json::array();
  for (const auto& m : s.setup.members) members.push_back(json{{"id", m.id}, {"name", m.name}, {"seat", m.seat}});
  json rounds = json::array();
  for (const auto& r : s.rounds) rounds.push_back(round_json(r));
  return json{{"title", s.setup.title},
              {"committee", s.setup.committee},
              {"date", s.setup.date},
              {"members", std::move(members)},
              {"scrutineers", s.setup.scrutineers},
              {"rounds", std::move(rounds)},
              {"quorum", json{{"num", s.setup.quorum.num}, {"den", s.setup.quorum.den}}}};
}

void put_from(json& j, const std::optional<std::uint64_t>& from) {
  if (from) j["from"] = *from;
}

// {id, type, …fields} as docs/PROTOCOL.md §5 shows each request.
json ws_json(const net::wire::ws_message& m) {
  namespace w = net::wire;
  json j = json{{"id", m.id}, {"type", std::string(w::type_name(m.request))}};
  std::visit(
      [&](const auto& r) {
        using T = std::decay_t<decltype(r)>;
        if constexpr (std::is_same_v<T, w::hello_member>) {
          j["session"] = crypto::to_hex(r.session);
          j["code"] = r.code;
          j["device_key"] = r.device_key.hex();
          j["sig"] = r.sig.hex();
          put_from(j, r.from);
        } else if constexpr (std::is_same_v<T, w::hello_device>) {
          j["session"] = crypto::to_hex(r.session);
          j["device"] = crypto::to_hex(r.device);
          put_from(j, r.from);
        } else if constexpr (std::is_same_v<T, w::hello_chair>) {
          j["session"] = crypto::to_hex(r.session);
          j["code"] = r.code;
          put_from(j, r.from);
        } else if constexpr (std::is_same_v<T, w::token_request>) {
          j["round"] = r.round;
          j["blinded"] = r.blinded.hex();
          j["request_sig"] = r.request_sig.hex();
        } else if constexpr (std::is_same_v<T, w::voted_request>) {
          j["round"] = r.round;
          j["sig"] = r.sig.hex();
        } else if constexpr (std::is_same_v<T, w::trustee_key_request>) {
          j["key"] = r.key.hex();
          j["proof"] = proof_json(r.proof);
        } else if constexpr (std::is_same_v<T, w::decryption_request>) {
          j["round"] = r.round;
          json shares = json::array();
          for (const auto& c : r.shares) {
            json options = json::array();
            for (const auto& o : c.options) options.push_back(json{{"share", o.share.hex()}, {"proof", proof_json(o.proof)}});
            shares.push_back(json{{"id", c.id}, {"options", std::move(options)}});
          }
          j["shares"] = std::move(shares);
        } else if constexpr (std::is_same_v<T, w::open_round_request> || std::is_same_v<T, w::close_round_request> ||
                             std::is_same_v<T, w::reveal_request>) {
          j["round"] = r.round;
        }
        // leave, seal_key, adjourn: no fields.
      },
      m.request);
  return j;
}

// ---- the engine behind the bodies -----------------------------------------------------------

const core::server_keys& fixed_keys() {
  static const core::server_keys keys = [] {
    crypto::deterministic_random rng(crypto::byte_array<32>{1});
    return core::server_keys::generate(rng);
  }();
  return keys;
}

std::int64_t fixed_clock() { return 1'795'424'400'000; }  // 2026-11-23T09:00:00.000Z

// Every line the engine built is one the record codec reads back to the same bytes.
void check_lines(const std::vector<core::appended>& records) {
  for (const auto& a : records) {
    const auto decoded = core::decode(a.line);
    must(decoded.ok(), "every line the engine builds from a request decodes");
    must(core::encode(*decoded) == a.line, "every line the engine builds is canonical");
    must(crypto::line_hash(a.line) == a.hash, "an appended record's hash is its line's");
  }
}

// A session made once, which the rounds requests are added to (each on a copy of it).
const core::session_engine& rounds_target() {
  static crypto::deterministic_random rng(crypto::byte_array<32>{2});
  static const core::session_engine engine = [] {
    core::session_setup setup;
    setup.title = "fuzz";
    setup.committee = "fuzz";
    setup.date = "2026-11-23";
    setup.members = {core::member{"m01", "m01", "1"}, core::member{"m02", "m02", "2"}};
    auto created = core::session_engine::create(setup, {}, fixed_keys(), fixed_clock, rng);
    if (!created) fuzz::violated("the fixed session can be created", core::describe(created.error()));
    return std::move(created->first);
  }();
  return engine;
}

bool same_round(const core::round_setup& a, const core::round_setup& b) {
  return a.title == b.title && a.kind == b.kind && a.contests == b.contests && a.rule == b.rule;
}

bool same_session(const net::wire::session_request& a, const net::wire::session_request& b) {
  if (a.setup.title != b.setup.title || a.setup.committee != b.setup.committee || a.setup.date != b.setup.date ||
      a.setup.members != b.setup.members || a.setup.scrutineers != b.setup.scrutineers ||
      a.setup.quorum != b.setup.quorum || a.rounds.size() != b.rounds.size()) {
    return false;
  }
  for (std::size_t k = 0; k < a.rounds.size(); ++k) {
    if (!same_round(a.rounds[k], b.rounds[k])) return false;
  }
  return true;
}

// ---- the four readings of one input ---------------------------------------------------------

void check_ws_message(std::string_view text) {
  const auto decoded = net::wire::decode_ws_message(text);
  if (!decoded) {
    const auto& failure = decoded.error();
    check_refusal(failure.error);
    must(failure.id.is_null() || failure.id.is_number_integer() ||
             (failure.id.is_string() && failure.id.get_ref<const std::string&>().size() <= 64),
         "a refused message's id is null, an integer or a short string");
    const auto reply = net::wire::ws_reply(failure.id, failure.error);
    must(core::parse_strict_json(reply, 4).ok(), "a /ws error reply is valid JSON");
    return;
  }
  const std::string encoded = ws_json(*decoded).dump();
  const auto again = net::wire::decode_ws_message(encoded);
  must(again.ok(), "a decoded /ws request, encoded again, decodes");
  must(ws_json(*again).dump() == encoded, "a decoded /ws request, encoded again, decodes to the same request");
}

void check_ballot_body(const json& body) {
  const auto decoded = net::wire::decode_ballot(body);
  if (!decoded) return check_refusal(decoded.error());
  const auto reparsed = net::wire::parse(ballot_json(*decoded).dump());
  must(reparsed.ok(), "a decoded ballot, encoded again, parses");
  const auto again = net::wire::decode_ballot(*reparsed);
  must(again.ok() && *again == *decoded, "a decoded ballot, encoded again, decodes to the same ballot");
}

void check_session_body(const json& body) {
  const auto decoded = net::wire::decode_session_request(body);
  if (!decoded) return check_refusal(decoded.error());
  const auto reparsed = net::wire::parse(session_json(*decoded).dump());
  must(reparsed.ok(), "a decoded session request, encoded again, parses");
  const auto again = net::wire::decode_session_request(*reparsed);
  must(again.ok() && same_session(*again, *decoded),
       "a decoded session request, encoded again, decodes to the same request");

  crypto::deterministic_random rng(crypto::byte_array<32>{3});
  const auto created = core::session_engine::create(decoded->setup, decoded->rounds, fixed_keys(), fixed_clock, rng);
  if (!created) {
    must(created.error().code == error_code::bad_request, "the engine refuses a session request as BAD_REQUEST",
         created.error());
    return;
  }
  check_lines(created->second);
  must(created->second.size() == 2 + decoded->rounds.size(), "a session is genesis, the server's trustee and its rounds");
}

void check_rounds_body(const json& body) {
  const auto decoded = net::wire::decode_rounds_request(body);
  if (!decoded) return check_refusal(decoded.error());
  for (const auto& r : *decoded) {
    const auto reparsed = net::wire::parse(round_json(r).dump());
    must(reparsed.ok(), "a decoded round, encoded again, parses");
    const auto again = net::wire::decode_rounds_request(*reparsed);
    must(again.ok() && again->size() == 1 && same_round(again->front(), r),
         "a decoded round, encoded again, decodes to the same round");
  }
  core::session_engine engine = rounds_target();
  for (const auto& r : *decoded) {
    const auto added = engine.define_round(r);
    if (!added) {
      must(added.error().code == error_code::bad_request, "the engine refuses a round as BAD_REQUEST", added.error());
      return;
    }
    check_lines({*added});
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bool ready = crypto::init();
  must(ready, "libsodium initialises");
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  check_ws_message(text);

  const auto body = net::wire::parse(text);
  if (!body) {
    check_refusal(body.error());
    return 0;
  }
  check_ballot_body(*body);
  check_session_body(*body);
  check_rounds_body(*body);
  return 0;
}
