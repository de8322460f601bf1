// The server's metrics, rendered as Prometheus text for GET /metrics (DESIGN.md §4): counters
// and gauges with fixed label sets, and a histogram of commit latency. Thread-safe (a mutex held
// only for an increment or a render); nothing that identifies a voter is ever a label.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace pingyi::net {

class metrics {
 public:
  // Connections by kind ("http", "ws", "observe"): opened (counter) and open now (gauge).
  void connection_opened(std::string_view kind);
  void connection_closed(std::string_view kind);
  // HTTP requests by status class, WebSocket messages received, and messages refused by a
  // limit ("rate", "size", "queue").
  void http_request(unsigned status);
  void ws_message();
  void limited(std::string_view which);

  // The protocol's figures.
  void sessions(std::int64_t n);  // gauge: live sessions
  void record_appended(std::string_view type);
  void ballot_accepted();
  void ballot_rejected(std::string_view code);  // catalogue code, e.g. "INVALID_PROOF"
  // Time from a write being queued to its commit returning.
  void commit_latency(double seconds);

  // Prometheus text exposition format 0.0.4.
  [[nodiscard]] std::string render() const;

 private:
  struct histogram {
    static constexpr std::array<double, 12> bounds{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                   0.05,   0.1,   0.25,   0.5,   1.0,  2.5};
    std::array<std::uint64_t, bounds.size() + 1> buckets{};  // the last is +Inf
    double sum = 0;
    std::uint64_t count = 0;
  };
  void add(std::map<std::string, std::int64_t, std::less<>>& m, std::string_view key, std::int64_t by);

  mutable std::mutex mutex_;  // guards the maps below; held only for an increment or a render
  std::map<std::string, std::int64_t, std::less<>> connections_opened_;
  std::map<std::string, std::int64_t, std::less<>> connections_open_;
  std::map<std::string, std::int64_t, std::less<>> http_requests_;
  std::map<std::string, std::int64_t, std::less<>> limited_;
  std::map<std::string, std::int64_t, std::less<>> records_;
  std::map<std::string, std::int64_t, std::less<>> ballots_rejected_;
  std::atomic<std::int64_t> ws_messages_{0};
  std::atomic<std::int64_t> sessions_{0};
  std::atomic<std::int64_t> ballots_accepted_{0};
  histogram commit_latency_;
};

}  // namespace pingyi::net
