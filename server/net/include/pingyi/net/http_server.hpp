// The network transport (DESIGN.md §4, §5): one port for HTTP and WebSocket, plain or TLS
// (Beast's OpenSSL stream), static files of the web client, and the limits every connection
// lives under. Requests that are not static files go to a request_handler (transport.hpp).
// Beast lives only in this module's .cpp files.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "pingyi/net/metrics.hpp"
#include "pingyi/net/transport.hpp"

namespace boost::asio {
class io_context;
}

namespace pingyi::net {

struct tls_files {
  std::filesystem::path certificate_chain;  // PEM
  std::filesystem::path private_key;        // PEM
};

struct server_options {
  std::string address = "127.0.0.1";
  std::uint16_t port = 8080;  // 0: any free port (see http_server::port)
  // The built web client. GET/HEAD of any path outside /api/, /healthz, /metrics, /ws and
  // /observe is served from here ("/" is index.html); nothing outside it is ever served.
  std::filesystem::path static_dir;
  std::optional<tls_files> tls;

  std::size_t max_connections = 10'000;
  std::chrono::seconds http_idle_timeout{30};       // a request must arrive within this
  std::chrono::seconds websocket_idle_timeout{60};  // pings keep a live client connected
  // Per-connection write queue (WebSocket): beyond either bound the client is too slow and is
  // closed.
  std::size_t max_queued_messages = 4096;
  std::size_t max_queued_bytes = std::size_t{64} << 20;
  // Per-connection rate limit on requests and messages: a token bucket.
  double messages_per_second = 50;
  double message_burst = 200;
};

class http_server {
 public:
  // Binds and listens on the io_context's executor; fails (with a message naming the address
  // and the reason) when the port is taken or the TLS files cannot be loaded. Accepting starts
  // at once; the caller runs the io_context on as many threads as it likes.
  [[nodiscard]] static std::unique_ptr<http_server> create(boost::asio::io_context& io, const server_options& options,
                                                           std::shared_ptr<request_handler> handler,
                                                           std::shared_ptr<metrics> metrics, std::string& error);
  virtual ~http_server() = default;

  // The port actually bound (useful with port 0).
  [[nodiscard]] virtual std::uint16_t port() const noexcept = 0;
  // Stops accepting and closes every connection (WebSockets with a "going away" close frame);
  // returns at once, the closing completes on the io_context.
  virtual void stop() = 0;
  // Loads the TLS certificate chain and key again from the files of server_options::tls (a
  // renewed certificate, on SIGHUP): connections accepted afterwards use them, open ones keep
  // theirs. On failure (a file missing or unreadable, a key that does not match) the server keeps
  // serving with what it had, and `error` says why. False with an error when not serving TLS.
  [[nodiscard]] virtual bool reload_tls(std::string& error) = 0;
  // After stop(), once no thread runs the io_context any more: lets go of every connection whose
  // closing did not complete (a client that never answered), so that all of them are freed with
  // the io_context's pending operations.
  virtual void abandon_connections() = 0;
};

}  // namespace pingyi::net
