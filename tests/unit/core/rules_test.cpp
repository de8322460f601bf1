// Tests of the result rules of DESIGN.md §3.7: evaluation grades, 满意率, scores and ranks;
// motions; selections with ties at the cut; the rule's validation and JSON codec. Expectations
// are computed by hand, the arithmetic written beside each case.
#include "pingyi/core/rules.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace pingyi::core {
namespace {

using json = nlohmann::ordered_json;
using counts_t = std::vector<std::uint32_t>;
using std::nullopt;

std::vector<std::string> three_grades() { return {"满意", "基本满意", "不满意"}; }
std::vector<std::string> four_grades() { return {"优秀", "称职", "基本称职", "不称职"}; }
std::vector<std::string> motion_options() { return {"赞成", "反对", "弃权"}; }

// n contests "c1" … "cn" with the same options and min … max.
std::vector<contest_shape> contests_of(std::size_t n, const std::vector<std::string>& options, std::uint32_t min,
                                       std::uint32_t max) {
  std::vector<contest_shape> out;
  for (std::size_t k = 0; k < n; ++k) {
    std::string id = "c";  // not "c" + to_string(): GCC 12's -Wrestrict misfires on it at -O3
    id += std::to_string(k + 1);
    out.push_back({id, options, min, max});
  }
  return out;
}

std::vector<std::string> candidates(std::size_t n) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < n; ++i) out.push_back(std::string(1, static_cast<char>('A' + i)));
  return out;
}

evaluation_rule weighted(std::uint32_t pass_grades, std::vector<std::uint32_t> weights) {
  return evaluation_rule{pass_grades, std::move(weights)};
}
evaluation_rule unweighted(std::uint32_t pass_grades) { return evaluation_rule{pass_grades, nullopt}; }

// The fields of an evaluation result other than id and counts.
struct expected_evaluation {
  std::optional<std::uint32_t> grade;
  bool passed;
  std::optional<std::uint32_t> rate_bp;
  std::optional<std::uint64_t> score_x100;
  std::optional<std::uint32_t> rank;
};

struct evaluation_case {
  const char* name;
  evaluation_rule rule;
  std::vector<std::string> scale;
  std::uint32_t ballots;
  std::vector<counts_t> counts;  // one per target
  std::vector<expected_evaluation> expected;
};

