// Nearest-rank percentiles (see latency.hpp).
#include "latency.hpp"

#include <algorithm>
#include <cmath>

namespace pingyi::loadgen {

double nearest_rank(const std::vector<double>& sorted, double p) {
  const auto n = static_cast<double>(sorted.size());
  // The small epsilon keeps p·n that is an integer in exact arithmetic (95 % of 20 = 19) from
  // rounding up to the next rank through the binary representation of p / 100.
  auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * n - 1e-9));
  rank = std::clamp<std::size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

latency_summary summarize(std::vector<double> samples_ms) {
  latency_summary s;
  if (samples_ms.empty()) return s;
  std::sort(samples_ms.begin(), samples_ms.end());
  s.count = samples_ms.size();
  s.p50_ms = nearest_rank(samples_ms, 50);
  s.p95_ms = nearest_rank(samples_ms, 95);
  s.p99_ms = nearest_rank(samples_ms, 99);
  s.max_ms = samples_ms.back();
  return s;
}

}  // namespace pingyi::loadgen
