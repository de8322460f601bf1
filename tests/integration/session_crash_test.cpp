// Crash durability of a real session (DESIGN.md §5: "a restart, or kill -9, loses nothing that
// was acknowledged"): a child plays a session through core's engine and the store with group
// commit and reports each record the moment its commit returns; this test kills it with SIGKILL
// at random moments, 25 times, and after each kill reopens the store and checks that every
// reported record is there with the hash reported, that nothing stored before was lost or
// changed, and that the chain replays cleanly through apply. The next child resumes from the
// replayed chain.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <iostream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "../unit/store/temp_directory.hpp"
#include "crash_child.hpp"
#include "pingyi/crypto/bytes.hpp"
#include "pingyi/crypto/init.hpp"
#include "pingyi/store/chain_store.hpp"
#include "pingyi/store/replay.hpp"

namespace pingyi::store {
namespace {

using clock_type = pingyi::test::crash_child::clock_type;

// "<seq> <hash>": a record the child saw committed.
void parse_report(const std::string& line, std::map<std::uint64_t, std::string>& reported) {
  std::istringstream in(line);
  std::uint64_t seq = 0;
  std::string hash;
  in >> seq >> hash;
  if (!in || hash.size() != 64) {
    ADD_FAILURE() << "unexpected report: " << line;
    return;
  }
  reported[seq] = hash;
}

TEST(SessionCrash, KeepsEveryDurableRecordAndReplaysCleanlyAcrossKills) {
  ASSERT_TRUE(crypto::init());
  test::temp_directory dir;
  const std::filesystem::path db = dir / "session-crash.db";
  const unsigned seed = std::random_device{}();
  std::mt19937 rng(seed);
  RecordProperty("seed", std::to_string(seed));
  std::cout << "seed " << seed << "\n";

  std::uint64_t verified = 0;  // records known stored
  crypto::chain_hash last_hash{};
  std::uint64_t total_reported = 0;
  int kills_while_playing = 0;
  std::uint32_t rounds_revealed = 0;

  constexpr int runs = 25;
  for (int run_no = 0; run_no < runs; ++run_no) {
    auto run = pingyi::test::crash_child::start(PINGYI_SESSION_CRASH_CHILD, db);
    std::map<std::uint64_t, std::string> reported;  // seq → hex hash
    const auto on_report = [&reported](const std::string& line) { parse_report(line, reported); };
    // Every fifth run is killed early, during open, replay or resume. The others once the child
    // has committed a random 1 to 30 records more, and a random 0 to 5 ms later: mid-play, in
    // any phase of a round, however fast the machine.
    const bool early = run_no % 5 == 4;
    if (early) {
      run.read(clock_type::now() + std::chrono::milliseconds(std::uniform_int_distribution<int>(0, 30)(rng)), on_report);
    } else {
      run.read(clock_type::now() + std::chrono::seconds(30), on_report, true);
      ASSERT_TRUE(run.ready) << "run " << run_no << ": the child never became ready";
      const std::size_t target = std::uniform_int_distribution<std::size_t>(1, 30)(rng);
      const auto give_up = clock_type::now() + std::chrono::seconds(20);
      while (reported.size() < target && !run.eof && clock_type::now() < give_up) {
        run.read(clock_type::now() + std::chrono::milliseconds(2), on_report);
      }
      run.read(clock_type::now() + std::chrono::microseconds(std::uniform_int_distribution<int>(0, 5000)(rng)),
               on_report);
      if (reported.size() >= target) ++kills_while_playing;
    }
    ASSERT_EQ(::kill(run.pid, SIGKILL), 0);
    run.read(clock_type::now() + std::chrono::seconds(10), on_report);  // what was in the pipe counts too
    ::close(run.out);
    int wstatus = 0;
    ASSERT_EQ(::waitpid(run.pid, &wstatus, 0), run.pid);
    ASSERT_TRUE(WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGKILL)
        << "run " << run_no << ": the child ended by itself (status " << wstatus << ")";
    total_reported += reported.size();

    auto opened = chain_store::open(db);
    ASSERT_TRUE(opened.ok()) << "run " << run_no << ": " << describe(opened.error());
    auto sessions = opened->list_sessions();
    ASSERT_TRUE(sessions.ok());
    if (sessions->empty()) {
      ASSERT_TRUE(reported.empty()) << "run " << run_no << ": reported records of a session never stored";
      continue;
    }
    ASSERT_EQ(sessions->size(), 1u);
    const auto sid = sessions->front().id;
    auto lines = opened->load_chain(sid);
    ASSERT_TRUE(lines.ok());
    const std::uint64_t length = lines->size();

    // Nothing stored before is lost or changed.
    ASSERT_GE(length, verified) << "run " << run_no << ": stored records were lost";
    if (verified > 0) {
      ASSERT_EQ((*lines)[verified - 1].hash, last_hash) << "run " << run_no << ": a stored record changed";
    }
    // Every record reported durable is there, with the hash reported.
    for (const auto& [seq, hash] : reported) {
      ASSERT_LT(seq, length) << "run " << run_no << ": seq " << seq << " was reported durable but is not stored";
      ASSERT_EQ(crypto::to_hex((*lines)[seq].hash), hash) << "run " << run_no << ", seq " << seq;
    }
    // And the chain folds through apply, every proof checked, as start-up does.
    auto state = replay_session(*opened, sid);
    ASSERT_TRUE(state.ok()) << "run " << run_no << ": " << state.error().message();
    ASSERT_EQ(state->length, length);
    rounds_revealed = 0;
    for (const auto& r : state->rounds) rounds_revealed += r.phase == core::round_phase::revealed ? 1 : 0;

    verified = length;
    last_hash = length > 0 ? (*lines)[length - 1].hash : crypto::chain_hash{};
  }
  std::cout << "reported durable: " << total_reported << " records; stored: " << verified
            << "; rounds revealed: " << rounds_revealed << "\n";
  EXPECT_GE(kills_while_playing, 20) << "too few kills came while the child was appending";
  EXPECT_GT(total_reported, 100u) << "the child made too little progress to test anything";
  EXPECT_GE(rounds_revealed, 3u) << "the kills never let a round finish";
}

}  // namespace
}  // namespace pingyi::store