TEST(EvaluationRule, ComputesGradePassRateScoreAndRankByHand) {
  const evaluation_rule standard = weighted(2, {100, 60, 0});  // the default for 3 grades
  // clang-format off
  const std::vector<evaluation_case> cases{
      // 30·2 = 60 > 50 → grade 0; rate 10000·45/50 = 9000; score 100·(3000 + 900)/50 = 7800.
      {"clear majority 满意", standard, three_grades(), 50, {{30, 15, 5}}, {{0, true, 9000, 7800, 1}}},
      // Exactly half is not a majority: 5·2 = 10 > 10 no, (5+0)·2 = 10 no, 10·2 = 20 > 10 → 2.
      // rate 10000·5/10 = 5000; score 100·500/10 = 5000.
      {"exactly half 满意 is not a majority", standard, three_grades(), 10, {{5, 0, 5}},
       {{2, false, 5000, 5000, 1}}},
      // 3·2 = 6 > 11 no, 6·2 = 12 > 11 → grade 1, passes; rate 10000·6/11 = 5454.5 → 5454;
      // score 100·(300 + 180)/11 = 4363.6 → 4363.
      {"cumulative majority at 基本满意 floors", standard, three_grades(), 11, {{3, 3, 5}},
       {{1, true, 5454, 4363, 1}}},
      // 2·2 = 4 > 10 no, (2+3)·2 = 10 > 10 no → grade 2 although 满意 + 基本满意 is half.
      {"half at 基本满意 fails", standard, three_grades(), 10, {{2, 3, 5}}, {{2, false, 5000, 3800, 1}}},
      // 1,1,1 of 3: 2 > 3 no, 4 > 3 → 1; rate 20000/3 = 6666; score 100·160/3 = 5333.
      {"thirds floor", standard, three_grades(), 3, {{1, 1, 1}}, {{1, true, 6666, 5333, 1}}},
      // Scores 7800, 7800, 100·(500 + 120)/10 = 6200 → ranks 1, 1, 3 (competition ranking).
      {"tied scores share a rank", standard, three_grades(), 10, {{6, 3, 1}, {6, 3, 1}, {5, 2, 3}},
       {{0, true, 9000, 7800, 1}, {0, true, 9000, 7800, 1}, {1, true, 7000, 6200, 3}}},
      // A tie below the top: 8000 (5,5,0: 10 > 10 no, 20 > 10 → 1), then 7800, 7800 → 1, 2, 2.
      {"tie below the top", standard, three_grades(), 10, {{6, 3, 1}, {5, 5, 0}, {6, 3, 1}},
       {{0, true, 9000, 7800, 2}, {1, true, 10000, 8000, 1}, {0, true, 9000, 7800, 2}}},
      // No weights: ranked by rate_bp, 9000, 10000, 8000 → 2, 1, 3. (Ranked by the default
      // weights' scores, 7800, 6400, 6800, the order would differ.)
      {"without weights ranks by 满意率", unweighted(2), three_grades(), 10, {{6, 3, 1}, {1, 9, 0}, {5, 3, 2}},
       {{0, true, 9000, nullopt, 2}, {1, true, 10000, nullopt, 1}, {1, true, 8000, nullopt, 3}}},
      // 4 grades, default rule (no weights): 8,7,3,2 of 20: 16 > 20 no, 30 > 20 → 1, rate
      // 10000·15/20 = 7500; 2,6,8,4: 4, 16, 32 > 20 → 2, rate 10000·8/20 = 4000; 0,0,0,20 → 3, 0.
      {"4-grade 优秀/称职/基本称职/不称职", unweighted(2), four_grades(), 20, {{8, 7, 3, 2}, {2, 6, 8, 4}, {0, 0, 0, 20}},
       {{1, true, 7500, nullopt, 1}, {2, false, 4000, nullopt, 2}, {3, false, 0, nullopt, 3}}},
      // 4 grades weighted 100/80/60/0 with pass_grades 3: scores 100·(800 + 560 + 180)/20 = 7700
      // and 100·(200 + 480 + 480)/20 = 5800; rates 10000·18/20 = 9000 and 10000·16/20 = 8000;
      // grade 2 passes when three grades pass.
      {"4-grade custom weights and pass_grades", weighted(3, {100, 80, 60, 0}), four_grades(), 20,
       {{8, 7, 3, 2}, {2, 6, 8, 4}}, {{1, true, 9000, 7700, 1}, {2, true, 8000, 5800, 2}}},
      // pass_grades 1: grade 1 (4·2 = 8 > 10 no, 20 > 10) does not pass; rate counts 满意 only.
      {"pass_grades 1", weighted(1, {100, 60, 0}), three_grades(), 10, {{4, 6, 0}}, {{1, false, 4000, 7600, 1}}},
      // pass_grades 3: even grade 2 passes and the rate is 100%.
      {"pass_grades 3", weighted(3, {100, 60, 0}), three_grades(), 10, {{0, 1, 9}}, {{2, true, 10000, 600, 1}}},
      // Weights 3/1/0 over 300 ballots: 100·30/300 = 10 and 100·31/300 = 10.33 → 10 tie after
      // flooring (§3.7 ranks by score_x100 as recorded); 100·20/300 = 6.67 → 6. Rates: 10000·10/300
      // = 333, 10000·9/300 = 300, 0. All grades 2 (the third grade brings the majority).
      {"ranks by the floored score", weighted(1, {3, 1, 0}), three_grades(), 300,
       {{10, 0, 290}, {9, 4, 287}, {0, 20, 280}},
       {{2, false, 333, 10, 1}, {2, false, 300, 10, 1}, {2, false, 0, 6, 3}}},
      // Zero ballots: every derived field null, nothing passes, no rank.
      {"zero ballots", standard, three_grades(), 0, {{0, 0, 0}, {0, 0, 0}},
       {{nullopt, false, nullopt, nullopt, nullopt}, {nullopt, false, nullopt, nullopt, nullopt}}},
      {"zero ballots without weights", unweighted(2), four_grades(), 0, {{0, 0, 0, 0}},
       {{nullopt, false, nullopt, nullopt, nullopt}}},
      // All abstaining (counts below the ballots): no grade, nothing passes, but rate and score
      // are defined (0) and rank.
      {"all abstaining", standard, three_grades(), 5, {{0, 0, 0}}, {{nullopt, false, 0, 0, 1}}},
      // Partly abstaining: 2·2 = 4 > 5 never reached → no grade; rate 10000·2/5 = 4000; score
      // 100·200/5 = 4000; ranked above the all-abstaining target.
      {"no cumulative majority", standard, three_grades(), 5, {{2, 0, 0}, {0, 0, 0}},
       {{nullopt, false, 4000, 4000, 1}, {nullopt, false, 0, 0, 2}}},
      // Weights at the bound over many ballots: 100·10^6·4,000,000/4,000,000 = 10^8, no overflow.
      {"largest weights", weighted(2, {max_weight, max_weight, max_weight}), three_grades(), 4'000'000,
       {{4'000'000, 0, 0}}, {{0, true, 10000, 100'000'000, 1}}},
  };
  // clang-format on
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const auto contests = contests_of(c.counts.size(), c.scale, 1, 1);
    const auto results = compute_results(c.rule, contests, {30, 25, c.ballots, c.counts});
    ASSERT_TRUE(results.ok()) << describe(results.error());
    ASSERT_EQ(results->size(), c.expected.size());
    for (std::size_t k = 0; k < c.expected.size(); ++k) {
      SCOPED_TRACE("contest " + std::to_string(k));
      const auto& got = std::get<evaluation_result>((*results)[k]);
      const auto& want = c.expected[k];
      EXPECT_EQ(got.id, contests[k].id);
      EXPECT_EQ(got.counts, c.counts[k]);
      EXPECT_EQ(got.grade, want.grade);
      EXPECT_EQ(got.passed, want.passed);
      EXPECT_EQ(got.rate_bp, want.rate_bp);
      EXPECT_EQ(got.score_x100, want.score_x100);
      EXPECT_EQ(got.rank, want.rank);
    }
  }
}

