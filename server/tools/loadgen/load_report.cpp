// Rendering of a load run's report (see load_report.hpp).
#include "load_report.hpp"

#include <cstdio>
#include <sstream>

namespace pingyi::loadgen {

namespace {

using json = nlohmann::ordered_json;

json usage_json(const std::optional<process_usage>& u, const std::optional<double>& burst_cpu) {
  if (!u) return nullptr;
  json j = json::object();
  j["rss_mib"] = u->rss_mib;
  j["peak_rss_mib"] = u->peak_rss_mib;
  j["cpu_seconds"] = u->cpu_seconds;
  j["burst_cpu_seconds"] = burst_cpu ? json(*burst_cpu) : json(nullptr);
  return j;
}

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string counts_text(const std::vector<std::uint64_t>& c) {
  std::string s = "[";
  for (std::size_t i = 0; i < c.size(); ++i) s += (i ? ", " : "") + std::to_string(c[i]);
  return s + "]";
}

}  // namespace

std::size_t load_report::error_total() const {
  std::size_t n = 0;
  for (const auto& [what, count] : errors) n += count;
  return n;
}

bool load_report::passed() const {
  return ballots_acknowledged == voters && result_received && counts_match && error_total() == 0;
}

json report_json(const load_report& r) {
  json j = json::object();
  json config = json::object();
  config["members"] = r.members;
  config["voters"] = r.voters;
  config["targets"] = r.targets;
  config["options_per_target"] = 3;
  config["scrutineers"] = r.scrutineers;
  config["spread_seconds"] = r.spread_seconds;
  config["arrival"] = r.arrival;
  config["tablets"] = r.tablets;
  config["io_threads"] = r.io_threads;
  config["crypto_threads"] = r.crypto_threads;
  config["ballots_precomputed"] = true;
  config["open_files_limit"] = r.open_files_limit;
  j["config"] = std::move(config);

  json latency = json::object();
  for (const auto& [name, s] : r.latencies) {
    json l = json::object();
    l["count"] = s.count;
    l["p50"] = s.p50_ms;
    l["p95"] = s.p95_ms;
    l["p99"] = s.p99_ms;
    l["max"] = s.max_ms;
    latency[name] = std::move(l);
  }
  j["latency_ms"] = std::move(latency);
  json phases = json::object();
  for (const auto& [name, seconds] : r.phases) phases[name] = seconds;
  j["phases_seconds"] = std::move(phases);

  json ballots = json::object();
  ballots["cast"] = r.ballots_cast;
  ballots["acknowledged"] = r.ballots_acknowledged;
  ballots["all_acknowledged"] = r.ballots_acknowledged == r.voters;
  ballots["burst_seconds"] = r.burst_seconds;
  ballots["per_second"] = r.ballots_per_second;
  ballots["contest_ballots_per_second"] = r.contest_ballots_per_second;
  j["ballots"] = std::move(ballots);

  j["errors"] = json::object();
  for (const auto& [what, n] : r.errors) j["errors"][what] = n;
  j["errors_total"] = r.error_total();
  j["retried"] = json::object();
  for (const auto& [what, n] : r.retried) j["retried"][what] = n;

  json result = json::object();
  result["received"] = r.result_received;
  result["counts_match"] = r.counts_match;
  result["ballots"] = r.result_ballots;
  result["undeclared"] = r.undeclared;
  result["expected"] = r.expected_counts;
  result["counted"] = r.counted;
  j["result"] = std::move(result);

  if (r.head_seq) {
    json head = json::object();
    head["seq"] = *r.head_seq;
    head["hash"] = r.head_hash;
    j["chain_head"] = std::move(head);
  } else {
    j["chain_head"] = nullptr;
  }
  json server = usage_json(r.server_end, r.server_burst_cpu_seconds);
  if (server.is_object() && r.server_pid) server["pid"] = *r.server_pid;
  j["server"] = std::move(server);
  j["tool"] = usage_json(r.tool_end, r.tool_burst_cpu_seconds);
  j["passed"] = r.passed();
  return j;
}

std::string report_text(const load_report& r) {
  std::ostringstream o;
  o << "pingyi-loadgen: " << r.members << " members (" << r.voters << " voting), " << r.targets
    << " target(s) × 3 grades, " << r.scrutineers << " scrutineer(s); arrival " << r.arrival << " over "
    << fixed(r.spread_seconds, 1) << " s; tablets " << r.tablets << "; ballots built and proved before the burst\n\n";
  char line[160];
  std::snprintf(line, sizeof line, "%-18s %7s %10s %10s %10s %10s\n", "latency (ms)", "n", "p50", "p95", "p99", "max");
  o << line;
  for (const auto& [name, s] : r.latencies) {
    std::snprintf(line, sizeof line, "%-18s %7zu %10.1f %10.1f %10.1f %10.1f\n", name.c_str(), s.count, s.p50_ms,
                  s.p95_ms, s.p99_ms, s.max_ms);
    o << line;
  }
  o << "\nphases (s):";
  for (const auto& [name, seconds] : r.phases) o << "  " << name << " " << fixed(seconds, 2);
  o << "\n\nballots: " << r.ballots_acknowledged << " of " << r.voters << " acknowledged in "
    << fixed(r.burst_seconds, 2) << " s: " << fixed(r.ballots_per_second, 1) << " ballots/s, "
    << fixed(r.contest_ballots_per_second, 1) << " contest-ballots/s\n";
  o << "errors: " << r.error_total();
  for (const auto& [what, n] : r.errors) o << "  " << what << " ×" << n;
  o << "\nretried: ";
  if (r.retried.empty()) o << "none";
  for (const auto& [what, n] : r.retried) o << "  " << what << " ×" << n;
  o << "\nresult: ";
  if (!r.result_received) {
    o << "NOT RECEIVED\n";
  } else {
    o << r.result_ballots << " ballots, undeclared " << r.undeclared << ", counts "
      << (r.counts_match ? "equal the choices made" : "DIFFER from the choices made") << "\n";
    if (!r.counts_match) {
      for (std::size_t k = 0; k < r.expected_counts.size(); ++k) {
        const auto got = k < r.counted.size() ? counts_text(r.counted[k]) : std::string("-");
        o << "  contest " << k << ": expected " << counts_text(r.expected_counts[k]) << ", counted " << got << "\n";
      }
    }
  }
  if (r.head_seq) o << "chain head: seq " << *r.head_seq << ", hash " << r.head_hash << "\n";
  auto usage_line = [&](const char* who, const std::optional<process_usage>& u, const std::optional<double>& burst) {
    o << who;
    if (!u) {
      o << "unknown (no --server-pid or --spawn)\n";
      return;
    }
    o << "peak RSS " << fixed(u->peak_rss_mib, 1) << " MiB, RSS at end " << fixed(u->rss_mib, 1) << " MiB, CPU "
      << fixed(u->cpu_seconds, 2) << " s";
    if (burst) o << " (" << fixed(*burst, 2) << " s during the burst)";
    o << "\n";
  };
  usage_line("server: ", r.server_end, r.server_burst_cpu_seconds);
  usage_line("tool:   ", r.tool_end, r.tool_burst_cpu_seconds);
  o << (r.passed() ? "PASS" : "FAIL") << "\n";
  return o.str();
}

}  // namespace pingyi::loadgen
