// Tests of the protocol's JSON codecs (server/net/src/wire.hpp): a cast ballot decoded exactly,
// every bad field refused with its catalogue code and its name, the admin bodies with their
// defaults, the /ws requests, and the shapes of replies and pushes.
#include "wire.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "pingyi/crypto/init.hpp"
#include "pingyi/crypto/random.hpp"
#include "pingyi/crypto/scalar.hpp"
#include "pingyi/net/transport.hpp"

namespace pingyi::net::wire {
namespace {

json scalars(const std::vector<crypto::scalar>& v) {
  json a = json::array();
  for (const auto& s : v) a.push_back(s.hex());
  return a;
}

json encode(const crypto::ballot& b) {
  json j = json::object();
  j["round"] = b.round;
  j["vk"] = b.vk.hex();
  j["token"] = b.token.hex();
  j["contests"] = json::array();
  for (const auto& c : b.contests) {
    json contest = json::object();
    contest["id"] = c.id;
    contest["selections"] = json::array();
    for (const auto& s : c.selections) {
      json sel = json::object();
      sel["alpha"] = s.ct.alpha.hex();
      sel["beta"] = s.ct.beta.hex();
      sel["proof"] = json::object({{"c", scalars(s.proof.c)}, {"s", scalars(s.proof.s)}});
      contest["selections"].push_back(std::move(sel));
    }
    contest["limit_proof"] = json::object({{"c", scalars(c.limit_proof.c)}, {"s", scalars(c.limit_proof.s)}});
    j["contests"].push_back(std::move(contest));
  }
  j["sig"] = b.sig.hex();
  return j;
}

class Wire : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(crypto::init()); }

  Wire() {
    auto& rng = crypto::os_random();
    sid_.fill(7);
    const auto x = crypto::scalar::random_non_zero(rng);
    const auto n = crypto::scalar::random_non_zero(rng);
    const std::vector<crypto::contest_spec> specs = {{"d1", 3, 1, 1}, {"d2", 3, 1, 1}};
    ballot_ = crypto::build_ballot(sid_, 1, crypto::signing_key::generate(rng), crypto::point::mul_base(n),
                                   crypto::point::mul_base(x), specs, {{1, 0, 0}, {0, 0, 1}}, rng)
                  .value();
  }

  crypto::session_id sid_{};
  crypto::ballot ballot_;
};

// Concatenation without operator+ on temporaries (GCC 12 reports a false -Wrestrict there).
std::string cat(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (const auto p : parts) out.append(p);
  return out;
}

const std::string zero_point(64, '0');
const std::string not_a_point(64, 'f');                // not canonical
const std::string above_order = std::string(64, 'f');  // ≥ ℓ as a scalar

TEST_F(Wire, DecodesACastBallotExactly) {
  const auto decoded = decode_ballot(encode(ballot_));
  ASSERT_TRUE(decoded.ok()) << core::describe(decoded.error());
  EXPECT_EQ(*decoded, ballot_);
}