struct motion_case {
  const char* name;
  motion_rule rule;
  std::uint32_t members, present, ballots;
  counts_t counts;  // 赞成, 反对, 弃权
  bool passed;
};

TEST(MotionRule, PassesByBaseAndFractionAtExactBoundaries) {
  const motion_rule half_members{};
  const motion_rule two_thirds_members_inclusive{motion_base::members, 2, 3, true};
  const motion_rule two_thirds_members_exclusive{motion_base::members, 2, 3, false};
  const motion_rule half_present{motion_base::present, 1, 2, false};
  const motion_rule two_fifths_present_inclusive{motion_base::present, 2, 5, true};
  const motion_rule half_ballots{motion_base::ballots, 1, 2, false};
  const motion_rule half_ballots_inclusive{motion_base::ballots, 1, 2, true};
  const motion_rule all_present_inclusive{motion_base::present, 1, 1, true};
  // clang-format off
  const std::vector<motion_case> cases{
      // 全体组成人员过半数 of 30: 15·2 = 30 > 30 no; 16·2 = 32 > 30 yes.
      {"half of members exactly fails", half_members, 30, 25, 22, {15, 5, 2}, false},
      {"one more than half of members passes", half_members, 30, 25, 22, {16, 4, 2}, true},
      // A majority of those voting is not a majority of members.
      {"majority of ballots is not of members", half_members, 30, 25, 22, {14, 6, 2}, false},
      // 三分之二以上 of 30: 20·3 = 60 ≥ 30·2 = 60 yes; 19·3 = 57 no.
      {"two thirds inclusive at exactly two thirds", two_thirds_members_inclusive, 30, 25, 22, {20, 1, 1}, true},
      {"two thirds inclusive one short", two_thirds_members_inclusive, 30, 25, 22, {19, 2, 1}, false},
      {"two thirds exclusive at exactly two thirds", two_thirds_members_exclusive, 30, 25, 22, {20, 1, 1}, false},
      {"two thirds exclusive one more", two_thirds_members_exclusive, 30, 25, 22, {21, 0, 1}, true},
      // Base present 25: 13·2 = 26 > 25 yes (though not a majority of the 30 members);
      // 12·2 = 24 > 25 no (though a majority of the 22 ballots).
      {"half of present passes", half_present, 30, 25, 22, {13, 9, 0}, true},
      {"half of present fails", half_present, 30, 25, 22, {12, 10, 0}, false},
      // 2/5 of present inclusive: 10·5 = 50 ≥ 25·2 = 50 yes; 9·5 = 45 no.
      {"two fifths of present inclusive at boundary", two_fifths_present_inclusive, 30, 25, 22, {10, 12, 0}, true},
      {"two fifths of present inclusive one short", two_fifths_present_inclusive, 30, 25, 22, {9, 13, 0}, false},
      // Base ballots 20: 10·2 = 20 > 20 no, ≥ yes; 11·2 = 22 > 20 yes.
      {"half of ballots exclusive fails at half", half_ballots, 30, 25, 20, {10, 10, 0}, false},
      {"half of ballots inclusive passes at half", half_ballots_inclusive, 30, 25, 20, {10, 10, 0}, true},
      {"more than half of ballots passes", half_ballots, 30, 25, 20, {11, 5, 4}, true},
      // Unanimity of present, inclusive: 25·1 ≥ 25·1.
      {"all present inclusive", all_present_inclusive, 30, 25, 25, {25, 0, 0}, true},
      // Zero ballots: nothing passes, not even an inclusive rule whose base is 0 (0 ≥ 0).
      {"zero ballots base ballots inclusive", half_ballots_inclusive, 30, 25, 0, {0, 0, 0}, false},
      {"zero ballots base present 0 inclusive", all_present_inclusive, 30, 0, 0, {0, 0, 0}, false},
      {"zero ballots base members", half_members, 30, 25, 0, {0, 0, 0}, false},
  };
  // clang-format on
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const auto contests = contests_of(1, motion_options(), 1, 1);
    const auto results = compute_results(c.rule, contests, {c.members, c.present, c.ballots, {c.counts}});
    ASSERT_TRUE(results.ok()) << describe(results.error());
    ASSERT_EQ(results->size(), 1U);
    const auto& got = std::get<motion_result>(results->front());
    EXPECT_EQ(got.id, "c1");
    EXPECT_EQ(got.counts, c.counts);
    EXPECT_EQ(got.passed, c.passed);
  }
}

