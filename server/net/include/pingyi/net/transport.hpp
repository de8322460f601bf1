// What the network transport (Beast: listener, http_session, websocket_session) and the protocol
// above it (routes, live sessions) say to each other, with no Beast or Asio type in sight: the
// transport parses, limits and writes; the protocol decides. This keeps Beast in the few .cpp
// files that need it (STYLE.md: "Beast compiled once, not in every translation unit").
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pingyi::net {

// Limits (DESIGN.md §4): 1 MiB per WebSocket message in either direction and per HTTP body.
inline constexpr std::size_t max_message_bytes = std::size_t{1} << 20;

// An HTTP request as the protocol sees it: the target split into path and query, the headers
// it needs, and the whole body (already limited to max_message_bytes by the transport).
struct http_request {
  std::string method;  // "GET", "POST" …
  std::string path;    // "/api/sessions/ab12…/ballots", percent-decoding not applied
  std::string query;   // after '?', or empty
  std::string authorization;
  std::string content_type;
  std::string body;
};

struct http_response {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers (Cache-Control …)
  // False: the transport logs nothing of this exchange, not even its time (a cast: an honest
  // server keeps no timings of casts that could be paired with a tablet's requests, DESIGN.md §7).
  bool logged = true;
};

// Sends the response; callable once, from any thread (the transport posts it to its own
// executor).
using http_reply = std::function<void(http_response)>;

// The transport's side of one WebSocket connection, held by the protocol. Thread-safe.
class ws_connection {
 public:
  virtual ~ws_connection() = default;
  // Queues a text message. The queue is bounded (in messages and bytes); a client too slow to
  // drain it is closed, not buffered without end. Messages go out in the order queued.
  virtual void send(std::shared_ptr<const std::string> text) = 0;
  // Closes the connection (after what is queued, with a normal close frame).
  virtual void close() = 0;
  // For rate limiting and logs: an opaque number unique per connection; never an address.
  [[nodiscard]] virtual std::uint64_t id() const noexcept = 0;
};

// The protocol's side of one WebSocket connection. The transport calls on_message for each text
// message, one at a time and in order (never concurrently for one connection), and on_close
// exactly once when the connection ends for any reason; after on_close nothing else is called.
class ws_handler {
 public:
  virtual ~ws_handler() = default;
  virtual void on_message(std::string text) = 0;
  virtual void on_close() = 0;
};

// The protocol: implemented by the routes, called by the transport.
class request_handler {
 public:
  virtual ~request_handler() = default;
  // Every HTTP request that is not a WebSocket upgrade and not a static file.
  virtual void handle_http(http_request request, http_reply reply) = 0;
  // An upgrade request to `request.path` (with its query): returns the handler for the new
  // connection, or nullptr to refuse it (the transport answers 404 and closes).
  [[nodiscard]] virtual std::shared_ptr<ws_handler> open_websocket(const http_request& request,
                                                                    std::shared_ptr<ws_connection> connection) = 0;
};

}  // namespace pingyi::net