TEST_F(Wire, RefusesEachBadBallotFieldWithItsCodeAndName) {
  struct bad_case {
    const char* what;
    std::function<void(json&)> change;
    const char* code;
    const char* field;
  };
  const std::vector<bad_case> cases = {
      {"not an object", [](json& j) { j = json::array(); }, "BAD_REQUEST", ""},
      {"unknown key", [](json& j) { j["receipt"] = 1; }, "BAD_REQUEST", "receipt"},
      {"missing round", [](json& j) { j.erase("round"); }, "BAD_REQUEST", "round"},
      {"round as text", [](json& j) { j["round"] = "1"; }, "BAD_REQUEST", "round"},
      {"negative round", [](json& j) { j["round"] = -1; }, "BAD_REQUEST", "round"},
      {"fractional round", [](json& j) { j["round"] = 1.5; }, "BAD_REQUEST", "round"},
      {"round above 32 bits", [](json& j) { j["round"] = 4294967296ull; }, "BAD_REQUEST", "round"},
      {"upper-case vk",
       [](json& j) {
         for (auto& ch : j["vk"].get_ref<std::string&>())
           ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
       },
       "BAD_REQUEST", "vk"},
      {"short vk", [](json& j) { j["vk"] = "abcd"; }, "BAD_REQUEST", "vk"},
      {"zero vk", [](json& j) { j["vk"] = zero_point; }, "INVALID_POINT", "vk"},
      {"identity token", [](json& j) { j["token"] = zero_point; }, "INVALID_POINT", "token"},
      {"non-canonical token", [](json& j) { j["token"] = not_a_point; }, "INVALID_POINT", "token"},
      {"contests not a list", [](json& j) { j["contests"] = json::object(); }, "BAD_REQUEST", "contests"},
      {"empty contest id", [](json& j) { j["contests"][0]["id"] = ""; }, "BAD_REQUEST", "contests[0].id"},
      {"65-byte contest id", [](json& j) { j["contests"][1]["id"] = std::string(65, 'x'); }, "BAD_REQUEST",
       "contests[1].id"},
      {"unknown contest key", [](json& j) { j["contests"][1]["sum"] = 0; }, "BAD_REQUEST", "contests[1].sum"},
      {"identity alpha", [](json& j) { j["contests"][0]["selections"][1]["alpha"] = zero_point; }, "INVALID_POINT",
       "contests[0].selections[1].alpha"},
      {"non-canonical beta", [](json& j) { j["contests"][1]["selections"][2]["beta"] = not_a_point; }, "INVALID_POINT",
       "contests[1].selections[2].beta"},
      {"selection not an object", [](json& j) { j["contests"][0]["selections"][0] = 1; }, "BAD_REQUEST",
       "contests[0].selections[0]"},
      {"scalar above the order", [](json& j) { j["contests"][1]["selections"][0]["proof"]["c"][1] = above_order; },
       "BAD_REQUEST", "contests[1].selections[0].proof.c[1]"},
      {"proof without s", [](json& j) { j["contests"][0]["selections"][2]["proof"].erase("s"); }, "BAD_REQUEST",
       "contests[0].selections[2].proof.s"},
      {"missing limit proof", [](json& j) { j["contests"][0].erase("limit_proof"); }, "BAD_REQUEST",
       "contests[0].limit_proof"},
      {"limit proof list not a list", [](json& j) { j["contests"][1]["limit_proof"]["s"] = "00"; }, "BAD_REQUEST",
       "contests[1].limit_proof.s"},
      {"signature too short", [](json& j) { j["sig"] = std::string(126, 'a'); }, "BAD_REQUEST", "sig"},
      {"signature not hex", [](json& j) { j["sig"] = std::string(128, 'g'); }, "BAD_REQUEST", "sig"},
  };
  for (const auto& c : cases) {
    json j = encode(ballot_);
    c.change(j);
    const auto decoded = decode_ballot(j);
    ASSERT_FALSE(decoded.ok()) << c.what;
    EXPECT_EQ(core::to_string(decoded.error().code), c.code) << c.what << ": " << core::describe(decoded.error());
    EXPECT_EQ(decoded.error().field, c.field) << c.what << ": " << core::describe(decoded.error());
  }
}

TEST(WireParse, RefusesDuplicateKeysDeepNestingAndOversizedText) {
  EXPECT_TRUE(parse(R"({"a":1,"b":{"a":2}})").ok());
  const auto twice = parse(R"({"round":1,"round":2})");
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().field, "round");
  EXPECT_FALSE(parse("[[[[[[[[[1]]]]]]]]]").ok());
  EXPECT_TRUE(parse("[[[[[[[[1]]]]]]]]").ok());
  EXPECT_FALSE(parse("{\"a\":").ok());
  EXPECT_FALSE(parse("\"\xff\"").ok());  // not UTF-8
  const auto large = parse(std::string(net::max_message_bytes + 1, ' '));
  ASSERT_FALSE(large.ok());
  EXPECT_EQ(large.error().code, core::error_code::payload_too_large);
}