TEST(MotionRule, DecidesEachMotionOfARoundSeparately) {
  // 30 members, 1/2 of members: 16 passes, 15 does not, 30 does.
  const auto contests = contests_of(3, motion_options(), 1, 1);
  const auto results = compute_results(motion_rule{}, contests, {30, 30, 30, {{16, 14, 0}, {15, 15, 0}, {30, 0, 0}}});
  ASSERT_TRUE(results.ok()) << describe(results.error());
  ASSERT_EQ(results->size(), 3U);
  EXPECT_TRUE(std::get<motion_result>((*results)[0]).passed);
  EXPECT_FALSE(std::get<motion_result>((*results)[1]).passed);
  EXPECT_TRUE(std::get<motion_result>((*results)[2]).passed);
  EXPECT_EQ(std::get<motion_result>((*results)[1]).id, "c2");
}

struct selection_case {
  const char* name;
  selection_rule rule;
  std::uint32_t max;
  std::uint32_t ballots;
  counts_t counts;
  counts_t selected;
  counts_t tied;
};

TEST(SelectionRule, SelectsBestFirstAndSendsStraddlingTiesToRunoff) {
  const selection_rule half{};
  const selection_rule half_inclusive{1, 2, true};
  const selection_rule two_thirds_inclusive{2, 3, true};
  // clang-format off
  const std::vector<selection_case> cases{
      // More than 5 of 10: A 8, B 6, D 7 qualify; best first D before B; max 2 cuts B.
      {"max limits the selected", half, 2, 10, {8, 6, 3, 7, 1}, {0, 3}, {}},
      {"fewer qualified than max", half, 4, 10, {8, 6, 3, 7, 1}, {0, 3, 1}, {}},
      // A 9, then B, C, D on 7 straddle the cut at 2: A selected, B C D to a runoff.
      {"tie straddles the cut", half, 2, 10, {9, 7, 7, 7, 3}, {0}, {1, 2, 3}},
      // The tie is at the very first place: nobody selected.
      {"tie straddles a cut of one", half, 1, 10, {7, 7, 2}, {}, {0, 1}},
      // Ties entirely inside the cut are all selected.
      {"tie inside the cut", half, 2, 10, {8, 8, 3, 1}, {0, 1}, {}},
      {"three-way tie filling the cut", half, 3, 10, {8, 8, 8, 1}, {0, 1, 2}, {}},
      // A tie entirely outside the cut does not matter: 9, 8 | 6, 6.
      {"tie outside the cut", half, 2, 10, {9, 8, 6, 6}, {0, 1}, {}},
      // B and C tie at 5 of 10 but do not qualify (5·2 = 10 > 10 no): no runoff among them.
      {"tie below the threshold is no runoff", half, 2, 10, {6, 5, 5}, {0}, {}},
      // Exactly half: exclusive 5·2 = 10 > 10 no; inclusive 10 ≥ 10 yes, ordered B (6) then A (5).
      {"half exclusive at the boundary", half, 3, 10, {5, 6, 4}, {1}, {}},
      {"half inclusive at the boundary", half_inclusive, 3, 10, {5, 6, 4}, {1, 0}, {}},
      // Equal votes are ordered by index: 9 (B), then A and C on 6.
      {"order by votes then index", half, 3, 10, {6, 9, 6}, {1, 0, 2}, {}},
      // 2/3 inclusive of 9: A 6·3 = 18 ≥ 18 yes, B 5·3 = 15 no, C 7 yes → C, A.
      {"two thirds inclusive", two_thirds_inclusive, 3, 9, {6, 5, 7}, {2, 0}, {}},
      // Zero ballots: empty, even with an inclusive rule for which 0·2 ≥ 0·1.
      {"zero ballots", half, 2, 0, {0, 0, 0}, {}, {}},
      {"zero ballots inclusive", half_inclusive, 2, 0, {0, 0, 0}, {}, {}},
      // Nobody qualifies.
      {"nobody has a majority", half, 2, 10, {4, 3, 3}, {}, {}},
  };
  // clang-format on
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const std::vector<contest_shape> contests{{"list", candidates(c.counts.size()), 0, c.max}};
    const auto results = compute_results(c.rule, contests, {30, 25, c.ballots, {c.counts}});
    ASSERT_TRUE(results.ok()) << describe(results.error());
    const auto& got = std::get<selection_result>(results->front());
    EXPECT_EQ(got.id, "list");
    EXPECT_EQ(got.counts, c.counts);
    EXPECT_EQ(got.selected, c.selected);
    EXPECT_EQ(got.tied, c.tied);
  }
}

