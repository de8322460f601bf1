// Tests of the protocol layer (DESIGN.md §4, §5) through request_handler, in-process: the admin
// API, check-in codes and device secrets, a whole session with anonymous ballots, automatic
// decryption and results, idempotent casts, durability before replies, restart and refusal of a
// broken chain, and the roles of /ws.
#include <gtest/gtest.h>

#include <future>
#include <set>

#include "pingyi/core/session_engine.hpp"
#include "pingyi/store/replay.hpp"
#include "pingyi/store/secrets_file.hpp"
#include "service_harness.hpp"

namespace pingyi::net::test {
namespace {

class Service : public ::testing::Test {
 protected:
  service_harness h_;
};

// The counts of each contest in the round's result record.
std::vector<std::vector<std::uint32_t>> result_counts(live_committee& c, std::uint32_t round) {
  for (const auto& rec : c.records()) {
    const auto* r = std::get_if<core::result_body>(&rec.body);
    if (r == nullptr || r->round != round) continue;
    std::vector<std::vector<std::uint32_t>> counts;
    for (const auto& contest : r->contests) {
      std::visit([&](const auto& x) { counts.push_back(x.counts); }, contest);
    }
    return counts;
  }
  throw std::runtime_error("no result for round " + std::to_string(round));
}

std::size_t count_records(live_committee& c, std::string_view type) {
  std::size_t n = 0;
  for (const auto& rec : c.records()) n += core::record_type_name(rec.body) == type ? 1 : 0;
  return n;
}

// Everything up to an open round 1: all five present, both scrutineers' keys, sealed.
void open_first_round(live_committee& c) {
  c.chair();
  for (const char* m : {"m01", "m02", "m03", "m04", "m05"}) c.check_in(m);
  c.publish_trustee_key("m01", "0123456789ABCDEFGHJK");
  c.publish_trustee_key("m02", "MNPQRSTVWXYZ01234567");
  ASSERT_EQ(error_code_of(c.chair_request("seal_key")), "OK");
  ASSERT_EQ(error_code_of(c.chair_request("open_round", 1)), "OK");
}

// ---- plain HTTP -------------------------------------------------------------------------------

TEST_F(Service, HealthAndMetricsAnswerAndUnknownPathsAreNotFound) {
  const auto health = h_.http("GET", "/healthz");
  EXPECT_EQ(health.status, 200u);
  EXPECT_EQ(json::parse(health.body), json::parse(R"({"ok":true})"));

  const auto metrics = h_.http("GET", "/metrics");
  EXPECT_EQ(metrics.status, 200u);
  EXPECT_EQ(metrics.content_type, "text/plain; version=0.0.4");

  const json missing = h_.http_json("GET", "/api/nothing");
  EXPECT_EQ(missing["_status"], 404);
  EXPECT_EQ(error_code_of(missing), "NOT_FOUND");
  const json wrong_method = h_.http_json("DELETE", "/healthz");
  EXPECT_EQ(wrong_method["_status"], 405);
  EXPECT_EQ(error_code_of(wrong_method), "BAD_REQUEST");
  const json unknown_session = h_.http_json("GET", std::string("/api/sessions/").append(64, 'a').append("/head"));
  EXPECT_EQ(unknown_session["_status"], 404);
  const json upper_case = h_.http_json("GET", std::string("/api/sessions/").append(64, 'A').append("/head"));
  EXPECT_EQ(upper_case["_status"], 404);
}

TEST_F(Service, AdminCallsNeedTheBearerToken) {
  const std::string body = session_request_json().dump();
  const auto missing = h_.http("POST", "/api/sessions", body);
  EXPECT_EQ(missing.status, 401u);
  EXPECT_EQ(json::parse(missing.body)["error"]["code"], "UNAUTHORIZED");

  const auto wrong = h_.http("POST", "/api/sessions", body, "Bearer not-the-token");
  EXPECT_EQ(wrong.status, 403u);
  EXPECT_EQ(json::parse(wrong.body)["error"]["code"], "FORBIDDEN");

  const auto right = h_.http("POST", "/api/sessions", body, std::string("Bearer ").append(admin_token));
  EXPECT_EQ(right.status, 200u) << right.body;
  const json created = json::parse(right.body);
  EXPECT_TRUE(created["ok"].get<bool>());
  EXPECT_EQ(created["session"].get<std::string>().size(), 64u);
  EXPECT_EQ(created["codes"].size(), 5u);
  // XXXX-XXXX-XXXX
  EXPECT_EQ(created["chair_code"].get<std::string>().size(), 14u);

  // The reset of a member is admin too.
  const std::string reset =
      std::string("/api/sessions/").append(created["session"].get<std::string>()).append("/members/m01/reset");
  EXPECT_EQ(h_.http("POST", reset).status, 401u);
  EXPECT_EQ(h_.http("POST", reset, "", "Bearer x").status, 403u);
}

TEST_F(Service, SessionCreationRefusesBadFieldsNamingThem) {
  json bad_type = session_request_json();
  bad_type["rounds"][1]["contests"][0]["max"] = "1";
  json reply = h_.admin("POST", "/api/sessions", bad_type);
  EXPECT_EQ(reply["_status"], 400);
  EXPECT_EQ(error_code_of(reply), "BAD_REQUEST");
  EXPECT_EQ(reply["error"]["message"].get<std::string>().rfind("rounds[1].contests[0].max: ", 0), 0u) << reply;

  json unknown = session_request_json();
  unknown["members"][2]["phone"] = "123";
  reply = h_.admin("POST", "/api/sessions", unknown);
  EXPECT_EQ(reply["error"]["message"].get<std::string>().rfind("members[2].phone: ", 0), 0u) << reply;

  json not_on_roster = session_request_json();
  not_on_roster["scrutineers"][1] = "x99";
  reply = h_.admin("POST", "/api/sessions", not_on_roster);
  EXPECT_EQ(reply["error"]["message"].get<std::string>().rfind("scrutineers[1]: ", 0), 0u) << reply;

  json bad_rule = session_request_json();
  bad_rule["rounds"][0]["rule"]["pass_grades"] = 7;
  reply = h_.admin("POST", "/api/sessions", bad_rule);
  EXPECT_EQ(reply["error"]["message"].get<std::string>().rfind("rounds[0].rule.pass_grades: ", 0), 0u) << reply;

  // Nothing was created.
  EXPECT_EQ(h_.http_json("GET", "/api/sessions")["sessions"].size(), 0u);
}

TEST_F(Service, RoundsCanBeAddedLaterAllOrNothing) {
  live_committee c(h_);
  json one = h_.admin("POST", c.path("rounds"), motion_round_json());
  EXPECT_EQ(one["rounds"], json::array({3}));

  // The second round is refused by the engine (a contest id twice), after the first was tried:
  // neither is appended.
  json two = json::object();
  two["rounds"] = json::array({motion_round_json(), evaluation_round_json()});
  two["rounds"][1]["contests"][1]["id"] = "d1";
  const json refused = h_.admin("POST", c.path("rounds"), two);
  EXPECT_EQ(error_code_of(refused), "BAD_REQUEST");
  EXPECT_EQ(refused["error"]["message"].get<std::string>().rfind("rounds[1].contests[1].id: ", 0), 0u) << refused;
  EXPECT_EQ(count_records(c, "round"), 3u);

  two["rounds"][1]["contests"][1]["id"] = "d2";
  const json added = h_.admin("POST", c.path("rounds"), two);
  EXPECT_EQ(added["rounds"], json::array({4, 5})) << added;
  EXPECT_EQ(count_records(c, "round"), 5u);
}

// ---- check-in codes, device secrets, resets ---------------------------------------------------

TEST_F(Service, CheckInCodeWorksOnceAndOnlyForItsDevice) {
  live_committee c(h_);
  auto& t = c.check_in("m03");
  EXPECT_EQ(t.device_secret.size(), 64u);

  // Another device with the spent code.
  auto& other = h_.connect();
  const auto other_device = crypto::signing_key::generate(crypto::os_random());
  const json used = c.hello_with_code(other, "m03", c.code_of("m03"), other_device);
  EXPECT_EQ(error_code_of(used), "CODE_USED") << used;

  // The same device again (its reply was lost): answered as the first time, no new record.
  auto& again = h_.connect();
  const json repeated = c.hello_with_code(again, "m03", c.code_of("m03"), t.device);
  EXPECT_EQ(error_code_of(repeated), "OK") << repeated;
  EXPECT_EQ(repeated["device"], t.device_secret);
  EXPECT_EQ(repeated["role"], "member");
  EXPECT_EQ(repeated["member"], "m03");
  EXPECT_EQ(count_records(c, "check_in"), 1u);

  // Codes are read as people type them: lower case, no dashes.
  std::string typed;
  for (char ch : c.code_of("m04")) {
    if (ch != '-') typed.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(ch))));
  }
  auto& m04 = h_.connect();
  const auto m04_device = crypto::signing_key::generate(crypto::os_random());
  EXPECT_EQ(error_code_of(c.hello_with_code(m04, "m04", typed, m04_device)), "OK");

  // A scrutineer is greeted as one; an unknown code is refused.
  EXPECT_EQ(c.hello_with_code(h_.connect(), "m01", c.code_of("m01"),
                              crypto::signing_key::generate(crypto::os_random()))["role"],
            "scrutineer");
  EXPECT_EQ(error_code_of(c.hello_with_code(h_.connect(), "m05", "0000-0000-0000", t.device)), "UNAUTHORIZED");
  // A check-in signature over another member is refused.
  EXPECT_EQ(error_code_of(c.hello_with_code(h_.connect(), "m02", c.code_of("m05"), t.device)), "INVALID_SIGNATURE");
}

