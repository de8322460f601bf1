// The catalogue of hostile input against the real pingyi-server: one table, every endpoint, each
// case a request an attacker (or a broken client) could send, with the HTTP status and error code
// docs/PROTOCOL.md §7 gives it. After every case the chain (GET …/chain) and the session list are
// byte for byte what they were, and a well-behaved tablet on another connection is still served.
// Then a flood of messages on one WebSocket: the rate limit drops the excess, nothing changes,
// others are served. The session is set up so that every kind of state-dependent refusal exists:
// a closed round with a leftover token, an open round with an accepted ballot, a spent token, a
// second session whose tokens must not work here.
// clang-format off
#include <utility>  // first: Boost 1.74's Asio (test_client.hpp) needs it before its awaitable header
// clang-format on

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "../unit/store/temp_directory.hpp"
#include "chain_check.hpp"
#include "live_committee.hpp"
#include "pingyi/crypto/init.hpp"
#include "server_child.hpp"

namespace {

namespace crypto = pingyi::crypto;
using json = nlohmann::ordered_json;
using pingyi::test::error_code_of;
using pingyi::test::live_committee;
using pingyi::test::server_child;
using pingyi::test::ws_connection;
using namespace std::chrono_literals;

// What a request got: an HTTP status and error code, or (status 0) a WebSocket reply's code, or
// "CLOSED-<close code>" when the server closed the WebSocket, or "REFUSED" for a refused upgrade.
struct outcome {
  unsigned status = 0;
  std::string code;
};

outcome of_http(const pingyi::test::http_result& r) {
  return {r.status, error_code_of(json::parse(r.body, nullptr, false))};
}
outcome of_ws(const json& reply) { return {0, error_code_of(reply)}; }

// A raw exchange's status line and the error code in its body.
outcome of_raw(const pingyi::test::raw_result& r) {
  outcome o;
  if (r.bytes.rfind("HTTP/1.1 ", 0) == 0) o.status = static_cast<unsigned>(std::stoi(r.bytes.substr(9, 3)));
  const auto at = r.bytes.find("\"code\":\"");
  if (at != std::string::npos) {
    const auto start = at + 8;
    o.code = r.bytes.substr(start, r.bytes.find('"', start) - start);
  }
  return o;
}

// ℓ, the order of ristretto255, as a little-endian scalar in hex: the smallest non-canonical one.
const std::string group_order_hex = "edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010";
const std::string zeros(64, '0');
const std::string all_ff(64, 'f');

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(c >= 'a' && c <= 'f' ? c - 'a' + 'A' : c);
  return s;
}

class HostileInput : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(crypto::init());
    server_ = std::make_unique<server_child>(temp_.path() / "data", temp_.path() / "server.stderr");
    const auto port = server_->wait_listening();
    ASSERT_TRUE(port.has_value()) << server_->errors();
    port_ = *port;
    admin_ = pingyi::test::read_admin_token(temp_.path() / "data");
  }

  pingyi::store::test::temp_directory temp_;
  std::unique_ptr<server_child> server_;
  std::uint16_t port_ = 0;
  std::string admin_;
};