TEST(RuleResults, RejectCountsThatDoNotFitTheContests) {
  const auto contests = contests_of(2, three_grades(), 1, 1);
  const rule standard = default_rule(round_kind::evaluation, 3);
  struct bad_totals {
    const char* name;
    round_totals totals;
    const char* field;
  };
  // clang-format off
  const std::vector<bad_totals> cases{
      {"one contest missing", {30, 25, 10, {{5, 5, 0}}}, "counts"},
      {"an option missing", {30, 25, 10, {{5, 5, 0}, {5, 5}}}, "counts[1]"},
      {"a count above the ballots", {30, 25, 10, {{5, 11, 0}, {5, 5, 0}}}, "counts[0][1]"},
      // One choice per target: 6 + 5 > 10 ballots.
      {"more selections than ballots", {30, 25, 10, {{5, 5, 0}, {6, 5, 0}}}, "counts[1]"},
  };
  // clang-format on
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const auto results = compute_results(standard, contests, c.totals);
    ASSERT_FALSE(results.ok());
    EXPECT_EQ(results.error().code, error_code::internal);
    EXPECT_EQ(results.error().field, c.field);
  }
}

TEST(RuleResults, RejectAnInvalidRuleBeforeComputing) {
  const auto contests = contests_of(1, three_grades(), 1, 1);
  const auto results = compute_results(evaluation_rule{4, nullopt}, contests, {30, 25, 10, {{5, 5, 0}}});
  ASSERT_FALSE(results.ok());
  EXPECT_EQ(results.error().code, error_code::bad_request);
  EXPECT_EQ(results.error().field, "rule.pass_grades");
}

TEST(RuleDefaults, GiveWeightsOnlyToTheThreeGradeScale) {
  EXPECT_EQ(default_rule(round_kind::evaluation, 3), rule{weighted(2, {100, 60, 0})});
  EXPECT_EQ(default_rule(round_kind::evaluation, 4), rule{unweighted(2)});
  EXPECT_EQ(default_rule(round_kind::evaluation, 2), rule{unweighted(2)});
  EXPECT_EQ(default_rule(round_kind::motion, 3), rule{(motion_rule{motion_base::members, 1, 2, false})});
  EXPECT_EQ(default_rule(round_kind::selection, 5), rule{(selection_rule{1, 2, false})});
  EXPECT_EQ(kind_of(default_rule(round_kind::motion, 3)), round_kind::motion);
  EXPECT_EQ(kind_of(default_rule(round_kind::selection, 3)), round_kind::selection);
  EXPECT_EQ(kind_of(default_rule(round_kind::evaluation, 3)), round_kind::evaluation);
}

TEST(RuleKinds, RoundTripThroughTheirWireNames) {
  for (auto k : {round_kind::evaluation, round_kind::motion, round_kind::selection}) {
    EXPECT_EQ(parse_round_kind(to_string(k)), k);
  }
  EXPECT_EQ(to_string(round_kind::evaluation), "evaluation");
  EXPECT_EQ(parse_round_kind("Evaluation"), nullopt);
  EXPECT_EQ(parse_round_kind(""), nullopt);
  for (auto b : {motion_base::members, motion_base::present, motion_base::ballots}) {
    EXPECT_EQ(parse_motion_base(to_string(b)), b);
  }
  EXPECT_EQ(parse_motion_base("all"), nullopt);
}

struct decode_case {
  const char* name;
  round_kind kind;
  const char* text;
  std::vector<std::string> options;
  rule expected;
};

TEST(RuleCodec, DecodesWithDefaultsForMissingKeys) {
  // clang-format off
  const std::vector<decode_case> cases{
      {"empty evaluation on 3 grades", round_kind::evaluation, "{}", three_grades(), weighted(2, {100, 60, 0})},
      {"empty evaluation on 4 grades has no weights", round_kind::evaluation, "{}", four_grades(), unweighted(2)},
      {"null weights on 3 grades means none", round_kind::evaluation, R"({"weights": null})", three_grades(),
       unweighted(2)},
      {"pass_grades alone keeps the default weights", round_kind::evaluation, R"({"pass_grades": 1})", three_grades(),
       weighted(1, {100, 60, 0})},
      {"4-grade weights", round_kind::evaluation, R"({"weights": [100, 80, 60, 0], "pass_grades": 3})", four_grades(),
       weighted(3, {100, 80, 60, 0})},
      {"zero weights are allowed", round_kind::evaluation, R"({"weights": [0, 0, 0]})", three_grades(),
       weighted(2, {0, 0, 0})},
      {"weights at the bound", round_kind::evaluation, R"({"weights": [1000000, 0, 0]})", three_grades(),
       weighted(2, {1'000'000, 0, 0})},
      {"empty motion", round_kind::motion, "{}", motion_options(), motion_rule{}},
      {"motion 三分之二以上 of present, keys in any order", round_kind::motion,
       R"({"inclusive": true, "den": 3, "num": 2, "base": "present"})", motion_options(),
       motion_rule{motion_base::present, 2, 3, true}},
      {"motion num equal to den", round_kind::motion, R"({"base": "ballots", "num": 1, "den": 1})", motion_options(),
       motion_rule{motion_base::ballots, 1, 1, false}},
      {"motion with the largest den", round_kind::motion, R"({"num": 4294967295, "den": 4294967295})",
       motion_options(), motion_rule{motion_base::members, 4294967295U, 4294967295U, false}},
      {"empty selection", round_kind::selection, "{}", candidates(4), selection_rule{}},
      {"selection inclusive", round_kind::selection, R"({"inclusive": true})", candidates(4),
       selection_rule{1, 2, true}},
  };
  // clang-format on
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const auto contests = contests_of(2, c.options, 1, 1);
    const auto decoded = rule_from_json(c.kind, json::parse(c.text), contests);
    ASSERT_TRUE(decoded.ok()) << describe(decoded.error());
    EXPECT_EQ(*decoded, c.expected);
    EXPECT_EQ(kind_of(*decoded), c.kind);
  }
}

