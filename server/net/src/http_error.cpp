// The transport's error answers (PAYLOAD_TOO_LARGE, BAD_REQUEST, NOT_FOUND, RATE_LIMITED) in
// the catalogue's JSON shape, never built by string concatenation (STYLE.md).
#include "http_error.hpp"

#include <nlohmann/json.hpp>

namespace pingyi::net::detail {

namespace {

nlohmann::ordered_json error_object(std::string_view code, std::string_view message) {
  nlohmann::ordered_json error;
  error["code"] = code;
  error["message"] = message;
  return error;
}

}  // namespace

std::string error_body(std::string_view code, std::string_view message) {
  nlohmann::ordered_json body;
  body["ok"] = false;
  body["error"] = error_object(code, message);
  return body.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

http_response error_response(unsigned status, std::string_view code, std::string_view message) {
  http_response response;
  response.status = status;
  response.content_type = "application/json";
  response.body = error_body(code, message);
  response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

std::shared_ptr<const std::string> rate_limited_push() {
  static const auto push = [] {
    nlohmann::ordered_json body;
    body["type"] = "error";
    body["error"] = error_object("RATE_LIMITED", "too many messages: this one was dropped, slow down");
    return std::make_shared<const std::string>(body.dump());
  }();
  return push;
}

}  // namespace pingyi::net::detail