TEST(WireSession, DecodesDefaultsAndNamesNestedFields) {
  const json body = json::parse(R"({
    "title": "t", "committee": "c", "date": "2026-11-23",
    "members": [{"id": "m01", "name": "张伟"}, {"id": "m02", "name": "王芳", "seat": "2"}],
    "rounds": [{"title": "r", "kind": "evaluation",
                "contests": [{"id": "d1", "title": "x", "options": ["满意", "基本满意", "不满意"], "min": 1, "max": 1}]}]
  })");
  const auto decoded = decode_session_request(body);
  ASSERT_TRUE(decoded.ok()) << core::describe(decoded.error());
  EXPECT_EQ(decoded->setup.quorum, (core::quorum{1, 2}));
  EXPECT_TRUE(decoded->setup.scrutineers.empty());
  EXPECT_EQ(decoded->setup.members[0].seat, "");
  EXPECT_EQ(decoded->setup.members[1].seat, "2");
  ASSERT_EQ(decoded->rounds.size(), 1u);
  EXPECT_EQ(decoded->rounds[0].rule, core::default_rule(core::round_kind::evaluation, 3));

  json bad = body;
  bad["rounds"][0]["kind"] = "poll";
  EXPECT_EQ(decode_session_request(bad).error().field, "rounds[0].kind");
  bad = body;
  bad["rounds"][0]["contests"][0]["max"] = 4;
  EXPECT_EQ(decode_session_request(bad).error().field, "rounds[0].contests[0].max");
  bad = body;
  bad["rounds"][0]["rule"] = json::parse(R"({"weights": [100, 60, "0"]})");
  EXPECT_EQ(decode_session_request(bad).error().field, "rounds[0].rule.weights[2]");
  bad = body;
  bad["quorum"] = json::parse(R"({"num": 1})");
  EXPECT_EQ(decode_session_request(bad).error().field, "quorum.den");
  bad = body;
  bad["members"][1]["id"] = 2;
  EXPECT_EQ(decode_session_request(bad).error().field, "members[1].id");

  // One round, or a list of them.
  const auto one = decode_rounds_request(body["rounds"][0]);
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->size(), 1u);
  json list = json::object();
  list["rounds"] = body["rounds"];
  list["rounds"].push_back(body["rounds"][0]);
  list["rounds"][1]["title"] = 5;
  EXPECT_EQ(decode_rounds_request(list).error().field, "rounds[1].title");
}

TEST(WireWebSocket, DecodesRequestsAndKeepsTheIdOfABadOne) {
  ASSERT_TRUE(crypto::init());
  const std::string sid(64, 'a');
  const auto device = crypto::signing_key::generate(crypto::os_random());

  auto hello = decode_ws_message(json::object({{"id", 1},
                                               {"type", "hello"},
                                               {"session", sid},
                                               {"code", "abcd-efgh-jkmn"},
                                               {"device_key", device.public_key().hex()},
                                               {"sig", std::string(128, '0')}})
                                     .dump());
  ASSERT_TRUE(hello.ok()) << core::describe(hello.error().error);
  const auto* member = std::get_if<hello_member>(&hello->request);
  ASSERT_NE(member, nullptr);
  EXPECT_EQ(member->code, "ABCDEFGHJKMN");
  EXPECT_FALSE(member->from.has_value());

  auto chair = decode_ws_message(
      json::object({{"id", "c1"}, {"type", "hello"}, {"session", sid}, {"code", "ABCDEFGHJKMN"}, {"from", 3}}).dump());
  ASSERT_TRUE(chair.ok());
  EXPECT_EQ(chair->id, "c1");
  EXPECT_EQ(std::get<hello_chair>(chair->request).from, 3u);

  auto reconnect = decode_ws_message(
      json::object({{"id", 2}, {"type", "hello"}, {"session", sid}, {"device", std::string(64, '1')}}).dump());
  ASSERT_TRUE(reconnect.ok());
  EXPECT_TRUE(std::holds_alternative<hello_device>(reconnect->request));

  struct bad_case {
    std::string text;
    json id;
    const char* code;
    const char* field;
  };
  const std::vector<bad_case> cases = {
      {"{", nullptr, "BAD_REQUEST", ""},
      {R"({"type":"leave"})", nullptr, "BAD_REQUEST", "id"},
      {R"({"id":[1],"type":"leave"})", nullptr, "BAD_REQUEST", "id"},
      {R"({"id":4})", 4, "BAD_REQUEST", "type"},
      {R"({"id":5,"type":"vote"})", 5, "BAD_REQUEST", "type"},
      {R"({"id":6,"type":"leave","now":true})", 6, "BAD_REQUEST", "now"},
      {R"({"id":7,"type":"open_round","round":"1"})", 7, "BAD_REQUEST", "round"},
      {R"({"id":8,"type":"hello","session":"AB","code":"x"})", 8, "NOT_FOUND", "session"},
      {cat({R"({"id":9,"type":"hello","session":")", sid, R"(","code":"UUUU-UUUU-UUUU"})"}), 9, "BAD_REQUEST", "code"},
      {cat({R"({"id":10,"type":"hello","session":")", sid, R"(","code":"ABCDEFGHJKMN","device_key":")",
            device.public_key().hex(), R"("})"}),
       10, "BAD_REQUEST", "sig"},
      {cat({R"({"id":11,"type":"hello","session":")", sid, R"(","device":")", std::string(64, '1'),
            R"(","code":"ABCDEFGHJKMN"})"}),
       11, "BAD_REQUEST", "code"},
      {cat({R"({"id":12,"type":"token","round":1,"blinded":")", zero_point, R"(","request_sig":")",
            std::string(128, '0'), R"("})"}),
       12, "INVALID_POINT", "blinded"},
      {cat({R"({"id":13,"type":"decryption","round":1,"shares":[{"id":"d1","options":[{"share":")", not_a_point,
            R"(","proof":{"c":")", zero_point, R"(","s":")", zero_point, R"("}}]}]})"}),
       13, "INVALID_POINT", "shares[0].options[0].share"},
  };
  for (const auto& c : cases) {
    const auto decoded = decode_ws_message(c.text);
    ASSERT_FALSE(decoded.ok()) << c.text;
    EXPECT_EQ(decoded.error().id, c.id) << c.text;
    EXPECT_EQ(core::to_string(decoded.error().error.code), c.code)
        << c.text << ": " << core::describe(decoded.error().error);
    EXPECT_EQ(decoded.error().error.field, c.field) << c.text << ": " << core::describe(decoded.error().error);
  }

  // A share may be the identity (§3.4).
  const auto identity_share =
      decode_ws_message(cat({R"({"id":14,"type":"decryption","round":1,"shares":[{"id":"d1","options":[{"share":")",
                             zero_point, R"(","proof":{"c":")", zero_point, R"(","s":")", zero_point, R"("}}]}]})"}));
  EXPECT_TRUE(identity_share.ok());
}

