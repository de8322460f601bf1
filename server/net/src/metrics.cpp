// The server's metrics in the Prometheus text exposition format 0.0.4: one HELP and one TYPE
// line per family, label values escaped, histogram buckets cumulative with le="+Inf" last.
// The label sets are fixed by the code (kinds, status classes, catalogue codes, record types),
// never by what a client sends, so no voter-identifying value can become a label.
#include "pingyi/net/metrics.hpp"

#include <charconv>
#include <initializer_list>
#include <system_error>

namespace pingyi::net {

namespace {

using counter_map = std::map<std::string, std::int64_t, std::less<>>;

std::string format_double(double value, std::chars_format format) {
  char text[64];
  const auto [end, ec] = std::to_chars(text, text + sizeof text, value, format);
  if (ec != std::errc{}) return "NaN";
  return std::string(text, end);
}

void escape_label_value(std::string& out, std::string_view value) {
  for (const char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
}

void family(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  out.append("# HELP ").append(name).append(" ").append(help).append("\n");
  out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

void sample(std::string& out, std::string_view name, std::string_view label, std::string_view value,
            std::int64_t count) {
  out.append(name).append("{").append(label).append("=\"");
  escape_label_value(out, value);
  out.append("\"} ").append(std::to_string(count)).append("\n");
}

void sample(std::string& out, std::string_view name, std::int64_t count) {
  out.append(name).append(" ").append(std::to_string(count)).append("\n");
}

// A labelled family; the `always` label values appear even at zero, so that dashboards and
// rate() see a series from the first scrape.
void labelled(std::string& out, std::string_view name, std::string_view type, std::string_view help,
              std::string_view label, const counter_map& values, std::initializer_list<std::string_view> always) {
  family(out, name, type, help);
  counter_map all = values;
  for (const auto value : always) all.try_emplace(std::string(value), 0);
  for (const auto& [value, count] : all) sample(out, name, label, value, count);
}

std::string status_class(unsigned status) {
  if (status < 100 || status > 599) return "other";
  return std::string(1, static_cast<char>('0' + status / 100)).append("xx");
}

}  // namespace

void metrics::add(std::map<std::string, std::int64_t, std::less<>>& m, std::string_view key, std::int64_t by) {
  std::lock_guard lock(mutex_);
  auto it = m.find(key);
  if (it == m.end()) it = m.emplace(std::string(key), 0).first;
  it->second += by;
}

void metrics::connection_opened(std::string_view kind) {
  add(connections_opened_, kind, 1);
  add(connections_open_, kind, 1);
}

void metrics::connection_closed(std::string_view kind) { add(connections_open_, kind, -1); }

void metrics::http_request(unsigned status) { add(http_requests_, status_class(status), 1); }

void metrics::ws_message() { ws_messages_.fetch_add(1, std::memory_order_relaxed); }

void metrics::limited(std::string_view which) { add(limited_, which, 1); }

void metrics::sessions(std::int64_t n) { sessions_.store(n, std::memory_order_relaxed); }

void metrics::record_appended(std::string_view type) { add(records_, type, 1); }

void metrics::ballot_accepted() { ballots_accepted_.fetch_add(1, std::memory_order_relaxed); }

void metrics::ballot_rejected(std::string_view code) { add(ballots_rejected_, code, 1); }

void metrics::commit_latency(double seconds) {
  std::size_t bucket = 0;
  while (bucket < histogram::bounds.size() && seconds > histogram::bounds[bucket]) ++bucket;
  std::lock_guard lock(mutex_);
  ++commit_latency_.buckets[bucket];
  commit_latency_.sum += seconds;
  ++commit_latency_.count;
}

std::string metrics::render() const {
  std::string out;
  out.reserve(4096);
  std::lock_guard lock(mutex_);

  labelled(out, "pingyi_connections_opened_total", "counter", "Connections opened, by kind.", "kind",
           connections_opened_, {"http", "ws", "observe"});
  labelled(out, "pingyi_connections_open", "gauge", "Connections open now, by kind.", "kind", connections_open_,
           {"http", "ws", "observe"});
  labelled(out, "pingyi_http_requests_total", "counter", "HTTP responses sent, by status class.", "class",
           http_requests_, {"2xx", "4xx", "5xx"});
  family(out, "pingyi_ws_messages_total", "counter", "WebSocket messages received.");
  sample(out, "pingyi_ws_messages_total", ws_messages_.load(std::memory_order_relaxed));
  labelled(out, "pingyi_limited_total", "counter", "Messages or connections refused by a limit, by limit.", "which",
           limited_, {"rate", "size", "queue", "connections"});

  family(out, "pingyi_sessions", "gauge", "Live voting sessions.");
  sample(out, "pingyi_sessions", sessions_.load(std::memory_order_relaxed));
  labelled(out, "pingyi_records_appended_total", "counter", "Chain records appended, by record type.", "type", records_,
           {});
  family(out, "pingyi_ballots_accepted_total", "counter", "Ballots accepted and committed.");
  sample(out, "pingyi_ballots_accepted_total", ballots_accepted_.load(std::memory_order_relaxed));
  labelled(out, "pingyi_ballots_rejected_total", "counter", "Ballots rejected, by error code.", "code",
           ballots_rejected_, {});

  constexpr std::string_view latency = "pingyi_commit_latency_seconds";
  family(out, latency, "histogram", "Time from a write being queued to its commit returning.");
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < commit_latency_.buckets.size(); ++i) {
    cumulative += commit_latency_.buckets[i];
    const std::string le = i < histogram::bounds.size() ? format_double(histogram::bounds[i], std::chars_format::fixed)
                                                        : std::string("+Inf");
    out.append(latency)
        .append("_bucket{le=\"")
        .append(le)
        .append("\"} ")
        .append(std::to_string(cumulative))
        .append("\n");
  }
  out.append(latency)
      .append("_sum ")
      .append(format_double(commit_latency_.sum, std::chars_format::general))
      .append("\n");
  out.append(latency).append("_count ").append(std::to_string(commit_latency_.count)).append("\n");
  return out;
}

}  // namespace pingyi::net
