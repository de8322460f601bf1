// kill -9 of the real pingyi-server while it works, and restarts on the same data directory and
// port: during a burst of 520 ballots cast from several client threads (at seeded random
// moments, at least ten times), during the key ceremony, and between the close of a round and
// its result. What must hold after every restart: each ballot that got a receipt is on the chain
// as receipted, a client without a receipt that sends the same bytes again ends with exactly one
// ballot on the chain, the chain verifies (pingyi-verify's check_chain), and the session goes on
// from exactly the phase it was in. The seed is printed; PINGYI_CRASH_SEED replays a run.
// clang-format off
#include <utility>  // first: Boost 1.74's Asio (test_client.hpp) needs it before its awaitable header
// clang-format on

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "../unit/store/temp_directory.hpp"
#include "chain_check.hpp"
#include "live_committee.hpp"
#include "pingyi/crypto/chain.hpp"
#include "pingyi/crypto/init.hpp"
#include "server_child.hpp"

namespace {

namespace crypto = pingyi::crypto;
namespace fs = std::filesystem;
using json = nlohmann::ordered_json;
using pingyi::test::live_committee;
using pingyi::test::server_child;
using namespace std::chrono_literals;

std::uint64_t crash_seed() {
  if (const char* s = std::getenv("PINGYI_CRASH_SEED"); s != nullptr && *s != '\0') return std::stoull(s);
  return std::random_device{}();
}

// Every line of the chain verifies, as pingyi-verify checks it; the failure named otherwise.
std::string chain_failure(const std::vector<std::string>& lines) {
  const auto checked = pingyi::verify::check_chain(lines, 2);
  if (!checked.failure) return {};
  return "seq " + std::to_string(checked.failure->seq) + " " + checked.failure->type + ": " +
         pingyi::core::describe(checked.failure->error);
}

class ServerCrash : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(crypto::init()); }

  // (Re)starts the server on the data directory; the first start picks the port, later ones
  // take the same port, as a supervisor restarting the service would.
  void start() {
    server_.reset();
    const std::string listen = port_ == 0 ? "127.0.0.1:0" : "127.0.0.1:" + std::to_string(port_);
    server_ = std::make_unique<server_child>(temp_.path() / "data", temp_.path() / "server.stderr", listen);
    const auto port = server_->wait_listening();
    ASSERT_TRUE(port.has_value()) << "the server did not start:\n" << server_->errors();
    port_ = *port;
  }

  void kill_and_restart(live_committee& c) {
    server_->kill();
    ++kills_;
    ASSERT_NO_FATAL_FAILURE(start());
    c.restarted(port_);
  }

  std::string admin_token() const { return pingyi::test::read_admin_token(temp_.path() / "data"); }

  pingyi::store::test::temp_directory temp_;
  std::unique_ptr<server_child> server_;
  std::uint16_t port_ = 0;
  std::size_t kills_ = 0;
};

// One ballot of the burst: its bytes (sent again, unchanged, until it has a receipt), its vk, and
// the receipt once one came back.
struct burst_ballot {
  std::string body;
  std::string vk;
  std::size_t option = 0;
  std::optional<json> receipt;
  std::size_t attempts = 0;
};

