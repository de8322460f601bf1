// The played session (see session_plan.hpp).
#include "session_plan.hpp"

#include <cstdio>

namespace pingyi::loadgen {

namespace {

using json = nlohmann::ordered_json;

// SplitMix64: a small, well-mixed stream, so that grades look like a hall's and not a pattern the
// server could be tuned to. Not for secrets.
std::uint64_t mix(std::uint64_t x) noexcept {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

std::string numbered(char prefix, std::size_t n, int width) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%c%0*zu", prefix, width, n);
  return buf;
}

}  // namespace

std::string session_plan::member_id(std::size_t index) { return numbered('m', index + 1, 4); }
std::string session_plan::target_id(std::size_t index) { return numbered('t', index + 1, 3); }

json session_plan::create_request() const {
  json body = json::object();
  body["title"] = "pingyi-loadgen: " + std::to_string(members) + " 人 × " + std::to_string(targets) + " 项测评";
  body["committee"] = "负载测试";
  body["date"] = "2026-11-23";
  json roster = json::array();
  for (std::size_t i = 0; i < members; ++i) {
    json m = json::object();
    m["id"] = member_id(i);
    m["name"] = "委员" + std::to_string(i + 1);
    m["seat"] = std::to_string(i + 1);
    roster.push_back(std::move(m));
  }
  body["members"] = std::move(roster);
  json scrutineer_ids = json::array();
  for (std::size_t i = 0; i < scrutineers; ++i) scrutineer_ids.push_back(member_id(i));
  body["scrutineers"] = std::move(scrutineer_ids);
  json contests = json::array();
  for (std::size_t k = 0; k < targets; ++k) {
    json c = json::object();
    c["id"] = target_id(k);
    c["title"] = "被评议单位" + std::to_string(k + 1);
    c["options"] = json::array({"满意", "基本满意", "不满意"});
    c["min"] = 1;
    c["max"] = 1;
    contests.push_back(std::move(c));
  }
  json round = json::object();
  round["title"] = "满意度测评";
  round["kind"] = "evaluation";
  round["contests"] = std::move(contests);
  body["rounds"] = json::array({std::move(round)});
  return body;
}

std::size_t session_plan::grade(std::size_t index, std::size_t target) const noexcept {
  return static_cast<std::size_t>(mix(mix(seed ^ (index * 0x100000001B3ULL)) ^ target) % grades);
}

std::vector<std::vector<std::uint8_t>> session_plan::choices(std::size_t index) const {
  std::vector<std::vector<std::uint8_t>> c(targets, std::vector<std::uint8_t>(grades, 0));
  for (std::size_t k = 0; k < targets; ++k) c[k][grade(index, k)] = 1;
  return c;
}

std::vector<std::vector<std::uint64_t>> session_plan::counts_of(const std::vector<std::size_t>& voters) const {
  std::vector<std::vector<std::uint64_t>> counts(targets, std::vector<std::uint64_t>(grades, 0));
  for (const auto i : voters)
    for (std::size_t k = 0; k < targets; ++k) ++counts[k][grade(i, k)];
  return counts;
}

}  // namespace pingyi::loadgen
