// A glance at a /ws message (see push_peek.hpp). The server serialises its messages with
// nlohmann::json in a fixed key order (server/net/src/wire.cpp): replies begin with "id", pushes
// with "type"; a record push's line is a JSON string, so its quotes are escaped.
#include "push_peek.hpp"

namespace pingyi::loadgen {

namespace {

constexpr std::string_view reply_prefix = R"({"id":)";
constexpr std::string_view record_prefix = R"({"type":"record",)";
constexpr std::string_view progress_prefix = R"({"type":"progress",)";
constexpr std::string_view line_key = R"("line":"{)";
constexpr std::string_view type_key = R"(\"type\":\")";
// The envelope (seq, prev, time) is under 200 bytes; the type follows it.
constexpr std::size_t type_window = 400;

bool starts_with(std::string_view s, std::string_view prefix) noexcept { return s.substr(0, prefix.size()) == prefix; }

}  // namespace

message_kind kind_of(std::string_view message) noexcept {
  if (starts_with(message, reply_prefix)) return message_kind::reply;
  if (starts_with(message, record_prefix)) return message_kind::record;
  if (starts_with(message, progress_prefix)) return message_kind::progress;
  return message_kind::other;
}

std::string_view pushed_record_type(std::string_view message) noexcept {
  if (!starts_with(message, record_prefix)) return {};
  const auto line = message.find(line_key);
  if (line == std::string_view::npos) return {};
  const auto window = message.substr(line, type_window);
  const auto at = window.find(type_key);
  if (at == std::string_view::npos) return {};
  const auto start = at + type_key.size();
  const auto end = window.find('\\', start);
  if (end == std::string_view::npos) return {};
  return window.substr(start, end - start);
}

}  // namespace pingyi::loadgen