TEST(RuleCodec, EncodesEveryKeyInDocumentedOrder) {
  EXPECT_EQ(to_json(weighted(2, {100, 60, 0})).dump(), R"({"pass_grades":2,"weights":[100,60,0]})");
  EXPECT_EQ(to_json(unweighted(3)).dump(), R"({"pass_grades":3,"weights":null})");
  EXPECT_EQ(to_json(motion_rule{}).dump(), R"({"base":"members","num":1,"den":2,"inclusive":false})");
  EXPECT_EQ(to_json(motion_rule{motion_base::present, 2, 3, true}).dump(),
            R"({"base":"present","num":2,"den":3,"inclusive":true})");
  EXPECT_EQ(to_json(selection_rule{}).dump(), R"({"num":1,"den":2,"inclusive":false})");
}

TEST(RuleCodec, RoundTripsThroughText) {
  struct round_trip_case {
    rule r;
    std::vector<std::string> options;
  };
  // clang-format off
  const std::vector<round_trip_case> cases{
      {weighted(2, {100, 60, 0}), three_grades()},
      // Without weights on a 3-grade scale: "weights": null keeps it from becoming [100, 60, 0].
      {unweighted(2), three_grades()},
      {weighted(1, {7, 5, 3}), three_grades()},
      {unweighted(4), four_grades()},
      {weighted(3, {100, 80, 60, 0}), four_grades()},
      {motion_rule{}, motion_options()},
      {motion_rule{motion_base::ballots, 3, 4, true}, motion_options()},
      {motion_rule{motion_base::present, 2, 3, false}, motion_options()},
      {selection_rule{}, candidates(5)},
      {selection_rule{2, 3, true}, candidates(5)},
  };
  // clang-format on
  for (const auto& c : cases) {
    const std::string text = to_json(c.r).dump();
    SCOPED_TRACE(text);
    const auto contests = contests_of(3, c.options, 1, 1);
    const auto decoded = rule_from_json(kind_of(c.r), json::parse(text), contests);
    ASSERT_TRUE(decoded.ok()) << describe(decoded.error());
    EXPECT_EQ(*decoded, c.r);
    EXPECT_EQ(to_json(*decoded).dump(), text);
  }
}

struct hostile_case {
  const char* name;
  round_kind kind;
  json input;
  const char* field;
};

json parsed(const char* text) { return json::parse(text); }

