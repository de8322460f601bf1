// apply against the cross-implementation vectors: the chain of tests/vectors/pingyi-v1.json was
// built by pingyi-vectors straight from crypto/, not through apply, so folding it is a check of
// apply by a second hand (and of the vectors by apply).
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "pingyi/core/session_state.hpp"
#include "pingyi/crypto/bytes.hpp"
#include "pingyi/crypto/chain.hpp"
#include "pingyi/crypto/init.hpp"

namespace {

using namespace pingyi;
using json = nlohmann::json;

const json& vectors() {
  static const json doc = [] {
    std::ifstream in(std::string(PINGYI_TEST_DATA_DIR).append("/vectors/pingyi-v1.json"));
    return json::parse(in);
  }();
  return doc;
}

std::vector<std::string> chain_lines() {
  std::vector<std::string> out;
  for (const auto& e : vectors()["chain"]) out.push_back(e["line"].get<std::string>());
  return out;
}

class VectorChain : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(crypto::init()); }
};

TEST_F(VectorChain, FoldsThroughApplyRecordByRecord) {
  core::session_state s;
  const auto lines = chain_lines();
  ASSERT_FALSE(lines.empty());
  for (std::size_t seq = 0; seq < lines.size(); ++seq) {
    const auto st = core::apply_line(s, lines[seq]);
    ASSERT_TRUE(st.ok()) << "record " << seq << ": " << core::describe(st.error());
  }
  EXPECT_EQ(s.length, lines.size());
  EXPECT_EQ(crypto::to_hex(s.head), vectors()["chain"].back()["hash"].get<std::string>());
  EXPECT_EQ(crypto::to_hex(s.id), vectors()["session"]["session_id"].get<std::string>());
  EXPECT_TRUE(s.adjourned);
  ASSERT_TRUE(s.election_key.has_value());
  EXPECT_EQ(s.election_key->hex(), vectors()["trustees"]["election_key"].get<std::string>());
}

TEST_F(VectorChain, RecoversTheVectorsCountsAndRevealsEveryRound) {
  core::session_state s;
  for (const auto& line : chain_lines()) ASSERT_TRUE(core::apply_line(s, line).ok());
  const auto& rounds = vectors()["rounds"];
  ASSERT_EQ(s.rounds.size(), rounds.size());
  for (std::size_t r = 0; r < rounds.size(); ++r) {
    const auto& rs = s.rounds[r];
    EXPECT_EQ(rs.phase, core::round_phase::revealed);
    ASSERT_TRUE(rs.counts.has_value());
    const auto& counts = rounds[r]["counts"];
    ASSERT_EQ(rs.counts->size(), counts.size());
    for (std::size_t k = 0; k < counts.size(); ++k) {
      EXPECT_EQ((*rs.counts)[k], counts[k]["counts"].get<std::vector<std::uint32_t>>()) << "round " << r + 1;
    }
    EXPECT_EQ(crypto::to_hex(rs.closed_hash), rounds[r]["closed_hash"].get<std::string>());
  }
}

// Every record after genesis depends on the ones before: dropping any one breaks the fold at
// that very seq (prev no longer links), never later and never silently.
TEST_F(VectorChain, RefusesTheChainWithAnyRecordLeftOut) {
  const auto lines = chain_lines();
  for (std::size_t skip = 1; skip + 1 < lines.size(); skip += 3) {
    core::session_state s;
    for (std::size_t seq = 0; seq < skip; ++seq) ASSERT_TRUE(core::apply_line(s, lines[seq]).ok());
    const auto before = s.length;
    const auto st = core::apply_line(s, lines[skip + 1]);
    ASSERT_FALSE(st.ok()) << "record " << skip + 1 << " accepted without record " << skip;
    EXPECT_EQ(st.error().code, core::error_code::bad_request);
    EXPECT_EQ(st.error().field, "seq");
    EXPECT_EQ(s.length, before);
  }
}

}  // namespace