TEST_F(Service, DeviceSecretReconnectsAndChecksTheMemberBackInAfterLeaving) {
  live_committee c(h_);
  auto& t = c.check_in("m03");

  json hello = json::object();
  hello["type"] = "hello";
  hello["session"] = c.hex();
  hello["device"] = t.device_secret;
  const json back = h_.connect().request(hello);
  EXPECT_EQ(error_code_of(back), "OK") << back;
  EXPECT_EQ(back["member"], "m03");
  EXPECT_EQ(back["device"], t.device_secret);  // still present: nothing changed
  EXPECT_EQ(count_records(c, "check_in"), 1u);

  json leave = json::object();
  leave["type"] = "leave";
  EXPECT_EQ(error_code_of(t.ws->request(leave)), "OK");
  EXPECT_EQ(count_records(c, "check_out"), 1u);

  // The tablet comes back: checked in again with its device key and its signature.
  const json returned = h_.connect().request(hello);
  EXPECT_EQ(error_code_of(returned), "OK") << returned;
  EXPECT_EQ(count_records(c, "check_in"), 2u);
  const auto latest = c.last_record_of<core::check_in_body>();
  EXPECT_EQ(latest->first.device_key, t.device.public_key());
  // Each check_in record rotates the secret; the old one no longer works.
  EXPECT_NE(returned["device"], t.device_secret);
  EXPECT_EQ(error_code_of(h_.connect().request(hello)), "UNAUTHORIZED");
  hello["device"] = returned["device"];
  EXPECT_EQ(error_code_of(h_.connect().request(hello)), "OK");

  hello["device"] = std::string(64, '0');
  EXPECT_EQ(error_code_of(h_.connect().request(hello)), "UNAUTHORIZED");
}