TEST(WireReplies, HaveTheDocumentedShapes) {
  const auto e = core::fail(core::error_code::round_not_open, "round", "is not open");
  EXPECT_EQ(error_body(e), R"({"ok":false,"error":{"code":"ROUND_NOT_OPEN","message":"round: is not open"}})");
  EXPECT_EQ(ws_reply(3, core::result<json>(e)),
            R"({"id":3,"ok":false,"error":{"code":"ROUND_NOT_OPEN","message":"round: is not open"}})");
  EXPECT_EQ(ws_reply(3, core::result<json>(json::object({{"seq", 9}}))), R"({"id":3,"ok":true,"seq":9})");
  EXPECT_EQ(ok_body(json::object({{"seq", 9}})), R"({"ok":true,"seq":9})");
  EXPECT_EQ(progress_push(progress{std::nullopt, 3, 0, 0, 0}),
            R"({"type":"progress","round":null,"present":3,"tokens":0,"ballots":0,"voted":0})");
  EXPECT_EQ(record_push(4, R"({"seq":4})", crypto::signature{}),
            std::string(R"({"type":"record","seq":4,"line":"{\"seq\":4}","sig":")").append(128, '0').append("\"}"));

  EXPECT_EQ(http_status(core::error_code::bad_request), 400u);
  EXPECT_EQ(http_status(core::error_code::duplicate_ciphertext), 400u);
  EXPECT_EQ(http_status(core::error_code::invalid_signature), 400u);
  EXPECT_EQ(http_status(core::error_code::unauthorized), 401u);
  EXPECT_EQ(http_status(core::error_code::code_used), 403u);
  EXPECT_EQ(http_status(core::error_code::not_found), 404u);
  EXPECT_EQ(http_status(core::error_code::token_spent), 409u);
  EXPECT_EQ(http_status(core::error_code::quorum_not_met), 409u);
  EXPECT_EQ(http_status(core::error_code::payload_too_large), 413u);
  EXPECT_EQ(http_status(core::error_code::rate_limited), 429u);
  EXPECT_EQ(http_status(core::error_code::internal), 500u);
}

}  // namespace
}  // namespace pingyi::net::wire
