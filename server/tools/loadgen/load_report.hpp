// The report of one load run: what was played, how long each step took (percentiles), how fast the
// ballots went through, what was refused, whether the result matched the choices made, and what
// the server and the tool cost. Rendered as a table for people and as JSON (--json) for scripts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "latency.hpp"
#include "process_usage.hpp"

namespace pingyi::loadgen {

struct load_report {
  // What was played.
  std::size_t members = 0;
  std::size_t voters = 0;
  std::size_t targets = 0;
  std::size_t scrutineers = 0;
  double spread_seconds = 0;
  std::string arrival;  // "uniform" or "even"
  std::string tablets;  // "follow" or "lean"
  std::size_t io_threads = 0;
  std::size_t crypto_threads = 0;

  // Step latencies in the order shown: connect, hello, token, cast_to_receipt, voted, close_to_result.
  std::vector<std::pair<std::string, latency_summary>> latencies;
  // Wall-clock seconds of each phase, in order.
  std::vector<std::pair<std::string, double>> phases;

  std::size_t ballots_cast = 0;           // casts started
  std::size_t ballots_acknowledged = 0;   // with a receipt
  double burst_seconds = 0;               // first cast started → last receipt
  double ballots_per_second = 0;          // acknowledged / burst_seconds
  double contest_ballots_per_second = 0;  // × targets

  // Final failures by "step CODE" (a cast that never got its receipt, a refused token, …) and
  // refusals that were retried and then succeeded or failed (a cast answered RATE_LIMITED).
  std::map<std::string, std::size_t> errors;
  std::map<std::string, std::size_t> retried;

  // The result record against the tool's own choices: counts[contest][option].
  bool result_received = false;
  bool counts_match = false;
  std::vector<std::vector<std::uint64_t>> expected_counts;
  std::vector<std::vector<std::uint64_t>> counted;
  std::uint64_t result_ballots = 0;
  std::int64_t undeclared = 0;

  std::optional<std::uint64_t> head_seq;
  std::string head_hash;

  // Server (when its pid is known) and the tool: the whole run and the burst alone.
  std::optional<long> server_pid;
  std::optional<process_usage> server_end;
  std::optional<double> server_burst_cpu_seconds;
  std::optional<process_usage> tool_end;
  std::optional<double> tool_burst_cpu_seconds;
  std::uint64_t open_files_limit = 0;

  [[nodiscard]] std::size_t error_total() const;
  // Every voter's ballot acknowledged, counts equal to the choices, nothing failed.
  [[nodiscard]] bool passed() const;
};

[[nodiscard]] nlohmann::ordered_json report_json(const load_report& r);
[[nodiscard]] std::string report_text(const load_report& r);

}  // namespace pingyi::loadgen
