// Latency figures of one step of a session (hello, token, cast → receipt, …): the nearest-rank
// percentiles p50, p95, p99 and the maximum of the samples, in milliseconds.
#pragma once

#include <cstddef>
#include <vector>

namespace pingyi::loadgen {

struct latency_summary {
  std::size_t count = 0;
  double p50_ms = 0;
  double p95_ms = 0;
  double p99_ms = 0;
  double max_ms = 0;
};

// The nearest-rank percentile: the smallest sample such that at least p % of the samples are at
// or below it (sorted[ceil(p/100 · n) − 1]); no interpolation, so every figure is a measured
// sample. `sorted` must be in ascending order and not empty; p in (0, 100].
[[nodiscard]] double nearest_rank(const std::vector<double>& sorted, double p);

// All zeros (count 0) for no samples.
[[nodiscard]] latency_summary summarize(std::vector<double> samples_ms);

}  // namespace pingyi::loadgen
