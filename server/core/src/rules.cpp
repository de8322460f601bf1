// The result rules of DESIGN.md §3.7: rule codec and validation, and the per-contest results.
// Overflow: counts, ballots, present, members, num and den are all < 2^32, so every product of
// two of them fits in 64 bits; weights are bounded by max_weight (see rules.hpp).
#include "pingyi/core/rules.hpp"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <limits>
#include <numeric>
#include <string>
#include <type_traits>
#include <utility>

namespace pingyi::core {

namespace {

using json = nlohmann::ordered_json;

[[nodiscard]] error bad_request(std::string field, std::string message) {
  return fail(error_code::bad_request, std::move(field), std::move(message));
}

[[nodiscard]] std::string indexed(std::string_view name, std::size_t i) {
  return std::string(name) + "[" + std::to_string(i) + "]";
}

// A JSON integer in 0 … 2^32 − 1. Numbers on the chain are integers (§3.6), so 2.0 is refused as
// well as 2.5; a number too large for 64 bits is parsed by nlohmann as a float and refused too.
[[nodiscard]] result<std::uint32_t> read_u32(const json& j, const std::string& field) {
  constexpr std::uint64_t limit = std::numeric_limits<std::uint32_t>::max();
  if (j.is_number_unsigned()) {
    const auto v = j.get<std::uint64_t>();
    if (v > limit) return bad_request(field, "is too large (at most " + std::to_string(limit) + ")");
    return static_cast<std::uint32_t>(v);
  }
  if (j.is_number_integer()) {  // signed: what a C++ caller builds, or a negative number parsed
    const auto v = j.get<std::int64_t>();
    if (v < 0) return bad_request(field, "must not be negative");
    if (static_cast<std::uint64_t>(v) > limit) {
      return bad_request(field, "is too large (at most " + std::to_string(limit) + ")");
    }
    return static_cast<std::uint32_t>(v);
  }
  if (j.is_number_float()) return bad_request(field, "must be an integer");
  return bad_request(field, std::string("must be an integer, not ") + j.type_name());
}

[[nodiscard]] result<bool> read_bool(const json& j, const std::string& field) {
  if (!j.is_boolean()) return bad_request(field, std::string("must be true or false, not ") + j.type_name());
  return j.get<bool>();
}

// "weights": null means no weights; otherwise an array of integers (its length is checked by
// validate_rule, which knows the options).
[[nodiscard]] result<std::optional<std::vector<std::uint32_t>>> read_weights(const json& j) {
  if (j.is_null()) return std::optional<std::vector<std::uint32_t>>{};
  if (!j.is_array()) return bad_request("rule.weights", std::string("must be an array or null, not ") + j.type_name());
  std::vector<std::uint32_t> weights;
  weights.reserve(j.size());
  for (std::size_t i = 0; i < j.size(); ++i) {
    auto w = read_u32(j[i], indexed("rule.weights", i));
    if (!w) return w.error();
    weights.push_back(*w);
  }
  return std::optional<std::vector<std::uint32_t>>{std::move(weights)};
}

[[nodiscard]] status read_evaluation(const json& j, evaluation_rule& r) {
  for (const auto& [key, value] : j.items()) {
    if (key == "pass_grades") {
      auto v = read_u32(value, "rule.pass_grades");
      if (!v) return v.error();
      r.pass_grades = *v;
    } else if (key == "weights") {
      auto v = read_weights(value);
      if (!v) return v.error();
      r.weights = std::move(*v);
    } else {
      return bad_request("rule." + key, "is not a key of an evaluation rule");
    }
  }
  return {};
}

// num, den and inclusive, shared by motions and selections.
[[nodiscard]] status read_fraction_key(const std::string& key, const json& value, std::uint32_t& num,
                                       std::uint32_t& den, bool& inclusive, bool& known) {
  known = true;
  if (key == "num" || key == "den") {
    auto v = read_u32(value, "rule." + key);
    if (!v) return v.error();
    (key == "num" ? num : den) = *v;
  } else if (key == "inclusive") {
    auto v = read_bool(value, "rule.inclusive");
    if (!v) return v.error();
    inclusive = *v;
  } else {
    known = false;
  }
  return {};
}

[[nodiscard]] status read_motion(const json& j, motion_rule& r) {
  for (const auto& [key, value] : j.items()) {
    if (key == "base") {
      if (!value.is_string()) {
        return bad_request("rule.base", std::string("must be a string, not ") + value.type_name());
      }
      const auto base = parse_motion_base(value.get_ref<const std::string&>());
      if (!base) return bad_request("rule.base", "must be \"members\", \"present\" or \"ballots\"");
      r.base = *base;
      continue;
    }
    bool known = false;
    if (auto s = read_fraction_key(key, value, r.num, r.den, r.inclusive, known); !s) return s;
    if (!known) return bad_request("rule." + key, "is not a key of a motion rule");
  }
  return {};
}

[[nodiscard]] status read_selection(const json& j, selection_rule& r) {
  for (const auto& [key, value] : j.items()) {
    bool known = false;
    if (auto s = read_fraction_key(key, value, r.num, r.den, r.inclusive, known); !s) return s;
    if (!known) return bad_request("rule." + key, "is not a key of a selection rule");
  }
  return {};
}

[[nodiscard]] status validate_fraction(std::uint32_t num, std::uint32_t den) {
  if (num == 0) return bad_request("rule.num", "must be positive");
  if (den == 0) return bad_request("rule.den", "must be positive");
  if (num > den) return bad_request("rule.num", "must not exceed den");
  return {};
}

[[nodiscard]] status validate_evaluation(const evaluation_rule& r, std::span<const contest_shape> contests) {
  // §3.7: one scale for the whole round, one choice per target, so that counts add up to the
  // ballots and the targets can be ranked against each other.
  const auto& scale = contests.front().options;
  for (std::size_t k = 0; k < contests.size(); ++k) {
    const auto& c = contests[k];
    if (c.options != scale) {
      return bad_request(indexed("contests", k) + ".options", "must be the same as contests[0].options");
    }
    if (c.min != 1) return bad_request(indexed("contests", k) + ".min", "must be 1 in an evaluation round");
    if (c.max != 1) return bad_request(indexed("contests", k) + ".max", "must be 1 in an evaluation round");
  }
  if (r.pass_grades < 1 || r.pass_grades > scale.size()) {
    return bad_request("rule.pass_grades", "must be between 1 and " + std::to_string(scale.size()));
  }
  if (r.weights) {
    if (r.weights->size() != scale.size()) {
      return bad_request("rule.weights", "must have one weight per option (" + std::to_string(scale.size()) + ")");
    }
    for (std::size_t i = 0; i < r.weights->size(); ++i) {
      if ((*r.weights)[i] > max_weight) {
        return bad_request(indexed("rule.weights", i), "must be at most " + std::to_string(max_weight));
      }
    }
  }
  return {};
}

// Checks the counts against the contests; the bounds here are what keeps the arithmetic below in
// 64 bits.
[[nodiscard]] status check_totals(round_kind kind, std::span<const contest_shape> contests, const round_totals& t) {
  if (t.counts.size() != contests.size()) {
    return fail(error_code::internal, "counts", "must have one entry per contest");
  }
  for (std::size_t k = 0; k < contests.size(); ++k) {
    const auto& counts = t.counts[k];
    if (counts.size() != contests[k].options.size()) {
      return fail(error_code::internal, indexed("counts", k), "must have one count per option");
    }
    std::uint64_t sum = 0;
    for (std::size_t i = 0; i < counts.size(); ++i) {
      if (counts[i] > t.ballots) {
        return fail(error_code::internal, indexed(indexed("counts", k), i), "exceeds the ballots");
      }
      sum += counts[i];  // each < 2^32, and far fewer than 2^32 options: no overflow
    }
    if (kind == round_kind::evaluation && sum > t.ballots) {
      return fail(error_code::internal, indexed("counts", k), "adds up to more than the ballots");
    }
  }
  return {};
}

[[nodiscard]] bool meets(std::uint64_t lhs, std::uint64_t rhs, bool inclusive) {
  return inclusive ? lhs >= rhs : lhs > rhs;
}

// Competition ranking, higher first: a contest's rank is 1 + the number of contests with a
// strictly higher key (1, 1, 3). A null key gets no rank.
template <class Key>
[[nodiscard]] std::vector<std::optional<std::uint32_t>> competition_ranks(const std::vector<std::optional<Key>>& keys) {
  std::vector<Key> sorted;
  for (const auto& k : keys) {
    if (k) sorted.push_back(*k);
  }
  std::sort(sorted.begin(), sorted.end(), std::greater<>{});
  std::vector<std::optional<std::uint32_t>> ranks(keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (!keys[i]) continue;
    const auto higher = std::lower_bound(sorted.begin(), sorted.end(), *keys[i], std::greater<>{}) - sorted.begin();
    ranks[i] = static_cast<std::uint32_t>(higher + 1);
  }
  return ranks;
}

[[nodiscard]] std::vector<contest_result> evaluate(const evaluation_rule& r, std::span<const contest_shape> contests,
                                                   const round_totals& t) {
  const std::uint64_t ballots = t.ballots;
  std::vector<evaluation_result> out;
  out.reserve(contests.size());
  for (std::size_t k = 0; k < contests.size(); ++k) {
    evaluation_result e{contests[k].id, t.counts[k], {}, false, {}, {}, {}};
    // With zero ballots every field but counts is null and nothing passes (§3.7).
    if (ballots > 0) {
      // grade: the first g with (counts[0] + … + counts[g])·2 > ballots; none when the counts
      // never reach a majority (abstentions).
      std::uint64_t cumulative = 0;
      for (std::size_t g = 0; g < e.counts.size(); ++g) {
        cumulative += e.counts[g];
        if (cumulative * 2 > ballots) {
          e.grade = static_cast<std::uint32_t>(g);
          break;
        }
      }
      e.passed = e.grade && *e.grade < r.pass_grades;
      const std::uint64_t passing =
          std::accumulate(e.counts.begin(), e.counts.begin() + r.pass_grades, std::uint64_t{0});
      e.rate_bp = static_cast<std::uint32_t>(10000 * passing / ballots);
      if (r.weights) {
        std::uint64_t weighted = 0;
        for (std::size_t i = 0; i < e.counts.size(); ++i) weighted += std::uint64_t{(*r.weights)[i]} * e.counts[i];
        e.score_x100 = 100 * weighted / ballots;
      }
    }
    out.push_back(std::move(e));
  }
  // §3.7: ranked by score_x100, or by rate_bp when the rule has no weights.
  std::vector<std::optional<std::uint64_t>> keys;
  keys.reserve(out.size());
  for (const auto& e : out) {
    keys.push_back(r.weights ? e.score_x100 : (e.rate_bp ? std::optional<std::uint64_t>{*e.rate_bp} : std::nullopt));
  }
  const auto ranks = competition_ranks(keys);
  std::vector<contest_result> results;
  results.reserve(out.size());
  for (std::size_t k = 0; k < out.size(); ++k) {
    out[k].rank = ranks[k];
    results.emplace_back(std::move(out[k]));
  }
  return results;
}

[[nodiscard]] std::vector<contest_result> decide_motions(const motion_rule& r, std::span<const contest_shape> contests,
                                                         const round_totals& t) {
  std::uint64_t base = t.members;
  if (r.base == motion_base::present) base = t.present;
  if (r.base == motion_base::ballots) base = t.ballots;
  std::vector<contest_result> results;
  results.reserve(contests.size());
  for (std::size_t k = 0; k < contests.size(); ++k) {
    const std::uint64_t yes = t.counts[k][0];  // 赞成 is the first option
    // With zero ballots nothing passes, even an inclusive rule over a base of 0 (0 ≥ 0).
    const bool passed = t.ballots > 0 && meets(yes * r.den, base * r.num, r.inclusive);
    results.emplace_back(motion_result{contests[k].id, t.counts[k], passed});
  }
  return results;
}

[[nodiscard]] std::vector<contest_result> select_candidates(const selection_rule& r,
                                                            std::span<const contest_shape> contests,
                                                            const round_totals& t) {
  const std::uint64_t ballots = t.ballots;
  std::vector<contest_result> results;
  results.reserve(contests.size());
  for (std::size_t k = 0; k < contests.size(); ++k) {
    const auto& counts = t.counts[k];
    selection_result s{contests[k].id, counts, {}, {}};
    if (ballots > 0) {
      std::vector<std::uint32_t> qualified;
      for (std::size_t i = 0; i < counts.size(); ++i) {
        if (meets(std::uint64_t{counts[i]} * r.den, ballots * r.num, r.inclusive)) {
          qualified.push_back(static_cast<std::uint32_t>(i));
        }
      }
      // Best first: votes descending, then index ascending (stable sort keeps index order).
      std::stable_sort(qualified.begin(), qualified.end(),
                       [&](std::uint32_t a, std::uint32_t b) { return counts[a] > counts[b]; });
      const std::size_t max = contests[k].max;
      if (qualified.size() <= max) {
        s.selected = std::move(qualified);
      } else if (max > 0) {
        const std::uint32_t last_in = counts[qualified[max - 1]];
        if (counts[qualified[max]] == last_in) {
          // The tie straddles the cut: those above it are selected, the whole tie goes to a runoff.
          for (auto i : qualified) {
            if (counts[i] > last_in) s.selected.push_back(i);
            if (counts[i] == last_in) s.tied.push_back(i);
          }
        } else {
          s.selected.assign(qualified.begin(), qualified.begin() + static_cast<std::ptrdiff_t>(max));
        }
      }
    }
    results.emplace_back(std::move(s));
  }
  return results;
}

[[nodiscard]] json optional_json(const auto& v) { return v ? json(*v) : json(nullptr); }

}  // namespace

std::string_view to_string(round_kind k) noexcept {
  switch (k) {
    case round_kind::evaluation:
      return "evaluation";
    case round_kind::motion:
      return "motion";
    case round_kind::selection:
      return "selection";
  }
  return "evaluation";
}

std::optional<round_kind> parse_round_kind(std::string_view s) noexcept {
  if (s == "evaluation") return round_kind::evaluation;
  if (s == "motion") return round_kind::motion;
  if (s == "selection") return round_kind::selection;
  return std::nullopt;
}

std::string_view to_string(motion_base b) noexcept {
  switch (b) {
    case motion_base::members:
      return "members";
    case motion_base::present:
      return "present";
    case motion_base::ballots:
      return "ballots";
  }
  return "members";
}

std::optional<motion_base> parse_motion_base(std::string_view s) noexcept {
  if (s == "members") return motion_base::members;
  if (s == "present") return motion_base::present;
  if (s == "ballots") return motion_base::ballots;
  return std::nullopt;
}

round_kind kind_of(const rule& r) noexcept {
  switch (r.index()) {
    case 1:
      return round_kind::motion;
    case 2:
      return round_kind::selection;
    default:
      return round_kind::evaluation;
  }
}

rule default_rule(round_kind kind, std::size_t options) {
  switch (kind) {
    case round_kind::motion:
      return motion_rule{};
    case round_kind::selection:
      return selection_rule{};
    case round_kind::evaluation:
      break;
  }
  evaluation_rule r;
  // 满意 100, 基本满意 60, 不满意 0: the default only fits the default 3-grade scale (§3.7).
  if (options == 3) r.weights = std::vector<std::uint32_t>{100, 60, 0};
  return r;
}

status validate_rule(const rule& r, std::span<const contest_shape> contests) {
  if (contests.empty()) return bad_request("contests", "a round needs at least one contest");
  for (std::size_t k = 0; k < contests.size(); ++k) {
    // Every rule reads counts[0] at least (the grade, 赞成, a candidate).
    if (contests[k].options.empty()) return bad_request(indexed("contests", k) + ".options", "must not be empty");
  }
  if (const auto* e = std::get_if<evaluation_rule>(&r)) return validate_evaluation(*e, contests);
  if (const auto* m = std::get_if<motion_rule>(&r)) return validate_fraction(m->num, m->den);
  const auto& s = std::get<selection_rule>(r);
  return validate_fraction(s.num, s.den);
}

result<rule> rule_from_json(round_kind kind, const json& j, std::span<const contest_shape> contests) {
  if (!j.is_object()) return bad_request("rule", std::string("must be an object, not ") + j.type_name());
  rule r = default_rule(kind, contests.empty() ? 0 : contests.front().options.size());
  status read = std::visit(
      [&](auto& typed) -> status {
        using T = std::decay_t<decltype(typed)>;
        if constexpr (std::is_same_v<T, evaluation_rule>) {
          return read_evaluation(j, typed);
        } else if constexpr (std::is_same_v<T, motion_rule>) {
          return read_motion(j, typed);
        } else {
          return read_selection(j, typed);
        }
      },
      r);
  if (!read) return read.error();
  if (auto valid = validate_rule(r, contests); !valid) return valid.error();
  return r;
}

json to_json(const rule& r) {
  json j = json::object();
  if (const auto* e = std::get_if<evaluation_rule>(&r)) {
    j["pass_grades"] = e->pass_grades;
    j["weights"] = optional_json(e->weights);
  } else if (const auto* m = std::get_if<motion_rule>(&r)) {
    j["base"] = to_string(m->base);
    j["num"] = m->num;
    j["den"] = m->den;
    j["inclusive"] = m->inclusive;
  } else {
    const auto& s = std::get<selection_rule>(r);
    j["num"] = s.num;
    j["den"] = s.den;
    j["inclusive"] = s.inclusive;
  }
  return j;
}

result<std::vector<contest_result>> compute_results(const rule& r, std::span<const contest_shape> contests,
                                                    const round_totals& totals) {
  if (auto valid = validate_rule(r, contests); !valid) return valid.error();
  if (auto fits = check_totals(kind_of(r), contests, totals); !fits) return fits.error();
  if (const auto* e = std::get_if<evaluation_rule>(&r)) return evaluate(*e, contests, totals);
  if (const auto* m = std::get_if<motion_rule>(&r)) return decide_motions(*m, contests, totals);
  return select_candidates(std::get<selection_rule>(r), contests, totals);
}

json to_json(const contest_result& c) {
  json j = json::object();
  if (const auto* e = std::get_if<evaluation_result>(&c)) {
    j["id"] = e->id;
    j["counts"] = e->counts;
    j["grade"] = optional_json(e->grade);
    j["passed"] = e->passed;
    j["rate_bp"] = optional_json(e->rate_bp);
    j["score_x100"] = optional_json(e->score_x100);
    j["rank"] = optional_json(e->rank);
  } else if (const auto* m = std::get_if<motion_result>(&c)) {
    j["id"] = m->id;
    j["counts"] = m->counts;
    j["passed"] = m->passed;
  } else {
    const auto& s = std::get<selection_result>(c);
    j["id"] = s.id;
    j["counts"] = s.counts;
    j["selected"] = s.selected;
    j["tied"] = s.tied;
  }
  return j;
}

json contests_to_json(std::span<const contest_result> contests) {
  json j = json::array();
  for (const auto& c : contests) j.push_back(to_json(c));
  return j;
}

}  // namespace pingyi::core