TEST(RuleCodec, RejectsHostileJsonNamingTheField) {
  const auto e = round_kind::evaluation;
  const auto m = round_kind::motion;
  const auto s = round_kind::selection;
  // clang-format off
  const std::vector<hostile_case> cases{
      // Not an object.
      {"array", e, parsed("[]"), "rule"},
      {"null", m, parsed("null"), "rule"},
      {"string", s, parsed(R"("1/2")"), "rule"},
      {"number", e, parsed("2"), "rule"},
      // Unknown keys, including another kind's.
      {"misspelt key", e, parsed(R"({"weight": [100, 60, 0]})"), "rule.weight"},
      {"motion key on evaluation", e, parsed(R"({"base": "members"})"), "rule.base"},
      {"evaluation key on motion", m, parsed(R"({"pass_grades": 2})"), "rule.pass_grades"},
      {"motion key on selection", s, parsed(R"({"base": "members"})"), "rule.base"},
      {"empty key", s, parsed(R"({"": 1})"), "rule."},
      // Wrong types.
      {"pass_grades as string", e, parsed(R"({"pass_grades": "2"})"), "rule.pass_grades"},
      {"pass_grades as bool", e, parsed(R"({"pass_grades": true})"), "rule.pass_grades"},
      {"pass_grades as null", e, parsed(R"({"pass_grades": null})"), "rule.pass_grades"},
      {"pass_grades as array", e, parsed(R"({"pass_grades": [2]})"), "rule.pass_grades"},
      {"weights as string", e, parsed(R"({"weights": "100,60,0"})"), "rule.weights"},
      {"weights as object", e, parsed(R"({"weights": {"0": 100}})"), "rule.weights"},
      {"weights element null", e, parsed(R"({"weights": [100, null, 0]})"), "rule.weights[1]"},
      {"weights element nested", e, parsed(R"({"weights": [[100], 60, 0]})"), "rule.weights[0]"},
      {"base as number", m, parsed(R"({"base": 1})"), "rule.base"},
      {"base unknown", m, parsed(R"({"base": "everyone"})"), "rule.base"},
      {"base upper case", m, parsed(R"({"base": "MEMBERS"})"), "rule.base"},
      {"inclusive as string", m, parsed(R"({"inclusive": "true"})"), "rule.inclusive"},
      {"inclusive as number", s, parsed(R"({"inclusive": 1})"), "rule.inclusive"},
      {"num as string", s, parsed(R"({"num": "1"})"), "rule.num"},
      // Negative, fractional, huge numbers.
      {"negative pass_grades", e, parsed(R"({"pass_grades": -1})"), "rule.pass_grades"},
      {"negative weight", e, parsed(R"({"weights": [100, -60, 0]})"), "rule.weights[1]"},
      {"fractional weight", e, parsed(R"({"weights": [100, 60.5, 0]})"), "rule.weights[1]"},
      {"integral float weight", e, parsed(R"({"weights": [100.0, 60, 0]})"), "rule.weights[0]"},
      {"exponent den", s, parsed(R"({"den": 1e2})"), "rule.den"},
      {"negative num", s, parsed(R"({"num": -1})"), "rule.num"},
      {"den above 32 bits", m, parsed(R"({"den": 4294967296})"), "rule.den"},
      {"den above 64 bits", m, parsed(R"({"num": 1, "den": 99999999999999999999})"), "rule.den"},
      {"den below -2^63", m, parsed(R"({"den": -9223372036854775809})"), "rule.den"},
      {"weight above the bound", e, parsed(R"({"weights": [1000001, 60, 0]})"), "rule.weights[0]"},
      {"weight above 64 bits", e, parsed(R"({"weights": [18446744073709551616, 60, 0]})"), "rule.weights[0]"},
      {"infinite weight", e, json::object({{"weights", {std::numeric_limits<double>::infinity(), 60, 0}}}),
       "rule.weights[0]"},
      {"NaN pass_grades", e, json::object({{"pass_grades", std::numeric_limits<double>::quiet_NaN()}}),
       "rule.pass_grades"},
      {"negative signed den built in C++", m, json::object({{"den", -2}}), "rule.den"},
      {"signed num above 32 bits built in C++", m, json::object({{"num", std::int64_t{1} << 40}}), "rule.num"},
      // Out of range.
      {"den 0", m, parsed(R"({"den": 0})"), "rule.den"},
      {"num 0", s, parsed(R"({"num": 0})"), "rule.num"},
      {"num above den", m, parsed(R"({"num": 3, "den": 2})"), "rule.num"},
      {"num above den selection", s, parsed(R"({"num": 2, "den": 1})"), "rule.num"},
      {"pass_grades 0", e, parsed(R"({"pass_grades": 0})"), "rule.pass_grades"},
      {"pass_grades above options", e, parsed(R"({"pass_grades": 4})"), "rule.pass_grades"},
      {"too few weights", e, parsed(R"({"weights": [100, 60]})"), "rule.weights"},
      {"too many weights", e, parsed(R"({"weights": [100, 60, 0, 0]})"), "rule.weights"},
      {"no weights", e, parsed(R"({"weights": []})"), "rule.weights"},
  };
  // clang-format on
  // Three contests of three options, min = max = 1, so that only the rule can be wrong.
  const auto contests = contests_of(3, three_grades(), 1, 1);
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    std::optional<result<rule>> decoded;
    EXPECT_NO_THROW(decoded.emplace(rule_from_json(c.kind, c.input, contests)));
    ASSERT_TRUE(decoded.has_value());
    ASSERT_FALSE(decoded->ok()) << to_json(decoded->value()).dump();
    EXPECT_EQ(decoded->error().code, error_code::bad_request);
    EXPECT_EQ(decoded->error().field, c.field) << describe(decoded->error());
    EXPECT_FALSE(decoded->error().message.empty());
  }
}

