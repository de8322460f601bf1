// Count recovery for decrypted totals (DESIGN.md §3.4; see tally.hpp): M = count·G is looked up
// in a table of j·G, so no discrete logarithm is ever solved beyond [0, ballots].
#include "pingyi/crypto/tally.hpp"

#include <cstring>

namespace pingyi::crypto {

// j·G by repeated addition: one addition per entry, cheaper than a scalar multiplication each.
// Entry 0 is the identity (32 zero bytes), the plaintext of an option nobody chose.
count_table::count_table(std::uint32_t max) : max_(max) {
  counts_.reserve(static_cast<std::size_t>(max) + 1);
  point p;  // 0·G
  for (std::uint32_t j = 0;; ++j) {
    counts_.emplace(p.bytes(), j);
    if (j == max) break;
    p += point::generator();
  }
}

result<std::uint32_t> count_table::find(const point& m) const {
  const auto it = counts_.find(m.bytes());
  if (it == counts_.end()) return fail(error::not_found);
  return it->second;
}

// ristretto255 encodings of distinct multiples of G are uniformly distributed, so their first
// eight bytes are already a good hash; equal prefixes only cost a full-key comparison.
std::size_t count_table::hash_first_bytes::operator()(const byte_array<32>& b) const noexcept {
  std::size_t h = 0;
  std::memcpy(&h, b.data(), sizeof h);
  return h;
}

}  // namespace pingyi::crypto
