// pingyi-verify's side of the network: a server's address as an observer types it, one HTTP GET,
// and the /observe feed (WebSocket), plain or TLS with the certificate checked. Beast and Asio
// stay in fetch.cpp (compiled with server/net's single copy of them), so nothing that includes
// this header pays for them, and the checking code (crypto + core) never sees a socket.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "pingyi/crypto/result.hpp"
#include "server_url.hpp"

namespace pingyi::verify {

// How the server's certificate is checked over https: against the system's trusted CAs, or, with
// `cacert` set, against that PEM file only (a private CA). The name (or IP address) of the URL must
// match the certificate either way.
struct tls_settings {
  std::string cacert;
};

// What went wrong talking to a server. `message` is for a person and names the server and the
// step that failed; it never holds a credential (pingyi-verify has none).
struct fetch_error {
  enum class kind {
    unreachable,  // name resolution, connection refused or reset, nothing listening
    tls,          // handshake or certificate check failed
    timeout,      // nothing arrived in time
    protocol,     // not an HTTP or WebSocket answer we can read, or too large
    refused,      // the server answered with an error status (see status, code)
    closed,       // the WebSocket was closed (by the server, or the connection dropped)
  };
  kind what = kind::unreachable;
  unsigned status = 0;  // the HTTP status of `refused`
  std::string code;     // the pingyi error code of a refused request, when the body carries one
  std::string message;
};

template <class T>
using fetch_result = crypto::basic_result<T, fetch_error>;

struct http_reply {
  unsigned status = 0;
  std::string body;
};

struct fetch_limits {
  std::chrono::milliseconds connect{std::chrono::seconds(30)};  // resolve, connect, TLS, upgrade
  std::chrono::milliseconds idle{std::chrono::seconds(60)};     // no byte for this long: timeout
  std::uint64_t body_bytes = std::uint64_t{4} << 30;  // a whole chain: 10,000 members × 100 targets fit
};

// The error a refused request's answer states, {"ok":false,"error":{"code","message"}}
// (PROTOCOL.md §7), or just its status when the body says nothing readable.
[[nodiscard]] fetch_error refusal(unsigned status, std::string_view body);

// GET base + target ("/api/sessions/ID/chain"). Any status is returned as it is; only a failure
// to get a complete answer is an error.
[[nodiscard]] fetch_result<http_reply> http_get(const server_url& url, const tls_settings& tls, std::string_view target,
                                                const fetch_limits& limits = {});

// The public feed WS base + /observe?session=ID&from=N (PROTOCOL.md §6): every message as text, in
// order. Once open, a thread of its own reads the feed as fast as it comes and queues it, so that
// the server never waits on the verification. The connection pings the server while the feed is
// quiet and counts it dropped after `idle` with nothing from the server (the server itself pings
// every 30 s of silence).
class observe_feed {
 public:
  // Connects and upgrades. A refused upgrade (an unknown session is 404) is `refused`.
  [[nodiscard]] static fetch_result<std::unique_ptr<observe_feed>> open(const server_url& url,
                                                                        const tls_settings& tls,
                                                                        std::string_view session, std::uint64_t from,
                                                                        const fetch_limits& limits = {});
  ~observe_feed();
  observe_feed(const observe_feed&) = delete;
  observe_feed& operator=(const observe_feed&) = delete;

  // The next message. nullopt when none arrived within `wait` (the connection stays up: call
  // again); an error once the connection is gone and every message read before has been given.
  [[nodiscard]] fetch_result<std::optional<std::string>> next(std::chrono::milliseconds wait);

  struct impl;  // the connection, plain or TLS (fetch.cpp)

 private:
  explicit observe_feed(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

}  // namespace pingyi::verify
