// pingyi-loadgen as an operator runs it, against the real pingyi-server: a small session (50
// members × 3 targets, 2 scrutineers) played over loopback with the tool spawning the server; the
// JSON report must say every ballot was acknowledged, the decrypted counts equal the grades cast
// and nothing failed. No timing is asserted: the full runs are benchmarks (docs/BENCHMARKS.md).
// Bad options and an unreachable server are exit 2. Every wait is bounded; a tool still running
// at its deadline is SIGKILLed, and its spawned server dies with it (PR_SET_PDEATHSIG).
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "../unit/store/temp_directory.hpp"
#include "child_process.hpp"

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using namespace std::chrono_literals;
using pingyi::store::test::temp_directory;
using pingyi::test::child_process;
using pingyi::test::read_whole_file;

// Generous: under AddressSanitizer the 50 ballots' proofs and the check-ins take several seconds.
constexpr auto run_timeout = 180s;

using pingyi::test::unused_port;

class Loadgen : public ::testing::Test {
 protected:
  // Runs pingyi-loadgen with `args`; its exit code (nullopt: killed at the deadline).
  std::optional<int> run(const std::vector<std::string>& args) {
    child_process tool(PINGYI_LOADGEN_BINARY, args, temp_.path() / "out.txt", temp_.path() / "err.txt");
    const auto code = tool.wait_exit(run_timeout);
    output_ = tool.output();
    errors_ = tool.errors();
    return code;
  }

  temp_directory temp_;
  std::string output_;
  std::string errors_;
};

TEST_F(Loadgen, SmallSessionWithScrutineersIsCountedExactlyAsCast) {
  const fs::path report_file = temp_.path() / "report.json";
  const auto code = run({"--spawn", PINGYI_SERVER_BINARY, "--members", "50", "--targets", "3", "--scrutineers", "2",
                         "--spread", "1", "--json", report_file.string()});
  ASSERT_TRUE(code.has_value()) << "pingyi-loadgen did not finish\n" << output_ << errors_;
  EXPECT_EQ(*code, 0) << output_ << errors_;
  const json report = json::parse(read_whole_file(report_file), nullptr, false);
  ASSERT_TRUE(report.is_object()) << read_whole_file(report_file);

  EXPECT_EQ(report["config"]["members"], 50);
  EXPECT_EQ(report["config"]["targets"], 3);
  EXPECT_EQ(report["config"]["scrutineers"], 2);
  EXPECT_EQ(report["ballots"]["acknowledged"], 50);
  EXPECT_EQ(report["ballots"]["all_acknowledged"], true);
  EXPECT_EQ(report["errors_total"], 0) << report["errors"].dump();
  EXPECT_EQ(report["result"]["received"], true);
  EXPECT_EQ(report["result"]["counts_match"], true) << report["result"].dump();
  EXPECT_EQ(report["result"]["ballots"], 50);
  EXPECT_EQ(report["result"]["undeclared"], 0);
  // The counts are the tool's own choices: 3 targets × 3 grades adding up to 50 ballots each.
  ASSERT_EQ(report["result"]["counted"].size(), 3u);
  for (const auto& counts : report["result"]["counted"]) {
    ASSERT_EQ(counts.size(), 3u);
    EXPECT_EQ(counts[0].get<int>() + counts[1].get<int>() + counts[2].get<int>(), 50);
  }
  EXPECT_EQ(report["result"]["counted"], report["result"]["expected"]);
  // Every step measured once per tablet, the server's cost read from /proc.
  EXPECT_EQ(report["latency_ms"]["hello"]["count"], 50);
  EXPECT_EQ(report["latency_ms"]["token"]["count"], 50);
  EXPECT_EQ(report["latency_ms"]["cast_to_receipt"]["count"], 50);
  EXPECT_EQ(report["latency_ms"]["voted"]["count"], 50);
  EXPECT_EQ(report["latency_ms"]["close_to_result"]["count"], 1);
  ASSERT_TRUE(report["server"].is_object());
  EXPECT_GT(report["server"]["peak_rss_mib"].get<double>(), 0.0);
  ASSERT_TRUE(report["chain_head"].is_object());
  // genesis, server trustee, round, 50 check-ins, 2 trustee keys, election key, round_opened,
  // 50 tokens, 50 ballots, round_closed, 3 decryptions, result: seq of the last is 161.
  EXPECT_EQ(report["chain_head"]["seq"], 161);
  EXPECT_EQ(report["passed"], true);
  // With --json FILE the table for people still goes to stdout.
  EXPECT_NE(output_.find("cast_to_receipt"), std::string::npos) << output_;
  EXPECT_NE(output_.find("PASS"), std::string::npos) << output_;
}

TEST_F(Loadgen, UnreachableServerIsExitTwoWithAClearError) {
  const fs::path token = temp_.path() / "admin-token";
  std::ofstream(token) << "0123456789abcdef0123456789abcdef\n";
  const auto code = run({"--port", std::to_string(unused_port()), "--admin-token-file", token.string(), "--members",
                         "5", "--timeout", "10"});
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 2);
  EXPECT_NE(errors_.find("cannot be reached"), std::string::npos) << errors_;
}

TEST_F(Loadgen, BadOptionsAreExitTwo) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"--members", "0", "--spawn", PINGYI_SERVER_BINARY},
        std::vector<std::string>{"--members", "10", "--voters", "11", "--spawn", PINGYI_SERVER_BINARY},
        std::vector<std::string>{"--members", "10"},  // neither a server nor --spawn
        std::vector<std::string>{"--no-such-option"},
        std::vector<std::string>{"--arrival", "poisson", "--spawn", PINGYI_SERVER_BINARY}}) {
    const auto code = run(args);
    ASSERT_TRUE(code.has_value());
    EXPECT_EQ(*code, 2) << args.front() << "\n" << errors_;
  }
}

}  // namespace
