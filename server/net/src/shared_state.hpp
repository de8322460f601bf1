// What every connection of one http_server shares (the CppCon 2018 chat server's shared_state):
// the options, the protocol, the metrics, the TLS context, and the registry of live connections
// that stop() walks. Thread-safe; the registry's mutex is held only to add, remove or copy.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "pingyi/net/http_server.hpp"
#include "pingyi/net/metrics.hpp"
#include "pingyi/net/transport.hpp"

namespace boost::asio::ssl {
class context;
}

namespace pingyi::net::detail {

// A connection the server can ask to end (stop()): it posts the closing to its own strand.
class live_connection {
 public:
  virtual ~live_connection() = default;
  virtual void shut_down() = 0;
  // Once no thread runs the io_context any more: drops what the connection holds that may hold it
  // in turn (a WebSocket's handler holds the connection), so that a connection whose close never
  // completed is still freed with the io_context's pending operations.
  virtual void abandon() noexcept {}
};

class shared_state {
 public:
  shared_state(server_options options, std::shared_ptr<request_handler> handler, std::shared_ptr<metrics> metrics,
               std::shared_ptr<boost::asio::ssl::context> tls);
  ~shared_state();
  shared_state(const shared_state&) = delete;
  shared_state& operator=(const shared_state&) = delete;

  [[nodiscard]] const server_options& options() const noexcept { return options_; }
  [[nodiscard]] request_handler& handler() const noexcept { return *handler_; }
  [[nodiscard]] metrics& counters() const noexcept { return *metrics_; }
  // The TLS context for a new connection when every connection is TLS, else nullptr. A
  // connection's stream keeps the context it was made with (OpenSSL counts its references), so
  // replace_tls never pulls one from under a live connection.
  [[nodiscard]] std::shared_ptr<boost::asio::ssl::context> tls() const;
  [[nodiscard]] bool serves_tls() const noexcept { return serves_tls_; }
  void replace_tls(std::shared_ptr<boost::asio::ssl::context> context);

  // A number unique per connection (ws_connection::id), never an address.
  [[nodiscard]] std::uint64_t next_connection_id() noexcept { return next_id_.fetch_add(1) + 1; }

  // Registers a live connection, or replaces the entry of the same id (an HTTP connection
  // upgraded to WebSocket stays one entry, so it never counts twice against max_connections);
  // false (and not registered) once stop() has begun: the caller then ends the connection.
  [[nodiscard]] bool join(std::uint64_t id, std::weak_ptr<live_connection> connection);
  void leave(std::uint64_t id);
  // Live connections (HTTP and WebSocket), for max_connections.
  [[nodiscard]] std::size_t connections() const;

  // Refuses new connections and asks every live one to shut down.
  void stop();
  // After stop(), once no thread runs the io_context: abandons every connection still registered.
  void abandon_all();
  [[nodiscard]] bool stopping() const;

 private:
  const server_options options_;
  const std::shared_ptr<request_handler> handler_;
  const std::shared_ptr<metrics> metrics_;
  const bool serves_tls_;
  std::atomic<std::uint64_t> next_id_{0};

  mutable std::mutex tls_mutex_;
  std::shared_ptr<boost::asio::ssl::context> tls_;

  mutable std::mutex mutex_;  // guards the two below
  std::unordered_map<std::uint64_t, std::weak_ptr<live_connection>> live_;
  bool stopping_ = false;
};

}  // namespace pingyi::net::detail