TEST_F(Service, ResetGivesANewCodeAndRevokesTheOldDevice) {
  live_committee c(h_);
  auto& t = c.check_in("m03");
  const json reset = h_.admin("POST", c.path("members/m03/reset"));
  ASSERT_EQ(error_code_of(reset), "OK") << reset;
  EXPECT_EQ(reset["member"], "m03");
  const std::string code = reset["code"].get<std::string>();
  EXPECT_NE(code, c.code_of("m03"));
  // The revoked tablet's connection is closed, and its secret no longer reconnects.
  EXPECT_TRUE(t.ws->connection->wait_until([&](const auto&) { return t.ws->connection->closed(); }));
  json hello = json::object();
  hello["type"] = "hello";
  hello["session"] = c.hex();
  hello["device"] = t.device_secret;
  EXPECT_EQ(error_code_of(h_.connect().request(hello)), "UNAUTHORIZED");
  // The old code is dead; the new one checks in a new device, whose key replaces the old.
  const auto device = crypto::signing_key::generate(crypto::os_random());
  EXPECT_EQ(error_code_of(c.hello_with_code(h_.connect(), "m03", c.code_of("m03"), device)), "UNAUTHORIZED");
  EXPECT_EQ(error_code_of(c.hello_with_code(h_.connect(), "m03", code, device)), "OK");
  EXPECT_EQ(c.last_record_of<core::check_in_body>()->first.device_key, device.public_key());

  EXPECT_EQ(error_code_of(h_.admin("POST", c.path("members/nobody/reset"))), "NOT_FOUND");
  // Member ids in paths are percent-decoded.
  const json checked_out = h_.admin("POST", c.path("members/%6d03/check_out"));
  EXPECT_EQ(error_code_of(checked_out), "OK") << checked_out;
}

