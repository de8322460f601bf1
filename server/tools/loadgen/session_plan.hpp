// The session a load run plays: its roster (N members m0001 …, the first S of them scrutineers),
// one evaluation round of K targets on the default 3-grade scale 满意 / 基本满意 / 不满意 (one
// grade per target), each voter's grades drawn from a seeded stream, and the counts those grades
// must add up to.
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace pingyi::loadgen {

inline constexpr std::size_t grades = 3;

struct session_plan {
  std::size_t members = 0;
  std::size_t scrutineers = 0;
  std::size_t targets = 0;
  std::uint64_t seed = 1;

  [[nodiscard]] static std::string member_id(std::size_t index);  // 0 → "m0001"
  [[nodiscard]] static std::string target_id(std::size_t index);  // 0 → "t001"

  // The body of POST /api/sessions.
  [[nodiscard]] nlohmann::ordered_json create_request() const;
  // The grade (0 … 2) member `index` gives target `target`.
  [[nodiscard]] std::size_t grade(std::size_t index, std::size_t target) const noexcept;
  // The ballot_choices of member `index`: one 1 per target.
  [[nodiscard]] std::vector<std::vector<std::uint8_t>> choices(std::size_t index) const;
  // counts[target][grade] over the given members.
  [[nodiscard]] std::vector<std::vector<std::uint64_t>> counts_of(const std::vector<std::size_t>& voters) const;
};

}  // namespace pingyi::loadgen
