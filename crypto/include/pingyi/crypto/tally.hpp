// Count recovery (DESIGN.md §3.4): M = count·G with count ∈ [0, ballots], found in a table of
// j·G. One table serves every option of a round.
#pragma once

#include <cstdint>
#include <unordered_map>

#include "pingyi/crypto/point.hpp"
#include "pingyi/crypto/result.hpp"

namespace pingyi::crypto {

class count_table {
 public:
  // j·G for every j in [0, max]; max additions.
  explicit count_table(std::uint32_t max);

  [[nodiscard]] std::uint32_t max() const noexcept { return max_; }
  // The count with M = count·G; not_found when none in [0, max].
  [[nodiscard]] result<std::uint32_t> find(const point& m) const;

 private:
  struct hash_first_bytes {
    std::size_t operator()(const byte_array<32>& b) const noexcept;
  };
  std::uint32_t max_;
  std::unordered_map<byte_array<32>, std::uint32_t, hash_first_bytes> counts_;
};

}  // namespace pingyi::crypto
