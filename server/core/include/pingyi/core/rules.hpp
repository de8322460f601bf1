// The result rules of DESIGN.md §3.7: the `rule` of a round record (§3.6) by kind, its validation
// and JSON codec, and the per-contest results of the `result` record computed from the counts.
// All integer arithmetic: a verifier must reproduce every field exactly (§3.6 "numbers are
// integers"), so nothing here ever touches floating point.
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "pingyi/core/error.hpp"

namespace pingyi::core {

// The kinds of round (§1): 测评, 表决, 选举/推选. On the wire: "evaluation", "motion", "selection".
enum class round_kind { evaluation, motion, selection };

[[nodiscard]] std::string_view to_string(round_kind k) noexcept;
[[nodiscard]] std::optional<round_kind> parse_round_kind(std::string_view s) noexcept;

// The largest weight a rule may give an option. With at most 2^32 − 1 ballots and each ballot
// selecting one option of an evaluation contest, 100 · Σ weights[i]·counts[i] ≤ 100 · 10^6 ·
// (2^32 − 1) < 2^59, so the score never overflows 64 bits.
inline constexpr std::uint32_t max_weight = 1'000'000;

// evaluation {"pass_grades": 2, "weights": [100, 60, 0]}. Without weights (no key for a scale
// other than 3 options, or "weights": null) targets are ranked by rate_bp.
struct evaluation_rule {
  std::uint32_t pass_grades = 2;
  std::optional<std::vector<std::uint32_t>> weights;

  friend bool operator==(const evaluation_rule&, const evaluation_rule&) = default;
};

// What a motion's 赞成 count is compared with: all members (全体组成人员, the roster of genesis),
// those present at close (round_closed.present), or the ballots cast.
enum class motion_base { members, present, ballots };

[[nodiscard]] std::string_view to_string(motion_base b) noexcept;
[[nodiscard]] std::optional<motion_base> parse_motion_base(std::string_view s) noexcept;

// motion {"base": "members", "num": 1, "den": 2, "inclusive": false}: passes when
// counts[0]·den > base·num (≥ when inclusive; "三分之二以上" is 2/3 inclusive).
struct motion_rule {
  motion_base base = motion_base::members;
  std::uint32_t num = 1;
  std::uint32_t den = 2;
  bool inclusive = false;

  friend bool operator==(const motion_rule&, const motion_rule&) = default;
};

// selection {"num": 1, "den": 2, "inclusive": false}: a candidate qualifies with
// votes·den > ballots·num (≥ when inclusive).
struct selection_rule {
  std::uint32_t num = 1;
  std::uint32_t den = 2;
  bool inclusive = false;

  friend bool operator==(const selection_rule&, const selection_rule&) = default;
};

using rule = std::variant<evaluation_rule, motion_rule, selection_rule>;

[[nodiscard]] round_kind kind_of(const rule& r) noexcept;

// The rule a round gets when its JSON gives no keys: for an evaluation, weights [100, 60, 0]
// only when the scale has exactly 3 options (§3.7).
[[nodiscard]] rule default_rule(round_kind kind, std::size_t options);

// What the rules need to know of a contest of the round record (§3.6 contests [{id, title,
// options, min, max}]): its id, its option labels, and how many of them a ballot selects.
struct contest_shape {
  std::string id;
  std::vector<std::string> options;
  std::uint32_t min = 0;
  std::uint32_t max = 0;

  friend bool operator==(const contest_shape&, const contest_shape&) = default;
};

// Checks a rule against the round's contests (§3.7 "Ranges"): at least one contest, each with at
// least one option; pass_grades in 1 … options; weights one per option, each ≤ max_weight;
// 0 < num ≤ den; in an evaluation round every contest has the same options and min = max = 1.
// A failure is BAD_REQUEST naming the field relative to the round: "rule.pass_grades",
// "contests[2].options".
[[nodiscard]] status validate_rule(const rule& r, std::span<const contest_shape> contests);

// Decodes the `rule` object of a round of the given kind: every key optional with its default,
// then validated against the contests. Unknown keys, wrong types, negative, fractional or
// too large numbers are BAD_REQUEST naming the field ("rule.weights[1]"). Never throws, whatever
// the JSON. A round without a rule is decoded from an empty object.
[[nodiscard]] result<rule> rule_from_json(round_kind kind, const nlohmann::ordered_json& j,
                                          std::span<const contest_shape> contests);

// Every key, defaults included, so that the chain states the rule in full and a verifier need not
// know the defaults; an evaluation without weights writes "weights": null (omitting the key would
// mean [100, 60, 0] again on a 3-option scale).
[[nodiscard]] nlohmann::ordered_json to_json(const rule& r);

// One contest of an evaluation round: {id, counts, grade, passed, rate_bp, score_x100, rank}.
struct evaluation_result {
  std::string id;
  std::vector<std::uint32_t> counts;
  std::optional<std::uint32_t> grade;       // option index of the cumulative majority
  bool passed = false;                      // grade < pass_grades
  std::optional<std::uint32_t> rate_bp;     // 满意率 in basis points, floored
  std::optional<std::uint64_t> score_x100;  // weighted average × 100, floored
  std::optional<std::uint32_t> rank;        // competition rank in the round, 1 = best

  friend bool operator==(const evaluation_result&, const evaluation_result&) = default;
};

// One motion: {id, counts, passed}.
struct motion_result {
  std::string id;
  std::vector<std::uint32_t> counts;
  bool passed = false;

  friend bool operator==(const motion_result&, const motion_result&) = default;
};

// One candidate list: {id, counts, selected, tied}; both lists hold option indices ordered by
// votes (higher first), then index.
struct selection_result {
  std::string id;
  std::vector<std::uint32_t> counts;
  std::vector<std::uint32_t> selected;
  std::vector<std::uint32_t> tied;  // straddling the cut at max: a runoff is needed

  friend bool operator==(const selection_result&, const selection_result&) = default;
};

using contest_result = std::variant<evaluation_result, motion_result, selection_result>;

// What a round's results are computed from: the roster size of genesis, round_closed's present
// and ballots, and the decrypted counts per contest and option (§3.4).
struct round_totals {
  std::uint32_t members = 0;
  std::uint32_t present = 0;
  std::uint32_t ballots = 0;
  std::vector<std::vector<std::uint32_t>> counts;
};

// The `contests` of the result record (§3.7), one per contest in round order. Validates the rule
// first (BAD_REQUEST as validate_rule); counts that do not fit the contests — wrong shape, a
// count above ballots, or an evaluation contest with more selections than ballots — are
// INTERNAL, naming "counts[k]" or "counts[k][i]": they come from the decryption, not a request.
[[nodiscard]] result<std::vector<contest_result>> compute_results(const rule& r,
                                                                  std::span<const contest_shape> contests,
                                                                  const round_totals& totals);

// A result contest in its documented key order, absent values as null.
[[nodiscard]] nlohmann::ordered_json to_json(const contest_result& c);
// The result record's `contests` array.
[[nodiscard]] nlohmann::ordered_json contests_to_json(std::span<const contest_result> contests);

}  // namespace pingyi::core