// ---- the whole session ------------------------------------------------------------------------

TEST_F(Service, WholeSessionCountsEqualTheChoices) {
  live_committee c(h_);
  open_first_round(c);

  const std::map<std::string, crypto::ballot_choices> votes = {
      {"m01", {{1, 0, 0}, {0, 1, 0}}}, {"m02", {{1, 0, 0}, {0, 0, 1}}}, {"m03", {{0, 1, 0}, {1, 0, 0}}}};
  std::map<std::string, voter> voters;
  for (const char* m : {"m01", "m02", "m03", "m04"}) voters.emplace(m, c.take_token(m, 1));
  for (const auto& [member, choices] : votes) {
    const json receipt = c.cast(c.build(voters.at(member), 1, choices));
    ASSERT_EQ(error_code_of(receipt), "OK") << receipt;
    const auto& r = receipt["receipt"];
    const auto hash = crypto::from_hex_fixed<32>(r["hash"].get<std::string>()).value();
    const auto sig = crypto::signature::from_hex(r["sig"].get<std::string>()).value();
    EXPECT_TRUE(crypto::verify_head(c.server_key(), c.sid(), r["seq"].get<std::uint64_t>(), hash, sig));
  }
  EXPECT_EQ(error_code_of(c.declare("m02", 1)), "OK");
  EXPECT_EQ(error_code_of(c.declare("m01", 1)), "OK");
  EXPECT_EQ(error_code_of(c.declare("m01", 1)), "OK");  // a repeat after a reconnect

  const json closed = c.chair_request("close_round", 1);
  ASSERT_EQ(error_code_of(closed), "OK") << closed;
  // The server decrypts at once; the scrutineers follow; the result is written automatically.
  c.chair().wait_for_record("decryption");
  EXPECT_EQ(error_code_of(c.decrypt("m02", 1)), "OK");
  EXPECT_EQ(error_code_of(c.decrypt("m01", 1)), "OK");
  const auto result = c.chair().wait_for_record("result");
  EXPECT_EQ(std::get<core::result_body>(result.body).undeclared, 1);
  EXPECT_EQ(result_counts(c, 1), (std::vector<std::vector<std::uint32_t>>{{2, 1, 0}, {1, 1, 1}}));
  const auto round_closed = c.last_record_of<core::round_closed_body>()->first;
  ASSERT_EQ(round_closed.voted.size(), 2u);
  EXPECT_EQ(round_closed.voted[0].member, "m01");
  EXPECT_EQ(round_closed.ballots, 3u);
  EXPECT_EQ(round_closed.tokens, 4u);
  EXPECT_EQ(error_code_of(c.chair_request("reveal", 1)), "OK");

  // Round 2 without a ballot: the result follows the close directly.
  json leave = json::object();
  leave["type"] = "leave";
  EXPECT_EQ(error_code_of(c.tablet_of("m05").ws->request(leave)), "OK");
  EXPECT_EQ(error_code_of(c.chair_request("open_round", 2)), "OK");
  EXPECT_EQ(error_code_of(c.chair_request("close_round", 2)), "OK");
  c.chair().wait_for_record("result", 2);
  EXPECT_EQ(error_code_of(c.chair_request("reveal", 2)), "OK");
  EXPECT_EQ(error_code_of(c.chair_request("adjourn")), "OK");
  EXPECT_EQ(result_counts(c, 2), (std::vector<std::vector<std::uint32_t>>{{0, 0, 0}}));

  // Every record replays through apply, as a verifier would check it.
  const auto state = h_.replay(c.sid());
  EXPECT_TRUE(state.adjourned);
  EXPECT_EQ(count_records(c, "decryption"), 3u);
  // The chair saw every record after its hello pushed, in order.
  const auto pushes = c.chair().pushes("record");
  ASSERT_FALSE(pushes.empty());
  for (std::size_t i = 1; i < pushes.size(); ++i) {
    EXPECT_EQ(pushes[i]["seq"].get<std::uint64_t>(), pushes[i - 1]["seq"].get<std::uint64_t>() + 1);
  }
  EXPECT_EQ(pushes.back()["seq"].get<std::uint64_t>() + 1, state.length);
  // And progress was pushed.
  EXPECT_FALSE(c.chair().pushes("progress").empty());
}

