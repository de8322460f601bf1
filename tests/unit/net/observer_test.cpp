// Tests of the public /observe feed (DESIGN.md §4): catch-up from the store, then live pushes,
// with every record exactly once, in order, each with a valid signed head, even while records
// are being appended during the catch-up.
#include <gtest/gtest.h>

#include <thread>

#include "service_harness.hpp"

namespace pingyi::net::test {
namespace {

json motions(std::size_t n) {
  json body = json::object();
  body["rounds"] = json::array();
  for (std::size_t i = 0; i < n; ++i) body["rounds"].push_back(motion_round_json());
  return body;
}

// Checks that the observer's record pushes are exactly the stored chain [0, length), in order,
// each line byte for byte and each head signed by the session's server key.
void expect_whole_chain(service_harness& h, live_committee& c, const ws_client& observer) {
  const auto lines = h.lines(c.sid());
  const auto pushes = observer.pushes("record");
  ASSERT_EQ(pushes.size(), lines.size());
  const auto server_key = c.server_key();
  for (std::size_t i = 0; i < pushes.size(); ++i) {
    const auto& p = pushes[i];
    ASSERT_EQ(p["seq"].get<std::uint64_t>(), i);
    const std::string line = p["line"].get<std::string>();
    ASSERT_EQ(line, lines[i].line) << "seq " << i;
    const auto sig = crypto::signature::from_hex(p["sig"].get<std::string>()).value();
    ASSERT_TRUE(crypto::verify_head(server_key, c.sid(), i, crypto::line_hash(line), sig)) << "seq " << i;
  }
}

bool has_seq(const std::vector<json>& messages, std::uint64_t seq) {
  for (const auto& m : messages) {
    if (m.value("type", "") == "record" && m["seq"].get<std::uint64_t>() == seq) return true;
  }
  return false;
}

TEST(Observer, ReceivesEveryRecordInOrderThenLiveOnesWhileRecordsAreAppended) {
  service_harness h;
  live_committee c(h);
  // Longer than one catch-up chunk (500 lines).
  for (int i = 0; i < 10; ++i) ASSERT_EQ(error_code_of(h.admin("POST", c.path("rounds"), motions(60))), "OK");

  // Appends go on from another thread while the observer catches up.
  std::atomic<bool> go{false};
  std::thread writer([&] {
    while (!go.load()) std::this_thread::yield();
    for (int i = 0; i < 40; ++i) {
      if (error_code_of(h.admin("POST", c.path("rounds"), motions(3))) != "OK") ADD_FAILURE() << "append " << i;
    }
  });
  go.store(true);
  ws_client* observer = h.observe(std::string("session=").append(c.hex()).append("&from=0"));
  ASSERT_NE(observer, nullptr);
  writer.join();

  std::uint64_t length = h.lines(c.sid()).size();
  ASSERT_TRUE(observer->connection->wait_until([&](const auto& m) { return has_seq(m, length - 1); }));
  expect_whole_chain(h, c, *observer);

  // Then live.
  c.check_in("m01");
  length = h.lines(c.sid()).size();
  ASSERT_TRUE(observer->connection->wait_until([&](const auto& m) { return has_seq(m, length - 1); }));
  expect_whole_chain(h, c, *observer);
  // Progress follows the catch-up and the check-in.
  EXPECT_TRUE(observer->connection->wait_until([&](const std::vector<json>& ms) {
    for (const auto& m : ms) {
      if (m.value("type", "") == "progress" && m["present"] == 1) return true;
    }
    return false;
  }));
}

TEST(Observer, StartsFromTheGivenSeq) {
  service_harness h;
  live_committee c(h);
  ws_client* observer = h.observe(std::string("from=2&session=").append(c.hex()));
  ASSERT_NE(observer, nullptr);
  c.check_in("m02");
  const std::uint64_t length = h.lines(c.sid()).size();
  ASSERT_TRUE(observer->connection->wait_until([&](const auto& m) { return has_seq(m, length - 1); }));
  const auto pushes = observer->pushes("record");
  ASSERT_EQ(pushes.size(), length - 2);
  EXPECT_EQ(pushes.front()["seq"], 2);
  // What an observer sends is ignored.
  observer->send_text("{\"type\":\"open_round\",\"round\":1}");
  EXPECT_EQ(h.lines(c.sid()).size(), length);
}

TEST(Observer, UnknownSessionOrBadQueryIsRefused) {
  service_harness h;
  live_committee c(h);
  EXPECT_EQ(h.observe(std::string("session=").append(64, 'c')), nullptr);
  EXPECT_EQ(h.observe("session=xyz"), nullptr);
  EXPECT_EQ(h.observe(""), nullptr);
  EXPECT_EQ(h.observe(std::string("session=").append(c.hex()).append("&from=-1")), nullptr);
  EXPECT_EQ(h.observe(std::string("session=").append(c.hex()).append("&colour=red")), nullptr);
  EXPECT_NE(h.observe(std::string("session=").append(c.hex())), nullptr);
}

}  // namespace
}  // namespace pingyi::net::test