TEST_F(ServerCrash, BallotBurstSurvivesRandomKillsAndEveryBallotEndsOnTheChainOnce) {
  constexpr std::size_t members = 520;
  constexpr std::size_t client_threads = 4;
  constexpr std::size_t min_kills = 10;
  const std::uint64_t seed = crash_seed();
  std::cout << "[ seed     ] PINGYI_CRASH_SEED=" << seed << std::endl;
  RecordProperty("seed", std::to_string(seed));
  std::mt19937_64 rng(seed);

  ASSERT_NO_FATAL_FAILURE(start());
  live_committee c(port_, admin_token());
  ASSERT_NO_THROW(c.create(members, 0, json::array({live_committee::evaluation_round()})));

  // Check-ins and tokens from a few threads (each member's tablet is touched by one thread only).
  auto in_parallel = [&](const std::function<void(std::size_t)>& each) {
    std::vector<std::thread> threads;
    std::atomic<bool> failed{false};
    std::mutex m;
    std::string first_error;
    for (std::size_t t = 0; t < client_threads; ++t) {
      threads.emplace_back([&, t] {
        for (std::size_t i = 1 + t; i <= members && !failed; i += client_threads) {
          try {
            each(i);
          } catch (const std::exception& e) {
            const std::lock_guard lock(m);
            if (!failed.exchange(true)) first_error = e.what();
          }
        }
      });
    }
    for (auto& th : threads) th.join();
    return first_error;
  };
  std::string error = in_parallel([&](std::size_t i) { c.check_in(live_committee::member_id(i)); });
  ASSERT_TRUE(error.empty()) << error;
  ASSERT_EQ(pingyi::test::error_code_of(c.chair_request("seal_key")), "OK");
  ASSERT_EQ(pingyi::test::error_code_of(c.chair_request("open_round", 1u)), "OK");
  (void)c.keys();  // read once, before the threads share it
  std::vector<burst_ballot> ballots(members);
  error = in_parallel([&](std::size_t i) {
    const auto member = live_committee::member_id(i);
    const auto v = c.take_token(member, 1);
    c.tablet_of(member).conn.reset();
    auto& b = ballots[i - 1];
    b.option = i % 3;
    const auto ballot = c.build(v, 1, b.option);
    b.body = pingyi::test::ballot_json(ballot).dump();
    b.vk = ballot.vk.hex();
  });
  ASSERT_TRUE(error.empty()) << error;

  // The burst: each client thread sends its ballots, and sends a ballot again, byte for byte,
  // until it holds a receipt; connection failures (the server is down or restarting), INTERNAL
  // (stopping) and RATE_LIMITED are retried, any other answer is a failure of the test.
  std::atomic<std::size_t> receipted{0};
  std::atomic<std::uint16_t> port{port_};
  std::atomic<bool> give_up{false};
  std::mutex failures_mutex;
  std::vector<std::string> failures;
  const auto burst_deadline = std::chrono::steady_clock::now() + 400s;  // ASan runs it 3× slower
  std::vector<std::thread> clients;
  for (std::size_t t = 0; t < client_threads; ++t) {
    clients.emplace_back([&, t] {
      for (std::size_t i = t; i < ballots.size() && !give_up; i += client_threads) {
        auto& b = ballots[i];
        while (!b.receipt && !give_up) {
          if (std::chrono::steady_clock::now() > burst_deadline) {
            give_up = true;
            break;
          }
          ++b.attempts;
          try {
            const auto r = pingyi::test::http_call(port.load(), "POST", c.path("ballots"), b.body,
                                                   {{"Content-Type", "application/json"}}, 10s);
            const json reply = json::parse(r.body, nullptr, false);
            if (r.status == 200) {
              b.receipt = reply["receipt"];
              ++receipted;
            } else if (r.status == 429 || r.status == 500 || r.status == 503) {
              std::this_thread::sleep_for(5ms);
            } else {
              const std::lock_guard lock(failures_mutex);
              failures.push_back("ballot " + std::to_string(i) + ": " + std::to_string(r.status) + " " + r.body);
              b.receipt = json();  // recorded as failed; not retried
            }
          } catch (const std::exception&) {
            std::this_thread::sleep_for(5ms);  // refused or cut by the kill: the server comes back
          }
        }
      }
    });
  }

  // The killer: after a random number (5 … 40) of receipts since the last start, and a random
  // 0 … 20 ms more, kill -9 and restart on the same port.
  std::uniform_int_distribution<std::size_t> receipts_between(5, 40);
  std::uniform_int_distribution<int> extra_delay_us(0, 20'000);
  std::size_t kills_during_burst = 0;
  while (receipted < members && !give_up) {
    const std::size_t target = receipted + receipts_between(rng);
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (receipted < target && receipted < members && !give_up && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(200us);
    if (receipted >= members || give_up) break;
    std::this_thread::sleep_for(std::chrono::microseconds(extra_delay_us(rng)));
    server_->kill();
    ++kills_during_burst;
    server_.reset();
    server_ = std::make_unique<server_child>(temp_.path() / "data", temp_.path() / "server.stderr",
                                             "127.0.0.1:" + std::to_string(port_));
    if (!server_->wait_listening()) {
      give_up = true;
      ADD_FAILURE() << "restart " << kills_during_burst << " failed:\n" << server_->errors();
    }
  }
  for (auto& th : clients) th.join();
  ASSERT_FALSE(give_up) << receipted << " of " << members << " receipted before the deadline";
  ASSERT_TRUE(failures.empty()) << failures.front();
  c.restarted(port_);

  std::size_t attempts = 0;
  std::size_t retried = 0;
  for (const auto& b : ballots) {
    attempts += b.attempts;
    retried += b.attempts > 1 ? 1 : 0;
  }
  std::cout << "[ figures  ] " << members << " ballots, " << kills_during_burst << " kill -9 during the burst, "
            << attempts << " POSTs, " << retried << " ballots sent more than once" << std::endl;
  RecordProperty("kills", std::to_string(kills_during_burst));
  EXPECT_GE(kills_during_burst, min_kills);

  // Every receipt is on the chain, its signed head valid; every ballot is on it exactly once.
  const auto lines = c.chain_lines();
  const auto& key = c.keys().server_key;
  std::map<std::string, std::size_t> vk_count;
  for (const auto& line : lines) {
    const json j = json::parse(line);
    if (j["type"] == "ballot") ++vk_count[j["vk"].get<std::string>()];
  }
  EXPECT_EQ(vk_count.size(), members);
  for (std::size_t i = 0; i < ballots.size(); ++i) {
    const auto& b = ballots[i];
    SCOPED_TRACE("ballot " + std::to_string(i));
    EXPECT_EQ(vk_count[b.vk], 1u);
    ASSERT_TRUE(b.receipt && b.receipt->is_object());
    const auto seq = (*b.receipt)["seq"].get<std::size_t>();
    ASSERT_LT(seq, lines.size()) << "a receipted ballot was lost";
    const auto hash = crypto::line_hash(lines[seq]);
    EXPECT_EQ(crypto::to_hex(hash), (*b.receipt)["hash"].get<std::string>());
    EXPECT_EQ(json::parse(lines[seq])["vk"], b.vk);
    const auto sig = crypto::signature::from_hex((*b.receipt)["sig"].get<std::string>()).value();
    EXPECT_TRUE(crypto::verify_head(key, c.sid(), seq, hash, sig).ok());
  }
  EXPECT_EQ(chain_failure(lines), "");

  // Sending a receipted ballot again gets its receipt and appends nothing.
  const auto before = c.chain_text();
  for (std::size_t i = 0; i < ballots.size(); i += 52) {
    const auto r = c.cast_raw(ballots[i].body);
    ASSERT_EQ(r.status, 200u) << r.body;
    EXPECT_EQ(json::parse(r.body)["receipt"], *ballots[i].receipt);
  }
  EXPECT_EQ(c.chain_text(), before);

  // The round closes and its result counts every ballot once.
  ASSERT_EQ(pingyi::test::error_code_of(c.chair_request("close_round", 1u)), "OK");
  ASSERT_TRUE(pingyi::test::eventually([&] { return !c.records_of("result").empty(); }, 30s));
  const json result = c.records_of("result").front();
  EXPECT_EQ(result["ballots"], members);
  std::vector<std::size_t> expected(3, 0);
  for (const auto& b : ballots) ++expected[b.option];
  EXPECT_EQ(result["contests"][0]["counts"].get<std::vector<std::size_t>>(), expected);
  EXPECT_EQ(chain_failure(c.chain_lines()), "");
}

TEST_F(ServerCrash, KeyCeremonyAndTheCloseToResultGoOnFromWhereTheKillLeftThem) {
  const std::uint64_t seed = crash_seed();
  std::cout << "[ seed     ] PINGYI_CRASH_SEED=" << seed << std::endl;
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> race_us(0, 300);
  constexpr std::size_t members = 5;
  ASSERT_NO_FATAL_FAILURE(start());
  live_committee c(port_, admin_token());
  ASSERT_NO_THROW(c.create(members, 2, json::array({live_committee::evaluation_round()})));
  const std::string s1 = live_committee::member_id(1);
  const std::string s2 = live_committee::member_id(2);

  // Key ceremony, 1: one scrutineer has published its key, the other not yet.
  ASSERT_NO_THROW(c.check_in(s1));
  ASSERT_EQ(pingyi::test::error_code_of(c.publish_trustee_key(s1)), "OK");
  auto before = c.chain_text();
  ASSERT_NO_FATAL_FAILURE(kill_and_restart(c));
  EXPECT_EQ(c.chain_text(), before) << "the restart changed the chain";
  // The first scrutineer's key stands (a second one is refused), the second publishes its own.
  EXPECT_EQ(pingyi::test::error_code_of(c.publish_trustee_key(s1)), "FORBIDDEN");
  ASSERT_NO_THROW(c.check_in(s2));
  ASSERT_EQ(pingyi::test::error_code_of(c.publish_trustee_key(s2)), "OK");

  // Key ceremony, 2: killed 0 … 3 ms after seal_key was sent, before or after its commit.
  {
    before = c.chain_text();
    json seal = json::object();
    seal["id"] = "seal";
    seal["type"] = "seal_key";
    // On a chair connection of its own, so that the reply is never awaited.
    pingyi::test::ws_connection chair(port_, "/ws");
    json hello = json::object();
    hello["type"] = "hello";
    hello["session"] = c.session();
    hello["code"] = c.chair_code();
    ASSERT_EQ(pingyi::test::error_code_of(chair.request(hello)), "OK");
    ASSERT_TRUE(chair.ws().send(seal.dump()));
    std::this_thread::sleep_for(std::chrono::microseconds(race_us(rng)));
    ASSERT_NO_FATAL_FAILURE(kill_and_restart(c));
    const auto after = c.chain_text();
    ASSERT_EQ(after.substr(0, before.size()), before) << "the restart changed what was durable";
    const bool sealed = !c.records_of("election_key").empty();
    std::cout << "[ phase    ] seal_key " << (sealed ? "was" : "was not") << " durable at the kill" << std::endl;
    EXPECT_EQ(pingyi::test::error_code_of(c.chair_request("seal_key")), sealed ? "FORBIDDEN" : "OK");
    EXPECT_EQ(c.records_of("election_key").size(), 1u);
  }

  // The round: everyone present votes and declares.
  for (std::size_t i = 3; i <= members; ++i) ASSERT_NO_THROW(c.check_in(live_committee::member_id(i)));
  ASSERT_EQ(pingyi::test::error_code_of(c.chair_request("open_round", 1u)), "OK");
  for (std::size_t i = 1; i <= members; ++i) {
    const auto m = live_committee::member_id(i);
    const auto v = c.take_token(m, 1);
    const auto r = c.cast_raw(pingyi::test::ballot_json(c.build(v, 1, i)).dump());
    ASSERT_EQ(r.status, 200u) << r.body;
    ASSERT_EQ(pingyi::test::error_code_of(c.declare(m, 1)), "OK");
  }

  // Killed 0 … 300 µs after close_round was sent: after the restart the round is either still
  // open (and closes now) or closed with the server's own decryption share appended.
  {
    before = c.chain_text();
    pingyi::test::ws_connection chair(port_, "/ws");
    json hello = json::object();
    hello["type"] = "hello";
    hello["session"] = c.session();
    hello["code"] = c.chair_code();
    ASSERT_EQ(pingyi::test::error_code_of(chair.request(hello)), "OK");
    json close = json::object();
    close["id"] = "close";
    close["type"] = "close_round";
    close["round"] = 1;
    ASSERT_TRUE(chair.ws().send(close.dump()));
    std::this_thread::sleep_for(std::chrono::microseconds(race_us(rng)));
    ASSERT_NO_FATAL_FAILURE(kill_and_restart(c));
    ASSERT_EQ(c.chain_text().substr(0, before.size()), before);
    const bool closed = !c.records_of("round_closed").empty();
    std::cout << "[ phase    ] close_round " << (closed ? "was" : "was not") << " durable at the kill" << std::endl;
    if (!closed) {
      ASSERT_EQ(pingyi::test::error_code_of(c.chair_request("close_round", 1u)), "OK");
    }
    EXPECT_EQ(pingyi::test::error_code_of(c.chair_request("close_round", 1u)), "ROUND_NOT_OPEN");
    ASSERT_TRUE(pingyi::test::eventually([&] { return !c.records_of("decryption").empty(); }, 20s))
        << "the server's own decryption share is missing after the restart";
    const auto closed_record = c.records_of("round_closed").front();
    EXPECT_EQ(closed_record["ballots"], members);
    EXPECT_EQ(closed_record["voted"].size(), members) << "a declaration was lost in the kill";
  }

  // Between the close and the result: one scrutineer's shares are in, the other's not.
  ASSERT_EQ(pingyi::test::error_code_of(c.decrypt(s1, 1)), "OK");
  before = c.chain_text();
  ASSERT_EQ(c.records_of("decryption").size(), 2u);
  ASSERT_NO_FATAL_FAILURE(kill_and_restart(c));
  EXPECT_EQ(c.chain_text(), before);
  EXPECT_TRUE(c.records_of("result").empty());
  EXPECT_EQ(pingyi::test::error_code_of(c.decrypt(s1, 1)), "FORBIDDEN") << "a second share from the same trustee";
  ASSERT_EQ(pingyi::test::error_code_of(c.decrypt(s2, 1)), "OK");
  ASSERT_TRUE(pingyi::test::eventually([&] { return !c.records_of("result").empty(); }, 20s));
  const json result = c.records_of("result").front();
  EXPECT_EQ(result["ballots"], members);
  EXPECT_EQ(result["undeclared"], 0);
  std::vector<std::size_t> expected(3, 0);
  for (std::size_t i = 1; i <= members; ++i) ++expected[i % 3];
  EXPECT_EQ(result["contests"][0]["counts"].get<std::vector<std::size_t>>(), expected);
  EXPECT_EQ(pingyi::test::error_code_of(c.chair_request("reveal", 1u)), "OK");
  EXPECT_EQ(chain_failure(c.chain_lines()), "");
  EXPECT_EQ(kills_, 4u);
}

}  // namespace