TEST_F(Service, RecastOfTheSameBallotGetsTheSameReceiptAndAnotherIsTokenSpent) {
  live_committee c(h_);
  open_first_round(c);
  const auto v = c.take_token("m03", 1);
  const auto ballot = c.build(v, 1, {{1, 0, 0}, {0, 1, 0}});
  const json first = c.cast(ballot);
  ASSERT_EQ(error_code_of(first), "OK") << first;
  const json second = c.cast(ballot);
  EXPECT_EQ(second["receipt"], first["receipt"]);
  EXPECT_EQ(count_records(c, "ballot"), 1u);

  const json other = c.cast(c.build(v, 1, {{0, 0, 1}, {0, 1, 0}}));
  EXPECT_EQ(other["_status"], 409);
  EXPECT_EQ(error_code_of(other), "TOKEN_SPENT");

  // A ballot with a forged token, and one for a round that is not open.
  voter forged{crypto::signing_key::generate(crypto::os_random()), v.token};
  EXPECT_EQ(error_code_of(c.cast(c.build(forged, 1, {{1, 0, 0}, {1, 0, 0}}))), "INVALID_TOKEN");
  json wrong_round = ballot_json(c.build(forged, 1, {{1, 0, 0}, {1, 0, 0}}));
  wrong_round["round"] = 2;
  EXPECT_EQ(error_code_of(h_.http_json("POST", c.path("ballots"), wrong_round)), "ROUND_NOT_OPEN");

  // A malformed body names its field.
  json bad = ballot_json(ballot);
  bad["contests"][0]["selections"][1]["beta"] = std::string(64, '0');
  const json refused = h_.http_json("POST", c.path("ballots"), bad);
  EXPECT_EQ(refused["_status"], 400);
  EXPECT_EQ(error_code_of(refused), "INVALID_POINT");
  EXPECT_EQ(refused["error"]["message"].get<std::string>().rfind("contests[0].selections[1].beta: ", 0), 0u);

  // A token request repeated (its reply lost) gets the same evaluation; another is refused.
  voter again{crypto::signing_key::generate(crypto::os_random()), crypto::point{}};
  std::optional<crypto::voprf::blinded_input> blinded;
  EXPECT_EQ(error_code_of(c.request_token("m03", 1, again, blinded)), "ALREADY_ISSUED");
}

TEST_F(Service, RepliesArriveOnlyOnceTheirRecordsAreDurable) {
  live_committee c(h_);
  // Every chair reply carrying a seq is checked against the store at the moment it is sent.
  std::atomic<int> checked{0};
  std::atomic<int> missing{0};
  c.chair().connection->on_send([&](const json& m) {
    if (!m.contains("id") || !m.value("ok", false) || !m.contains("seq")) return;
    auto lines = h_.store().load_chain(c.sid(), m["seq"].get<std::uint64_t>(), 1);
    ++(lines && lines->size() == 1 ? checked : missing);
  });
  open_first_round(c);
  EXPECT_EQ(missing.load(), 0);
  EXPECT_EQ(checked.load(), 2);  // seal_key, open_round

  const auto v = c.take_token("m04", 1);
  const auto ballot = c.build(v, 1, {{0, 0, 1}, {0, 0, 1}});
  std::promise<bool> durable;
  const auto response =
      h_.http("POST", c.path("ballots"), ballot_json(ballot).dump(), {}, {}, [&](const http_response& r) {
        const json j = json::parse(r.body);
        const auto seq = j["receipt"]["seq"].get<std::uint64_t>();
        auto lines = h_.store().load_chain(c.sid(), seq, 1);
        durable.set_value(lines && lines->size() == 1 && crypto::to_hex(lines->front().hash) == j["receipt"]["hash"]);
      });
  EXPECT_EQ(response.status, 200u) << response.body;
  EXPECT_TRUE(durable.get_future().get());

  const auto commits = h_.store().stats().commits;
  EXPECT_EQ(error_code_of(c.chair_request("close_round", 1)), "OK");
  EXPECT_GT(h_.store().stats().commits, commits);
  EXPECT_EQ(missing.load(), 0);
}