TEST_F(HostileInput, EveryCaseOfTheCatalogueGetsItsCodeChangesNothingAndOthersAreServed) {
  // Session A: eight members, no scrutineers (the server's decryption gives each result at
  // once), three evaluation rounds.
  live_committee a(port_, admin_);
  ASSERT_NO_THROW(
      a.create(8, 0,
               json::array({live_committee::evaluation_round("第一轮"), live_committee::evaluation_round("第二轮"),
                            live_committee::evaluation_round("第三轮")})));
  auto m = [](std::size_t i) { return live_committee::member_id(i); };
  for (std::size_t i = 1; i <= 8; ++i) ASSERT_NO_THROW(a.check_in(m(i)));
  ASSERT_EQ(error_code_of(a.chair_request("seal_key")), "OK");
  ASSERT_EQ(error_code_of(a.chair_request("open_round", 1u)), "OK");
  // Round 1: m001 takes a token and never casts it; m002 votes. Then round 1 closes.
  const auto leftover_round1 = a.take_token(m(1), 1);
  {
    const auto v = a.take_token(m(2), 1);
    ASSERT_EQ(a.cast_raw(pingyi::test::ballot_json(a.build(v, 1, 0)).dump()).status, 200u);
  }
  ASSERT_EQ(error_code_of(a.chair_request("close_round", 1u)), "OK");
  ASSERT_TRUE(pingyi::test::eventually([&] { return !a.records_of("result").empty(); }, 20s));
  ASSERT_EQ(error_code_of(a.chair_request("open_round", 2u)), "OK");

  // Round 2: m003's ballot is accepted; it was built from a seeded random stream, so that the
  // same stream under m004's token gives the same α (the replay of a ciphertext).
  const auto& keys = a.keys();
  const auto& specs = keys.specs.at(2);
  const crypto::ballot_choices choice{{1, 0, 0}};
  const crypto::byte_array<32> seed{7};
  const auto v3 = a.take_token(m(3), 2);
  crypto::deterministic_random stream3(seed);
  const auto accepted =
      crypto::build_ballot(a.sid(), 2, v3.ske, v3.token, *keys.election_key, specs, choice, stream3).value();
  const std::string accepted_body = pingyi::test::ballot_json(accepted).dump();
  const auto accepted_reply = a.cast_raw(accepted_body);
  ASSERT_EQ(accepted_reply.status, 200u) << accepted_reply.body;
  const auto v4 = a.take_token(m(4), 2);
  crypto::deterministic_random stream4(seed);
  const auto replayed_alpha =
      crypto::build_ballot(a.sid(), 2, v4.ske, v4.token, *keys.election_key, specs, choice, stream4).value();
  ASSERT_EQ(replayed_alpha.contests[0].selections[0].ct.alpha, accepted.contests[0].selections[0].ct.alpha);
  // m005 is the well-behaved tablet: it holds a token, has declared, and repeats its declaration
  // after every case (a repeat is acknowledged and writes nothing).
  (void)a.take_token(m(5), 2);
  ASSERT_EQ(error_code_of(a.declare(m(5), 2)), "OK");
  // m006's token makes the well-formed ballot that every ballot case mutates; it is never cast.
  const auto v6 = a.take_token(m(6), 2);
  const json good = pingyi::test::ballot_json(a.build(v6, 2, 1));

  // Session B: its own token key; m001's token there must not vote in session A.
  live_committee b(port_, admin_);
  ASSERT_NO_THROW(b.create(3, 0, json::array({live_committee::evaluation_round()})));
  ASSERT_NO_THROW(b.check_in(m(1)));
  ASSERT_NO_THROW(b.check_in(m(2)));
  ASSERT_EQ(error_code_of(b.chair_request("seal_key")), "OK");
  ASSERT_EQ(error_code_of(b.chair_request("open_round", 1u)), "OK");
  const auto other_session = b.take_token(m(1), 1);

  // ---- the cases ---------------------------------------------------------------------------
  const pingyi::test::header_list ct{{"Content-Type", "application/json"}};
  const std::string ballots = a.path("ballots");
  auto post_ballot = [&](const std::string& body) {
    return of_http(pingyi::test::http_call(port_, "POST", ballots, body, ct, 10s));
  };
  auto mutated = [&](const std::function<void(json&)>& change) {
    json copy = good;
    change(copy);
    return copy.dump();
  };
  auto ballot_with = [&](const std::function<void(json&)>& change) { return post_ballot(mutated(change)); };
  auto http = [&](const std::string& method, const std::string& target, const std::string& body,
                  const pingyi::test::header_list& headers) {
    return of_http(pingyi::test::http_call(port_, method, target, body, headers, 10s));
  };
  auto admin = [&](const std::string& scheme_and_token) {
    return pingyi::test::header_list{{"Authorization", scheme_and_token}, {"Content-Type", "application/json"}};
  };
  auto raw = [&](const std::string& bytes) { return of_raw(pingyi::test::raw_exchange(port_, bytes, 10s)); };
  // A ballot of session A's round 2 made with another voter's token and key.
  auto ballot_from = [&](const pingyi::test::voter& v, std::uint32_t round) {
    return pingyi::test::ballot_json(crypto::build_ballot(a.sid(), round, v.ske, v.token, *keys.election_key, specs,
                                                          choice, crypto::os_random())
                                         .value())
        .dump();
  };
  auto fresh_ws = [&] { return std::make_unique<ws_connection>(port_, "/ws"); };
  auto ws_request = [&](ws_connection& c, const std::string& text) { return of_ws(c.send_raw(text)); };
  auto hello_json = [&](const std::string& session, const std::string& code) {
    json h = json::object();
    h["id"] = 1;
    h["type"] = "hello";
    h["session"] = session;
    h["code"] = code;
    return h.dump();
  };
  auto on_fresh = [&](const std::string& text) {
    auto c = fresh_ws();
    return ws_request(*c, text);
  };
  auto member_ws = [&](std::size_t i) -> ws_connection& { return a.member_connection(m(i)); };
  auto as_member = [&](std::size_t i, json body) { return of_ws(member_ws(i).request(body)); };
  auto chair = [&](const std::string& type, std::optional<std::uint32_t> round) {
    return of_ws(a.chair_request(type, round));
  };
  auto token_json = [&](std::uint32_t round, const std::string& blinded, const crypto::signing_key& signer,
                        const crypto::point& signed_point) {
    json r = json::object();
    r["type"] = "token";
    r["round"] = round;
    r["blinded"] = blinded;
    r["request_sig"] = crypto::sign_token_request(signer, a.sid(), round, signed_point).hex();
    return r;
  };
  const auto fresh_blinded =
      crypto::blind_token(a.sid(), 2, crypto::signing_key::generate(crypto::os_random()).public_key(),
                          crypto::os_random())
          .value();
  auto ws_closed_by = [&](const std::function<bool(pingyi::test::ws_client&)>& send) {
    pingyi::test::ws_client c(port_, "/ws");
    if (!send(c)) return outcome{0, "SEND-FAILED"};
    while (c.receive(5s)) {
    }
    return outcome{0, c.closed() && c.close_code() ? "CLOSED-" + std::to_string(*c.close_code()) : "OPEN"};
  };
  auto nested = [](std::size_t depth) { return std::string(depth, '[') + "1" + std::string(depth, ']'); };
  auto with_proof_list = [&](const char* list, std::size_t n) {
    return ballot_with([&](json& j) {
      auto& l = j["contests"][0]["selections"][0]["proof"][list];
      while (l.size() > n) l.erase(l.size() - 1);
      while (l.size() < n) l.push_back(l[0]);
    });
  };
  const std::string big_body((1u << 20) + 1, ' ');
  std::string chunked_big = "POST " + ballots +
                            " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                            "Transfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 20; ++i) chunked_big += "10000\r\n" + std::string(0x10000, ' ') + "\r\n";
  chunked_big += "0\r\n\r\n";

  struct catalogue_case {
    std::string name;
    std::function<outcome()> run;
    unsigned status;  // 0: a WebSocket reply or close
    std::string code;
  };
  const std::vector<catalogue_case> catalogue = {
      // POST …/ballots: malformed and truncated JSON, wrong types, numbers.
      {"ballot: truncated JSON", [&] { return post_ballot(R"({"round":2,"vk":)"); }, 400, "BAD_REQUEST"},
      {"ballot: a well-formed ballot cut in half",
       [&] { return post_ballot(good.dump().substr(0, good.dump().size() / 2)); }, 400, "BAD_REQUEST"},
      {"ballot: empty body", [&] { return post_ballot(""); }, 400, "BAD_REQUEST"},
      {"ballot: an array", [&] { return post_ballot("[1,2,3]"); }, 400, "BAD_REQUEST"},
      {"ballot: null", [&] { return post_ballot("null"); }, 400, "BAD_REQUEST"},
      {"ballot: invalid UTF-8", [&] { return post_ballot("{\"round\":2,\"vk\":\"\xff\xfe\"}"); }, 400, "BAD_REQUEST"},
      {"ballot: round as a string", [&] { return ballot_with([](json& j) { j["round"] = "2"; }); }, 400, "BAD_REQUEST"},
      {"ballot: negative round", [&] { return ballot_with([](json& j) { j["round"] = -2; }); }, 400, "BAD_REQUEST"},
      {"ballot: round 2^32", [&] { return ballot_with([](json& j) { j["round"] = 4294967298ULL; }); }, 400,
       "BAD_REQUEST"},
      {"ballot: round 2^64 + 2 (beyond every integer type)",
       [&] {
         std::string body = good.dump();
         body.replace(body.find("\"round\":2"), 9, "\"round\":18446744073709551618");
         return post_ballot(body);
       },
       400, "BAD_REQUEST"},
      {"ballot: round 1e400",
       [&] {
         std::string body = good.dump();
         body.replace(body.find("\"round\":2"), 9, "\"round\":1e400");
         return post_ballot(body);
       },
       400, "BAD_REQUEST"},
      {"ballot: round 2.0", [&] { return ballot_with([](json& j) { j["round"] = 2.0; }); }, 400, "BAD_REQUEST"},
      {"ballot: vk as a number", [&] { return ballot_with([](json& j) { j["vk"] = 12345; }); }, 400, "BAD_REQUEST"},
      {"ballot: contests as an object", [&] { return ballot_with([](json& j) { j["contests"] = json::object(); }); },
       400, "BAD_REQUEST"},
      {"ballot: an unknown field", [&] { return ballot_with([](json& j) { j["extra"] = 1; }); }, 400, "BAD_REQUEST"},
      {"ballot: sig missing", [&] { return ballot_with([](json& j) { j.erase("sig"); }); }, 400, "BAD_REQUEST"},
      {"ballot: a key twice",
       [&] {
         std::string body = good.dump();
         body.insert(1, "\"round\":2,");
         return post_ballot(body);
       },
       400, "BAD_REQUEST"},
      {"ballot: upper-case hex",
       [&] { return ballot_with([](json& j) { j["sig"] = upper(j["sig"].get<std::string>()); }); }, 400, "BAD_REQUEST"},
      {"ballot: sig of 63 bytes",
       [&] { return ballot_with([](json& j) { j["sig"] = j["sig"].get<std::string>().substr(2); }); }, 400,
       "BAD_REQUEST"},
      {"ballot: vk with a non-hex digit",
       [&] {
         return ballot_with([](json& j) {
           std::string vk = j["vk"].get<std::string>();
           vk[5] = 'g';
           j["vk"] = vk;
         });
       },
       400, "BAD_REQUEST"},
      {"ballot: JSON nested 9 deep", [&] { return post_ballot(nested(9)); }, 400, "BAD_REQUEST"},
      {"ballot: JSON nested 100,000 deep", [&] { return post_ballot(nested(100'000)); }, 400, "BAD_REQUEST"},
      // Points.
      {"ballot: identity alpha",
       [&] { return ballot_with([](json& j) { j["contests"][0]["selections"][0]["alpha"] = zeros; }); }, 400,
       "INVALID_POINT"},
      {"ballot: identity beta",
       [&] { return ballot_with([](json& j) { j["contests"][0]["selections"][1]["beta"] = zeros; }); }, 400,
       "INVALID_POINT"},
      {"ballot: identity token", [&] { return ballot_with([](json& j) { j["token"] = zeros; }); }, 400,
       "INVALID_POINT"},
      {"ballot: non-canonical beta (all ff)",
       [&] { return ballot_with([](json& j) { j["contests"][0]["selections"][0]["beta"] = all_ff; }); }, 400,
       "INVALID_POINT"},
      {"ballot: alpha with the high bit set",
       [&] {
         return ballot_with([](json& j) {
           std::string p = j["contests"][0]["selections"][2]["alpha"].get<std::string>();
           p[62] = '8';
           p[63] = '0';
           j["contests"][0]["selections"][2]["alpha"] = p;
         });
       },
       400, "INVALID_POINT"},
      {"ballot: vk not an Ed25519 key", [&] { return ballot_with([](json& j) { j["vk"] = all_ff; }); }, 400,
       "INVALID_POINT"},
      // Scalars ≥ ℓ and proofs of the wrong length.
      {"ballot: a 0/1 proof scalar equal to the group order",
       [&] {
         return ballot_with([](json& j) { j["contests"][0]["selections"][0]["proof"]["s"][1] = group_order_hex; });
       },
       400, "BAD_REQUEST"},
      {"ballot: a limit proof scalar of all ff",
       [&] { return ballot_with([](json& j) { j["contests"][0]["limit_proof"]["c"][0] = all_ff; }); }, 400,
       "BAD_REQUEST"},
      {"ballot: a 0/1 proof with one value", [&] { return with_proof_list("c", 1); }, 400, "INVALID_PROOF"},
      {"ballot: a 0/1 proof with three values", [&] { return with_proof_list("s", 3); }, 400, "INVALID_PROOF"},
      {"ballot: an empty limit proof",
       [&] {
         return ballot_with([](json& j) {
           j["contests"][0]["limit_proof"]["c"] = json::array();
           j["contests"][0]["limit_proof"]["s"] = json::array();
         });
       },
       400, "INVALID_PROOF"},
      {"ballot: a selection missing",
       [&] { return ballot_with([](json& j) { j["contests"][0]["selections"].erase(2); }); }, 400, "BAD_REQUEST"},
      {"ballot: a contest id not the round's",
       [&] { return ballot_with([](json& j) { j["contests"][0]["id"] = "d9"; }); }, 400, "BAD_REQUEST"},
      {"ballot: a contest too many",
       [&] { return ballot_with([](json& j) { j["contests"].push_back(j["contests"][0]); }); }, 400, "BAD_REQUEST"},
      {"ballot: an alpha repeated inside the contest",
       [&] {
         return ballot_with(
             [](json& j) { j["contests"][0]["selections"][1]["alpha"] = j["contests"][0]["selections"][0]["alpha"]; });
       },
       400, "DUPLICATE_CIPHERTEXT"},
      {"ballot: a proof altered",
       [&] {
         return ballot_with([](json& j) {
           auto& c = j["contests"][0]["selections"][1]["proof"]["c"];
           std::swap(c[0], c[1]);
         });
       },
       400, "INVALID_PROOF"},
      {"ballot: sig with one bit flipped",
       [&] {
         return ballot_with([](json& j) {
           std::string s = j["sig"].get<std::string>();
           s[0] = s[0] == '0' ? '1' : '0';
           j["sig"] = s;
         });
       },
       400, "INVALID_SIGNATURE"},
      {"ballot: another ballot's sig", [&] { return ballot_with([&](json& j) { j["sig"] = accepted.sig.hex(); }); },
       400, "INVALID_SIGNATURE"},
      // Tokens: forged, another session's, another round's, spent, replayed.
      {"ballot: a forged token (a point that is not skT·T)",
       [&] {
         pingyi::test::voter forged{crypto::signing_key::generate(crypto::os_random()),
                                    crypto::token_point(a.sid(), 2, v6.ske.public_key())};
         return post_ballot(ballot_from(forged, 2));
       },
       400, "INVALID_TOKEN"},
      {"ballot: a token of another session", [&] { return post_ballot(ballot_from(other_session, 2)); }, 400,
       "INVALID_TOKEN"},
      {"ballot: a round-1 token in round 2", [&] { return post_ballot(ballot_from(leftover_round1, 2)); }, 400,
       "INVALID_TOKEN"},
      {"ballot: after its round closed",
       [&] {
         return post_ballot(pingyi::test::ballot_json(
                                crypto::build_ballot(a.sid(), 1, leftover_round1.ske, leftover_round1.token,
                                                     *keys.election_key, keys.specs.at(1), choice, crypto::os_random())
                                    .value())
                                .dump());
       },
       409, "ROUND_NOT_OPEN"},
      {"ballot: for a round never opened", [&] { return ballot_with([](json& j) { j["round"] = 3; }); }, 409,
       "ROUND_NOT_OPEN"},
      {"ballot: a spent token with other choices",
       [&] {
         return post_ballot(
             pingyi::test::ballot_json(crypto::build_ballot(a.sid(), 2, v3.ske, v3.token, *keys.election_key, specs,
                                                            crypto::ballot_choices{{0, 0, 1}}, crypto::os_random())
                                           .value())
                 .dump());
       },
       409, "TOKEN_SPENT"},
      {"ballot: an accepted ballot replayed byte for byte (same receipt, nothing appended)",
       [&] { return post_ballot(accepted_body); }, 200, "OK"},
      {"ballot: an accepted ballot's alpha under another token",
       [&] { return post_ballot(pingyi::test::ballot_json(replayed_alpha).dump()); }, 400, "DUPLICATE_CIPHERTEXT"},
      // Oversized and malformed HTTP.
      {"ballot: body over 1 MiB", [&] { return post_ballot(big_body); }, 413, "PAYLOAD_TOO_LARGE"},
      {"ballot: chunked body over 1 MiB", [&] { return raw(chunked_big); }, 413, "PAYLOAD_TOO_LARGE"},
      {"headers over 8 KiB",
       [&] {
         return http("GET", a.path("head"), "", {{"X-Padding", std::string(9000, 'x')}});
       },
       431, "PAYLOAD_TOO_LARGE"},
      {"a request line that is not HTTP", [&] { return raw("GARBAGE / NOTHTTP\r\n\r\n"); }, 400, "BAD_REQUEST"},
      {"ballot: unknown session", [&] { return http("POST", "/api/sessions/" + all_ff + "/ballots", good.dump(), ct); },
       404, "NOT_FOUND"},
      {"ballot: session id in upper case",
       [&] { return http("POST", "/api/sessions/" + upper(a.session()) + "/ballots", good.dump(), ct); }, 404,
       "NOT_FOUND"},
      {"ballot: wrong method", [&] { return http("DELETE", ballots, "", {}); }, 405, "BAD_REQUEST"},
      {"chain: unknown query parameter", [&] { return http("GET", a.path("chain") + "?x=1", "", {}); }, 400,
       "BAD_REQUEST"},
      {"chain: from = 2^53", [&] { return http("GET", a.path("chain") + "?from=9007199254740992", "", {}); }, 400,
       "BAD_REQUEST"},
      {"chain: from = -1", [&] { return http("GET", a.path("chain") + "?from=-1", "", {}); }, 400, "BAD_REQUEST"},
      {"a path with ..", [&] { return http("GET", "/api/../../etc/passwd", "", {}); }, 404, "NOT_FOUND"},
      // Admin requests without the right credential.
      {"create session: no Authorization", [&] { return http("POST", "/api/sessions", "{}", ct); }, 401,
       "UNAUTHORIZED"},
      {"create session: a wrong admin token",
       [&] { return http("POST", "/api/sessions", "{}", admin("Bearer " + zeros)); }, 403, "FORBIDDEN"},
      {"add rounds: Basic instead of Bearer",
       [&] { return http("POST", a.path("rounds"), "{}", admin("Basic " + admin_)); }, 401, "UNAUTHORIZED"},
      {"add rounds: the chair code as the admin token",
       [&] { return http("POST", a.path("rounds"), "{}", admin("Bearer " + a.chair_code())); }, 403, "FORBIDDEN"},
      {"reset: a wrong admin token",
       [&] { return http("POST", a.path("members/m001/reset"), "", admin("Bearer " + all_ff)); }, 403, "FORBIDDEN"},
      {"check_out: a member's device secret as the admin token",
       [&] {
         return http("POST", a.path("members/m001/check_out"), "", admin("Bearer " + a.tablet_of(m(1)).device_secret));
       },
       403, "FORBIDDEN"},
      {"add rounds: right token, truncated JSON",
       [&] { return http("POST", a.path("rounds"), "{\"title\":", admin("Bearer " + admin_)); }, 400, "BAD_REQUEST"},
      {"create session: right token, quorum 2^63",
       [&] {
         return http(
             "POST", "/api/sessions",
             R"({"title":"t","committee":"c","date":"d","members":[{"id":"a","name":"n"}],"quorum":{"num":9223372036854775808,"den":1}})",
             admin("Bearer " + admin_));
       },
       400, "BAD_REQUEST"},
      // /ws before and at hello.
      {"ws: a request before hello", [&] { return on_fresh(R"({"id":1,"type":"seal_key"})"); }, 0, "UNAUTHORIZED"},
      {"ws: not JSON", [&] { return on_fresh("{not json"); }, 0, "BAD_REQUEST"},
      {"ws: truncated JSON", [&] { return on_fresh(R"({"id":1,"type":"hello","session":)"); }, 0, "BAD_REQUEST"},
      {"ws: JSON nested 9 deep", [&] { return on_fresh(R"({"id":1,"type":)" + nested(8) + "}"); }, 0, "BAD_REQUEST"},
      {"ws: an id of 65 characters",
       [&] { return on_fresh(R"({"id":")" + std::string(65, 'i') + R"(","type":"hello"})"); }, 0, "BAD_REQUEST"},
      {"ws: hello with an unknown code", [&] { return on_fresh(hello_json(a.session(), "ZZZZ-ZZZZ-ZZZZ")); }, 0,
       "UNAUTHORIZED"},
      {"ws: hello with a malformed code", [&] { return on_fresh(hello_json(a.session(), "UUUU-1")); }, 0,
       "BAD_REQUEST"},
      {"ws: hello with an unknown session", [&] { return on_fresh(hello_json(all_ff, a.chair_code())); }, 0,
       "NOT_FOUND"},
      {"ws: chair hello with session B's chair code", [&] { return on_fresh(hello_json(a.session(), b.chair_code())); },
       0, "UNAUTHORIZED"},
      {"ws: hello with an unknown device secret",
       [&] {
         return on_fresh(R"({"id":1,"type":"hello","session":")" + a.session() + R"(","device":")" + zeros + "\"}");
       },
       0, "UNAUTHORIZED"},
      {"ws: a second check-in of m004 from another device",
       [&] {
         auto c = fresh_ws();
         return of_ws(
             a.hello_with_code(*c, m(4), a.tablet_of(m(4)).code, crypto::signing_key::generate(crypto::os_random())));
       },
       0, "CODE_USED"},
      {"ws: m006's code signed for m007",
       [&] {
         auto c = fresh_ws();
         return of_ws(a.hello_with_code(*c, m(7), a.tablet_of(m(6)).code, a.tablet_of(m(6)).device));
       },
       0, "INVALID_SIGNATURE"},
      {"ws: a second hello", [&] { return of_ws(member_ws(7).send_raw(hello_json(a.session(), a.chair_code()))); }, 0,
       "BAD_REQUEST"},
      {"ws: an unknown request type", [&] { return as_member(7, json::parse(R"({"type":"vote"})")); }, 0,
       "BAD_REQUEST"},
      // Requests of another role.
      {"ws: open_round from a member", [&] { return as_member(7, json::parse(R"({"type":"open_round","round":3})")); },
       0, "FORBIDDEN"},
      {"ws: close_round from a member",
       [&] { return as_member(7, json::parse(R"({"type":"close_round","round":2})")); }, 0, "FORBIDDEN"},
      {"ws: reveal from a member", [&] { return as_member(7, json::parse(R"({"type":"reveal","round":1})")); }, 0,
       "FORBIDDEN"},
      {"ws: adjourn from a member", [&] { return as_member(7, json::parse(R"({"type":"adjourn"})")); }, 0, "FORBIDDEN"},
      {"ws: trustee_key from a member who is no scrutineer",
       [&] {
         auto k = crypto::trustee_key_from_code(a.sid(), crypto::generate_recovery_code(crypto::os_random())).value();
         json r = json::object();
         r["type"] = "trustee_key";
         r["key"] = k.key.hex();
         r["proof"] = pingyi::test::proof_json(crypto::prove_trustee_key(a.sid(), m(7), k, crypto::os_random()));
         return as_member(7, r);
       },
       0, "FORBIDDEN"},
      {"ws: decryption from a member",
       [&] { return as_member(7, json::parse(R"({"type":"decryption","round":1,"shares":[]})")); }, 0, "FORBIDDEN"},
      // Tokens and declarations.
      {"ws: token with an identity blinded",
       [&] { return as_member(7, token_json(2, zeros, a.tablet_of(m(7)).device, fresh_blinded.element)); }, 0,
       "INVALID_POINT"},
      {"ws: token with a non-canonical blinded",
       [&] { return as_member(7, token_json(2, all_ff, a.tablet_of(m(7)).device, fresh_blinded.element)); }, 0,
       "INVALID_POINT"},
      {"ws: token signed by another member's device",
       [&] {
         return as_member(7,
                          token_json(2, fresh_blinded.element.hex(), a.tablet_of(m(8)).device, fresh_blinded.element));
       },
       0, "INVALID_SIGNATURE"},
      {"ws: token for the closed round",
       [&] {
         return as_member(7,
                          token_json(1, fresh_blinded.element.hex(), a.tablet_of(m(7)).device, fresh_blinded.element));
       },
       0, "ROUND_NOT_OPEN"},
      {"ws: token round 2^40",
       [&] {
         json r = token_json(2, fresh_blinded.element.hex(), a.tablet_of(m(7)).device, fresh_blinded.element);
         r["round"] = 1099511627776ULL;
         return as_member(7, r);
       },
       0, "BAD_REQUEST"},
      {"ws: a second, different token for m003",
       [&] {
         return as_member(3,
                          token_json(2, fresh_blinded.element.hex(), a.tablet_of(m(3)).device, fresh_blinded.element));
       },
       0, "ALREADY_ISSUED"},
      {"ws: voted without a token",
       [&] {
         json r = json::object();
         r["type"] = "voted";
         r["round"] = 2;
         r["sig"] = crypto::sign_voted(a.tablet_of(m(7)).device, a.sid(), 2).hex();
         return as_member(7, r);
       },
       0, "FORBIDDEN"},
      {"ws: voted signed by another device",
       [&] {
         json r = json::object();
         r["type"] = "voted";
         r["round"] = 2;
         r["sig"] = crypto::sign_voted(a.tablet_of(m(8)).device, a.sid(), 2).hex();
         return as_member(6, r);
       },
       0, "INVALID_SIGNATURE"},
      {"ws: voted for the closed round",
       [&] {
         json r = json::object();
         r["type"] = "voted";
         r["round"] = 1;
         r["sig"] = crypto::sign_voted(a.tablet_of(m(1)).device, a.sid(), 1).hex();
         return as_member(1, r);
       },
       0, "ROUND_NOT_OPEN"},
      // The chair out of phase.
      {"ws: open_round while round 2 is open", [&] { return chair("open_round", 3u); }, 0, "FORBIDDEN"},
      {"ws: reveal a round without a result", [&] { return chair("reveal", 2u); }, 0, "FORBIDDEN"},
      {"ws: open an unknown round", [&] { return chair("open_round", 99u); }, 0, "NOT_FOUND"},
      {"ws: close a round that is not open", [&] { return chair("close_round", 3u); }, 0, "ROUND_NOT_OPEN"},
      {"ws: seal_key a second time", [&] { return chair("seal_key", std::nullopt); }, 0, "FORBIDDEN"},
      {"ws: adjourn while a round is open", [&] { return chair("adjourn", std::nullopt); }, 0, "FORBIDDEN"},
      // Oversized and binary frames, refused upgrades.
      {"ws: a message over 1 MiB",
       [&] {
         return ws_closed_by([&](pingyi::test::ws_client& c) {
           return c.send(hello_json(a.session(), std::string((1u << 20) + 16, 'A')));
         });
       },
       0, "CLOSED-1009"},
      {"ws: a binary frame",
       [&] { return ws_closed_by([](pingyi::test::ws_client& c) { return c.send_binary("\x01\x02"); }); }, 0,
       "CLOSED-1003"},
      {"observe: an unknown session",
       [&] {
         try {
           pingyi::test::ws_client c(port_, "/observe?session=" + all_ff);
           return outcome{0, "UPGRADED"};
         } catch (const std::exception&) {
           return outcome{0, "REFUSED"};
         }
       },
       0, "REFUSED"},
  };

  // ---- run them ------------------------------------------------------------------------------
  std::size_t tried = 0;
  for (const auto& c : catalogue) {
    SCOPED_TRACE(c.name);
    const std::string chain_before = a.chain_text();
    const std::string sessions_before = pingyi::test::http_call(port_, "GET", "/api/sessions").body;
    outcome got;
    try {
      got = c.run();
    } catch (const std::exception& e) {
      got = outcome{0, std::string("EXCEPTION: ") + e.what()};
    }
    ++tried;
    EXPECT_EQ(got.code, c.code);
    if (c.status != 0) {
      EXPECT_EQ(got.status, c.status);
    }
    ASSERT_TRUE(server_->running()) << "the server died:\n" << server_->errors();
    EXPECT_EQ(a.chain_text(), chain_before) << "the case changed the chain";
    EXPECT_EQ(pingyi::test::http_call(port_, "GET", "/api/sessions").body, sessions_before);
    EXPECT_EQ(error_code_of(a.declare(m(5), 2)), "OK") << "the well-behaved tablet was not served";
  }
  std::cout << "[ figures  ] " << tried << " hostile cases tried" << std::endl;
  RecordProperty("cases", std::to_string(tried));
  EXPECT_GE(tried, 60u);

  // Everyone else can still finish the round, and the chain verifies.
  const auto v7 = a.take_token(m(7), 2);
  EXPECT_EQ(a.cast_raw(pingyi::test::ballot_json(a.build(v7, 2, 2)).dump()).status, 200u);
  EXPECT_EQ(a.cast_raw(good.dump()).status, 200u) << "m006's ballot, the template of the mutations";
  EXPECT_EQ(a.cast_raw(pingyi::test::ballot_json(a.build(v4, 2, 0)).dump()).status, 200u)
      << "m004's token survived the replayed alpha";
  EXPECT_EQ(error_code_of(a.chair_request("close_round", 2u)), "OK");
  ASSERT_TRUE(pingyi::test::eventually([&] { return a.records_of("result").size() == 2; }, 20s));
  EXPECT_EQ(a.records_of("result").back()["ballots"], 4);
  const auto checked = pingyi::verify::check_chain(a.chain_lines(), 2);
  EXPECT_FALSE(checked.failure.has_value());
}

// A flood on one WebSocket: 2,000 requests as fast as the client can write them. The rate limit
// (a bucket of 200, 50/s) and the queue bound (64 waiting) drop the excess with RATE_LIMITED;
// the server neither dies nor changes anything, and another tablet is served meanwhile.
TEST_F(HostileInput, FloodOfRequestsOnOneConnectionIsRateLimitedAndOthersAreServed) {
  live_committee a(port_, admin_);
  ASSERT_NO_THROW(a.create(3, 0, json::array({live_committee::evaluation_round()})));
  for (std::size_t i = 1; i <= 3; ++i) ASSERT_NO_THROW(a.check_in(live_committee::member_id(i)));
  const std::string chain_before = a.chain_text();

  pingyi::test::ws_client flood(port_, "/ws");
  json hello = json::object();
  hello["id"] = 0;
  hello["type"] = "hello";
  hello["session"] = a.session();
  hello["device"] = a.tablet_of("m001").device_secret;
  ASSERT_TRUE(flood.send(hello.dump()));
  constexpr std::size_t messages = 2000;
  for (std::size_t i = 1; i <= messages; ++i) {
    // A request that writes nothing: a declaration for a round that is not open.
    json r = json::object();
    r["id"] = i;
    r["type"] = "voted";
    r["round"] = 1;
    r["sig"] = std::string(128, '0');
    if (!flood.send(r.dump())) break;
  }
  // Meanwhile another tablet is served.
  EXPECT_EQ(error_code_of(a.declare("m002", 1)), "ROUND_NOT_OPEN");
  std::size_t replies = 0;
  std::size_t rate_limited = 0;
  while (auto text = flood.receive(3s)) {
    const json j = json::parse(*text, nullptr, false);
    if (!j.is_object()) continue;
    if (j.contains("id")) ++replies;
    if (error_code_of(j) == "RATE_LIMITED") ++rate_limited;
  }
  std::cout << "[ figures  ] flood of " << messages << " messages: " << replies << " replies, " << rate_limited
            << " RATE_LIMITED" << std::endl;
  EXPECT_GT(rate_limited, 0u);
  EXPECT_LT(replies, messages);
  EXPECT_TRUE(server_->running());
  EXPECT_EQ(a.chain_text(), chain_before);
  EXPECT_EQ(error_code_of(a.declare("m003", 1)), "ROUND_NOT_OPEN");
  EXPECT_EQ(pingyi::test::http_call(port_, "GET", "/healthz").status, 200u);
}

}  // namespace
