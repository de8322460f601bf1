// What a /ws message is, without parsing it: a reply to a request, or a push and, for a `record`
// push, the type of the record it carries. Every tablet receives every record of the session
// (a ballot record of a 28-target round is ~30 KB), so the tool reads the few it acts on and
// only glances at the others.
#pragma once

#include <string_view>

namespace pingyi::loadgen {

enum class message_kind { reply, record, progress, other };

[[nodiscard]] message_kind kind_of(std::string_view message) noexcept;

// The `type` of the record in a `record` push ({"type":"record","seq":…,"line":"{\"seq\":…,
// \"prev\":…,\"time\":…,\"type\":\"ballot\",…"}), or "" when the message is not one. The line's
// envelope fields come first (DESIGN.md §3.6), so the record's type is found near the start.
[[nodiscard]] std::string_view pushed_record_type(std::string_view message) noexcept;

}  // namespace pingyi::loadgen