// ---- the roles of /ws ------------------------------------------------------------------------

TEST_F(Service, RequestsOutsideTheirRoleAreRefused) {
  live_committee c(h_);
  auto& before = h_.connect();
  json open = json::object();
  open["type"] = "open_round";
  open["round"] = 1;
  EXPECT_EQ(error_code_of(before.request(open)), "UNAUTHORIZED");

  auto& t = c.check_in("m03");
  EXPECT_EQ(error_code_of(t.ws->request(open)), "FORBIDDEN");
  json key = json::object();
  key["type"] = "trustee_key";
  key["key"] = crypto::point::mul_base(crypto::scalar::from_u64(7)).hex();
  key["proof"] = proof_json(crypto::proof{});
  EXPECT_EQ(error_code_of(t.ws->request(key)), "FORBIDDEN");  // m03 is no scrutineer
  json token = json::object();
  token["type"] = "token";
  token["round"] = 1;
  token["blinded"] = key["key"];
  token["request_sig"] = std::string(128, '0');
  EXPECT_EQ(error_code_of(c.chair().request(token)), "FORBIDDEN");
  EXPECT_EQ(error_code_of(t.ws->request(token)), "ROUND_NOT_OPEN");
  json hello_again = json::object();
  hello_again["type"] = "hello";
  hello_again["session"] = c.hex();
  hello_again["code"] = c.chair_code();
  EXPECT_EQ(error_code_of(t.ws->request(hello_again)), "BAD_REQUEST");

  // Malformed requests: the id when it could be read, null otherwise; nothing changes.
  const auto length = h_.lines(c.sid()).size();
  t.ws->send_text("{not json");
  EXPECT_TRUE(t.ws->connection->wait_until([](const std::vector<json>& ms) {
    for (const auto& m : ms) {
      if (m.contains("id") && m["id"].is_null() && m["error"]["code"] == "BAD_REQUEST") return true;
    }
    return false;
  }));
  json unknown = json::object();
  unknown["type"] = "vote_twice";
  const json refused = t.ws->request(unknown);
  EXPECT_EQ(error_code_of(refused), "BAD_REQUEST");
  EXPECT_EQ(refused["error"]["message"].get<std::string>().rfind("type: ", 0), 0u);
  json extra = token;
  extra["extra"] = 1;
  EXPECT_EQ(t.ws->request(extra)["error"]["message"].get<std::string>().rfind("extra: ", 0), 0u);
  EXPECT_EQ(h_.lines(c.sid()).size(), length);

  // Another session's id in a hello.
  hello_again["session"] = std::string(64, 'b');
  EXPECT_EQ(error_code_of(h_.connect().request(hello_again)), "NOT_FOUND");
}

// ---- chain, head, list -------------------------------------------------------------------------

