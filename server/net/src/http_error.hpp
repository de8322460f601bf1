// The transport's own error answers, in the shape every pingyi error has (DESIGN.md §4):
// {"ok":false,"error":{"code":"PAYLOAD_TOO_LARGE","message":"…"}}, built with nlohmann::json.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "pingyi/net/transport.hpp"

namespace pingyi::net::detail {

// The error body alone.
[[nodiscard]] std::string error_body(std::string_view code, std::string_view message);

// A whole response carrying that body.
[[nodiscard]] http_response error_response(unsigned status, std::string_view code, std::string_view message);

// The WebSocket push that tells a client one of its messages was dropped by the rate limit:
// {"type":"error","error":{"code":"RATE_LIMITED","message":"…"}}. Serialised once, shared.
[[nodiscard]] std::shared_ptr<const std::string> rate_limited_push();

}  // namespace pingyi::net::detail