TEST(RuleValidation, ChecksTheRoundsContests) {
  struct validation_case {
    const char* name;
    rule r;
    std::vector<contest_shape> contests;
    const char* field;  // nullptr: valid
  };
  auto three = contests_of(3, three_grades(), 1, 1);
  auto other_labels = three;
  other_labels[2].options = {"满意", "较满意", "不满意"};
  auto mixed_scales = three;
  mixed_scales[1].options = four_grades();
  auto min_zero = three;
  min_zero[0].min = 0;
  auto max_two = three;
  max_two[1].max = 2;
  // clang-format off
  const std::vector<validation_case> cases{
      {"3-grade evaluation", default_rule(round_kind::evaluation, 3), three, nullptr},
      {"no contests", default_rule(round_kind::evaluation, 3), {}, "contests"},
      {"no contests motion", motion_rule{}, {}, "contests"},
      {"differently labelled scale", default_rule(round_kind::evaluation, 3), other_labels, "contests[2].options"},
      {"mixed scales", unweighted(2), mixed_scales, "contests[1].options"},
      {"evaluation min 0", default_rule(round_kind::evaluation, 3), min_zero, "contests[0].min"},
      {"evaluation max 2", default_rule(round_kind::evaluation, 3), max_two, "contests[1].max"},
      {"pass_grades 5 of 4", unweighted(5), contests_of(2, four_grades(), 1, 1), "rule.pass_grades"},
      {"pass_grades 4 of 4", unweighted(4), contests_of(2, four_grades(), 1, 1), nullptr},
      // The default pass_grades 2 does not fit a one-grade scale.
      {"one-grade scale", default_rule(round_kind::evaluation, 1), contests_of(1, {"满意"}, 1, 1),
       "rule.pass_grades"},
      {"weight above the bound", weighted(2, {100, max_weight + 1, 0}), three, "rule.weights[1]"},
      {"weight at the bound", weighted(2, {100, max_weight, 0}), three, nullptr},
      {"motion without options", motion_rule{}, {{"m1", {}, 1, 1}}, "contests[0].options"},
      {"motion den 0", motion_rule{motion_base::members, 1, 0, false}, contests_of(1, motion_options(), 1, 1),
       "rule.den"},
      // Motions and selections may leave a choice blank and vary in their options.
      {"motions with min 0", motion_rule{}, contests_of(2, motion_options(), 0, 1), nullptr},
      {"selection of 2 of 5", selection_rule{}, contests_of(1, candidates(5), 0, 2), nullptr},
      {"selection num above den", selection_rule{3, 2, false}, contests_of(1, candidates(5), 0, 2), "rule.num"},
  };
  // clang-format on
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const auto valid = validate_rule(c.r, c.contests);
    if (c.field == nullptr) {
      EXPECT_TRUE(valid.ok()) << describe(valid.error());
    } else {
      ASSERT_FALSE(valid.ok());
      EXPECT_EQ(valid.error().code, error_code::bad_request);
      EXPECT_EQ(valid.error().field, c.field);
    }
  }
}

TEST(RuleResultCodec, WritesContestsInDocumentedKeyOrderWithNulls) {
  const std::vector<contest_result> contests{
      evaluation_result{"dept-1", {30, 15, 5}, 0, true, 9000, 7800, 1},
      evaluation_result{"dept-2", {0, 0, 0}, nullopt, false, nullopt, nullopt, nullopt},
      motion_result{"m1", {16, 10, 4}, true},
      selection_result{"list", {9, 7, 7, 7, 3}, {0}, {1, 2, 3}},
      selection_result{"empty", {0, 0}, {}, {}},
  };
  EXPECT_EQ(
      contests_to_json(contests).dump(),
      R"([{"id":"dept-1","counts":[30,15,5],"grade":0,"passed":true,"rate_bp":9000,"score_x100":7800,"rank":1},)"
      R"({"id":"dept-2","counts":[0,0,0],"grade":null,"passed":false,"rate_bp":null,"score_x100":null,"rank":null},)"
      R"({"id":"m1","counts":[16,10,4],"passed":true},)"
      R"({"id":"list","counts":[9,7,7,7,3],"selected":[0],"tied":[1,2,3]},)"
      R"({"id":"empty","counts":[0,0],"selected":[],"tied":[]}])");
  EXPECT_EQ(contests_to_json({}).dump(), "[]");
}

TEST(RuleResultCodec, WritesComputedResultsAsTheResultRecordHasThem) {
  // Two targets tied on 7800 and one on 6200, as in the table above, end to end to JSON.
  const auto contests = contests_of(3, three_grades(), 1, 1);
  const auto results = compute_results(default_rule(round_kind::evaluation, 3), contests,
                                       {30, 25, 10, {{6, 3, 1}, {6, 3, 1}, {5, 2, 3}}});
  ASSERT_TRUE(results.ok()) << describe(results.error());
  const json j = contests_to_json(*results);
  ASSERT_EQ(j.size(), 3U);
  EXPECT_EQ(j[2].dump(),
            R"({"id":"c3","counts":[5,2,3],"grade":1,"passed":true,"rate_bp":7000,"score_x100":6200,"rank":3})");
  EXPECT_EQ(j[0]["rank"], 1);
  EXPECT_EQ(j[1]["rank"], 1);
}

}  // namespace
}  // namespace pingyi::core