TEST_F(Service, ChainHeadAndListShowTheDurableRecords) {
  live_committee c(h_);
  c.check_in("m01");
  const auto lines = h_.lines(c.sid());

  const auto chain = h_.http("GET", c.path("chain"));
  EXPECT_EQ(chain.content_type, "application/x-ndjson");
  std::string expected;
  for (const auto& l : lines) expected.append(l.line).push_back('\n');
  EXPECT_EQ(chain.body, expected);
  const auto tail = h_.http("GET", c.path("chain"), {}, {}, "from=2");
  EXPECT_EQ(tail.body, expected.substr(expected.find('\n', expected.find('\n') + 1) + 1));
  EXPECT_EQ(h_.http("GET", c.path("chain"), {}, {}, "from=x").status, 400u);

  const json head = h_.http_json("GET", c.path("head"));
  EXPECT_EQ(head["seq"].get<std::uint64_t>() + 1, lines.size());
  EXPECT_EQ(head["hash"], crypto::to_hex(lines.back().hash));
  EXPECT_TRUE(crypto::verify_head(c.server_key(), c.sid(), head["seq"].get<std::uint64_t>(), lines.back().hash,
                                  crypto::signature::from_hex(head["sig"].get<std::string>()).value()));

  const json list = h_.http_json("GET", "/api/sessions");
  ASSERT_EQ(list["sessions"].size(), 1u);
  EXPECT_EQ(list["sessions"][0]["session"], c.hex());
  EXPECT_EQ(list["sessions"][0]["length"], lines.size());
  EXPECT_EQ(list["sessions"][0]["title"], "某县人大常委会2026年第十一次会议");
}

// ---- restart --------------------------------------------------------------------------------

TEST_F(Service, ASecondServiceOverTheReopenedStoreContinuesTheOpenRound) {
  live_committee c(h_);
  open_first_round(c);
  const auto v1 = c.take_token("m01", 1);
  const auto v2 = c.take_token("m02", 1);
  ASSERT_EQ(error_code_of(c.cast(c.build(v1, 1, {{1, 0, 0}, {1, 0, 0}}))), "OK");
  ASSERT_EQ(error_code_of(c.declare("m01", 1)), "OK");
  const auto before = h_.lines(c.sid()).size();

  std::string error;
  ASSERT_TRUE(h_.restart(error)) << error;

  // The token issued before the restart still casts; the declaration kept off the chain is
  // published at close; the scrutineers reconnect with their device secrets and decrypt.
  ASSERT_EQ(error_code_of(c.cast(c.build(v2, 1, {{0, 1, 0}, {1, 0, 0}}))), "OK");
  EXPECT_EQ(h_.lines(c.sid()).size(), before + 1);
  for (const char* m : {"m01", "m02"}) {
    auto& t = c.tablet_of(m);
    t.ws = &h_.connect();
    json hello = json::object();
    hello["type"] = "hello";
    hello["session"] = c.hex();
    hello["device"] = t.device_secret;
    const json back = t.ws->request(hello);
    ASSERT_EQ(back["role"], "scrutineer") << back;
  }
  // The chair's old connection belonged to the stopped service: a new console.
  auto& chair = h_.connect();
  json hello = json::object();
  hello["type"] = "hello";
  hello["session"] = c.hex();
  hello["code"] = c.chair_code();
  hello["from"] = 0;
  ASSERT_EQ(chair.request(hello)["role"], "chair");
  json close = json::object();
  close["type"] = "close_round";
  close["round"] = 1;
  ASSERT_EQ(error_code_of(chair.request(close)), "OK");
  chair.wait_for_record("decryption");
  EXPECT_EQ(c.last_record_of<core::round_closed_body>()->first.voted.size(), 1u);
  EXPECT_EQ(error_code_of(c.decrypt("m01", 1)), "OK");
  EXPECT_EQ(error_code_of(c.decrypt("m02", 1)), "OK");
  chair.wait_for_record("result");
  EXPECT_EQ(result_counts(c, 1), (std::vector<std::vector<std::uint32_t>>{{1, 1, 0}, {2, 0, 0}}));
  // With "from": 0 the new console got the whole chain, then the new records, each once.
  const auto pushes = chair.pushes("record");
  const auto length = h_.lines(c.sid()).size();
  ASSERT_EQ(pushes.size(), length);
  for (std::size_t i = 0; i < pushes.size(); ++i) EXPECT_EQ(pushes[i]["seq"].get<std::uint64_t>(), i);
}

