// The units of pingyi-loadgen's report, without a server: nearest-rank percentiles, the /proc
// readings, the glance at a /ws message, the played session's grades and counts, and when a run
// counts as passed.
#include <gtest/gtest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "latency.hpp"
#include "load_report.hpp"
#include "process_usage.hpp"
#include "push_peek.hpp"
#include "session_plan.hpp"

namespace {

namespace loadgen = pingyi::loadgen;

TEST(LoadgenPercentile, NearestRankIsAMeasuredSample) {
  const std::vector<double> hundred = [] {
    std::vector<double> v;
    for (int i = 1; i <= 100; ++i) v.push_back(i);
    return v;
  }();
  struct row {
    std::vector<double> sorted;
    double p;
    double expected;
  };
  const std::vector<row> rows = {
      {{7}, 50, 7},          {{7}, 99, 7},          {{1, 2}, 50, 1},        {{1, 2}, 51, 2},
      {{1, 2, 3, 4}, 50, 2}, {{1, 2, 3, 4}, 75, 3}, {{1, 2, 3, 4}, 100, 4}, {hundred, 50, 50},
      {hundred, 95, 95},     {hundred, 99, 99},     {hundred, 99.5, 100},
  };
  for (const auto& r : rows) EXPECT_EQ(loadgen::nearest_rank(r.sorted, r.p), r.expected) << "p" << r.p;
  // 95 % of 20 samples is exactly the 19th, not the 20th (no rounding up through 0.95 · 20).
  std::vector<double> twenty;
  for (int i = 1; i <= 20; ++i) twenty.push_back(i);
  EXPECT_EQ(loadgen::nearest_rank(twenty, 95), 19);
}

TEST(LoadgenPercentile, SummarySortsAndReportsTheMaximum) {
  const auto s = loadgen::summarize({30, 10, 20, 50, 40});
  EXPECT_EQ(s.count, 5u);
  EXPECT_EQ(s.p50_ms, 30);
  EXPECT_EQ(s.p95_ms, 50);
  EXPECT_EQ(s.p99_ms, 50);
  EXPECT_EQ(s.max_ms, 50);
  const auto none = loadgen::summarize({});
  EXPECT_EQ(none.count, 0u);
  EXPECT_EQ(none.max_ms, 0);
}

TEST(LoadgenProcessUsage, ReadsPeakResidentMemoryAndCpuFromProc) {
  const std::string status = "Name:\tpingyi-server\nVmPeak:\t 900000 kB\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\n";
  // comm with a space and a parenthesis; utime 250 and stime 50 ticks (fields 14 and 15).
  const std::string stat = "4242 (pingyi (x) srv) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 5 0 1 2 3";
  const auto u = loadgen::parse_process_usage(status, stat, 100);
  ASSERT_TRUE(u.has_value());
  EXPECT_DOUBLE_EQ(u->peak_rss_mib, 200.0);
  EXPECT_DOUBLE_EQ(u->rss_mib, 100.0);
  EXPECT_DOUBLE_EQ(u->cpu_seconds, 3.0);
  EXPECT_FALSE(loadgen::parse_process_usage("Name:\tx\n", stat, 100).has_value());
  EXPECT_FALSE(loadgen::parse_process_usage(status, "4242 (x) S 1", 100).has_value());
}

TEST(LoadgenProcessUsage, ReadsItsOwnProcess) {
  const auto u = loadgen::read_process_usage(::getpid());
  ASSERT_TRUE(u.has_value());
  EXPECT_GT(u->peak_rss_mib, 0.0);
  EXPECT_GE(u->peak_rss_mib, u->rss_mib);
}

TEST(LoadgenPushPeek, FindsTheRecordTypeOfARecordPushAsTheServerWritesIt) {
  // As server/net/src/wire.cpp's record_push writes it: the line is a JSON string.
  const std::string line =
      R"({"seq":12,"prev":"58986560dc2f6366abf770c36981614ebf39ad83abbbe44ddefa52c8662937bd","time":"2026-11-23T09:00:18.000Z","type":"round_opened","round":1,"present":5})";
  nlohmann::ordered_json push = nlohmann::ordered_json::object();
  push["type"] = "record";
  push["seq"] = 12;
  push["line"] = line;
  push["sig"] = std::string(128, 'a');
  const std::string text = push.dump();
  EXPECT_EQ(loadgen::kind_of(text), loadgen::message_kind::record);
  EXPECT_EQ(loadgen::pushed_record_type(text), "round_opened");

  EXPECT_EQ(loadgen::kind_of(R"({"id":2,"ok":true,"evaluated":"00"})"), loadgen::message_kind::reply);
  EXPECT_EQ(loadgen::kind_of(R"({"type":"progress","round":1,"present":5,"tokens":4,"ballots":3,"voted":3})"),
            loadgen::message_kind::progress);
  EXPECT_EQ(loadgen::kind_of(R"({"type":"error","error":{"code":"RATE_LIMITED"}})"), loadgen::message_kind::other);
  EXPECT_EQ(loadgen::pushed_record_type(R"({"id":2,"ok":true})"), "");
  EXPECT_EQ(loadgen::pushed_record_type(R"({"type":"record","seq":1,"line":"{\"seq\":1}"})"), "");
}

TEST(LoadgenSessionPlan, CountsAreTheSumOfEachVotersGrades) {
  loadgen::session_plan plan;
  plan.members = 40;
  plan.scrutineers = 2;
  plan.targets = 5;
  plan.seed = 7;
  std::vector<std::size_t> voters;
  for (std::size_t i = 0; i < 40; i += 2) voters.push_back(i);
  const auto counts = plan.counts_of(voters);
  ASSERT_EQ(counts.size(), 5u);
  std::vector<std::vector<std::uint64_t>> by_hand(5, std::vector<std::uint64_t>(3, 0));
  for (const auto i : voters) {
    const auto c = plan.choices(i);
    for (std::size_t k = 0; k < 5; ++k) {
      EXPECT_EQ(c[k][0] + c[k][1] + c[k][2], 1) << "one grade per target";
      for (std::size_t g = 0; g < 3; ++g) by_hand[k][g] += c[k][g];
    }
  }
  EXPECT_EQ(counts, by_hand);
  // Not every voter gives every target the same grade.
  bool varied = false;
  for (const auto& c : counts) varied = varied || (c[0] != 20 && c[1] != 20 && c[2] != 20);
  EXPECT_TRUE(varied);
  const auto request = plan.create_request();
  EXPECT_EQ(request["members"].size(), 40u);
  EXPECT_EQ(request["members"][0]["id"], "m0001");
  EXPECT_EQ(request["scrutineers"], nlohmann::ordered_json::array({"m0001", "m0002"}));
  EXPECT_EQ(request["rounds"][0]["contests"].size(), 5u);
  EXPECT_EQ(request["rounds"][0]["contests"][4]["id"], "t005");
}

TEST(LoadgenReport, PassesOnlyWithEveryBallotCountedAndNoError) {
  loadgen::load_report r;
  r.voters = 3;
  r.ballots_acknowledged = 3;
  r.result_received = true;
  r.counts_match = true;
  EXPECT_TRUE(r.passed());
  EXPECT_EQ(loadgen::report_json(r)["passed"], true);
  auto missing = r;
  missing.ballots_acknowledged = 2;
  EXPECT_FALSE(missing.passed());
  auto mismatch = r;
  mismatch.counts_match = false;
  EXPECT_FALSE(mismatch.passed());
  EXPECT_NE(loadgen::report_text(mismatch).find("DIFFER"), std::string::npos);
  auto failed = r;
  failed.errors["voted FORBIDDEN"] = 1;
  EXPECT_FALSE(failed.passed());
  EXPECT_EQ(loadgen::report_json(failed)["errors_total"], 1);
  auto retried = r;
  retried.retried["cast RATE_LIMITED"] = 40;  // refusals tried again are not failures
  EXPECT_TRUE(retried.passed());
}

}  // namespace
