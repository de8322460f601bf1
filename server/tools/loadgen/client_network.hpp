// The load generator's side of the network: one io_context run by a few threads, WebSocket links
// (a tablet's or the chair's /ws) and one-shot HTTP exchanges (a ballot on a fresh connection).
// Beast and Asio stay in client_network.cpp; callers see callbacks and strings only.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pingyi::loadgen {

using clock_type = std::chrono::steady_clock;

struct http_request {
  std::string method = "GET";
  std::string target;
  std::string body;  // sent with Content-Type: application/json when not empty
  std::vector<std::pair<std::string, std::string>> headers;
  // Called on an io thread just before the connection is opened (the moment a cast starts).
  std::function<void()> on_start;
};

// What came back: `failure` is empty when a whole response arrived (any status), else it says
// which step of the exchange failed ("connect: Connection refused").
struct http_outcome {
  std::string failure;
  unsigned status = 0;
  std::string body;
};

// An open /ws connection. send() may be called from any thread; messages go out in order, one
// write at a time.
class ws_link {
 public:
  virtual ~ws_link() = default;
  virtual void send(std::string text) = 0;
  // A close handshake (code 1000); on_close follows.
  virtual void close() = 0;
};

struct ws_handlers {
  // Once: "" when the WebSocket handshake succeeded, else why it failed (then nothing else comes).
  std::function<void(const std::string& failure)> on_open;
  // Every text message, in order, on the link's strand (one at a time per link). The view is
  // valid only during the call.
  std::function<void(std::string_view text)> on_message;
  // Once, after a successful open: the connection ended ("" for a clean close).
  std::function<void(const std::string& reason)> on_close;
};

class client_network {
 public:
  // Connections go to host:port (an IP address); `threads` run the io_context.
  client_network(const std::string& host, std::uint16_t port, std::size_t threads);
  client_network(const client_network&) = delete;
  client_network& operator=(const client_network&) = delete;
  // Stops the io_context and joins its threads: no callback runs after this returns.
  ~client_network();

  // Connects, upgrades to WebSocket on `target`, then reads until the connection ends. The link
  // keeps itself alive while it is open.
  std::shared_ptr<ws_link> open_ws(const std::string& target, ws_handlers handlers);

  // One request on a new connection that is closed after the response (Connection: close); `done`
  // runs on an io thread. With `at` in the future the connection is opened then, not before.
  void http(http_request request, std::function<void(http_outcome)> done, clock_type::time_point at = {});

  // The same, waiting for the outcome (at most `timeout`); for the set-up steps of the main thread.
  http_outcome http_wait(http_request request, std::chrono::milliseconds timeout);

  void stop();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace pingyi::loadgen