// The server crashed right after round_closed was durable, before its own decryption: the
// restarted service finishes the round (with no scrutineer, nobody else ever would).
TEST_F(Service, RestartFinishesARoundClosedJustBeforeACrash) {
  json request = session_request_json();
  request["scrutineers"] = json::array();
  live_committee c(h_, request);
  c.chair();
  for (const char* m : {"m01", "m02", "m03"}) c.check_in(m);
  ASSERT_EQ(error_code_of(c.chair_request("seal_key")), "OK");
  ASSERT_EQ(error_code_of(c.chair_request("open_round", 1)), "OK");
  ASSERT_EQ(error_code_of(c.cast(c.build(c.take_token("m01", 1), 1, {{0, 0, 1}, {0, 1, 0}}))), "OK");
  h_.stop_service();

  // The close, as the stopped server's engine made it, with the keys of the secrets file.
  auto state = store::replay_session(h_.store(), c.sid());
  ASSERT_TRUE(state.ok()) << state.error().message();
  const auto file = store::read_secrets_file(h_.directory() / "secrets").value();
  auto entry = [&](const char* what) {
    const auto* s = file.find(std::string("session.").append(c.hex()).append(".").append(what));
    crypto::byte_array<32> b{};
    std::copy(s->bytes().begin(), s->bytes().end(), b.begin());
    return b;
  };
  const auto sk = crypto::scalar::decode(entry("token_key")).value();
  const auto x = crypto::scalar::decode(entry("trustee_key")).value();
  core::server_keys keys{crypto::signing_key::from_seed(entry("signing_key")),
                         crypto::voprf::key_pair{sk, crypto::point::mul_base(sk)},
                         crypto::trustee_key{x, crypto::point::mul_base(x)}};
  auto engine = core::session_engine::resume(std::move(*state), keys, core::system_clock_ms, crypto::os_random());
  ASSERT_TRUE(engine.ok()) << core::describe(engine.error());
  const auto closed = engine->close_round(1).value();
  std::promise<bool> written;
  ASSERT_TRUE(h_.store().append(c.sid(), closed.rec.seq, closed.line,
                                [&](const store::status& s) { written.set_value(s.ok()); }));
  ASSERT_TRUE(written.get_future().get());

  std::string error;
  ASSERT_TRUE(h_.restart(error)) << error;
  const auto deadline = std::chrono::steady_clock::now() + reply_timeout;
  while (count_records(c, "result") == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(5ms);
  }
  EXPECT_EQ(count_records(c, "decryption"), 1u);
  EXPECT_EQ(result_counts(c, 1), (std::vector<std::vector<std::uint32_t>>{{0, 0, 1}, {0, 1, 0}}));
  EXPECT_TRUE(h_.replay(c.sid()).find_round(1)->result.has_value());
}

TEST_F(Service, StartRefusesABrokenChainNamingTheSessionAndSeq) {
  live_committee c(h_);
  c.check_in("m01");
  h_.stop_service();

  // A record the store accepts (contiguous, hashed) but apply refuses: m05 never checked in.
  const auto lines = h_.lines(c.sid());
  const auto last = core::decode(lines.back().line).value();
  const core::record forged{lines.size(), lines.back().hash, last.time, core::check_out_body{"m05"}};
  std::promise<bool> written;
  ASSERT_TRUE(h_.store().append(c.sid(), forged.seq, core::encode(forged),
                                [&](const store::status& s) { written.set_value(s.ok()); }));
  ASSERT_TRUE(written.get_future().get());

  std::string error;
  EXPECT_FALSE(h_.restart(error));
  EXPECT_NE(error.find(c.hex()), std::string::npos) << error;
  EXPECT_NE(error.find(std::string("record ").append(std::to_string(forged.seq))), std::string::npos) << error;
}

TEST_F(Service, StartRefusesASessionWhoseKeysAreMissing) {
  live_committee c(h_);
  h_.stop_service();
  // The secrets file without this session's keys (a restore of an old file, say).
  auto secrets = store::read_secrets_file(h_.directory() / "secrets").value();
  store::secrets kept;
  for (const auto& name : secrets.names()) {
    if (name.find(c.hex()) == std::string::npos) {
      ASSERT_TRUE(kept.set(name, store::secret(secrets.find(name)->bytes())));
    }
  }
  ASSERT_TRUE(store::write_secrets_file(h_.directory() / "secrets", kept));
  std::string error;
  EXPECT_FALSE(h_.restart(error));
  EXPECT_NE(error.find(c.hex()), std::string::npos) << error;
  EXPECT_NE(error.find("signing_key"), std::string::npos) << error;
}

}  // namespace
}  // namespace pingyi::net::test
