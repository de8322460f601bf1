// A small blocking client for integration tests against a pingyi server on loopback: one HTTP
// call per connection, a WebSocket client whose receive() waits at most a given time, and a raw
// byte exchange for malformed input. Plain or TLS (the server's certificate is not verified).
// Every call is bounded in time, so a misbehaving server fails a test instead of hanging it.
//
//   auto r = pingyi::test::http_call(port, "POST", "/api/sessions", body, {{"Authorization", "Bearer …"}});
//   pingyi::test::ws_client ws(port, "/ws");
//   ASSERT_TRUE(ws.send(R"({"id":1,"type":"hello"})"));
//   std::optional<std::string> reply = ws.receive();   // nullopt: timeout or closed
#pragma once

// clang-format off
#include <utility>  // first: Boost 1.74's Asio needs it before its awaitable header
// clang-format on

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace pingyi::test {

using namespace std::chrono_literals;

// An HTTP response as a test sees it.
struct http_result {
  unsigned status = 0;
  std::string body;
  std::map<std::string, std::string, std::less<>> headers;  // field names in lower case

  // The value of a header (any case), or "" when absent.
  [[nodiscard]] std::string header(std::string_view name) const {
    std::string key(name);
    for (auto& c : key) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    const auto it = headers.find(key);
    return it == headers.end() ? std::string() : it->second;
  }
};

using header_list = std::vector<std::pair<std::string, std::string>>;

namespace detail {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace websocket = beast::websocket;

template <bool Tls>
using next_layer = std::conditional_t<Tls, beast::ssl_stream<beast::tcp_stream>, beast::tcp_stream>;

inline ssl::context& client_tls_context() {
  static ssl::context context = [] {
    ssl::context c(ssl::context::tls_client);
    c.set_verify_mode(ssl::verify_none);  // test certificates are self-signed
    return c;
  }();
  return context;
}

// Runs `io` until `done()` or the deadline; false on timeout.
inline bool run_until(net::io_context& io, const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  io.restart();
  while (!done()) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return false;
    if (io.run_one_for(deadline - now) == 0 && io.stopped()) return done();
  }
  return true;
}

// Starts one asynchronous operation and waits for it; the result is its error code.
template <class Start>
beast::error_code wait_for(net::io_context& io, Start&& start, std::chrono::milliseconds timeout) {
  std::optional<beast::error_code> result;
  start([&result](beast::error_code ec, auto&&...) { result = ec; });
  if (!run_until(
          io, [&] { return result.has_value(); }, timeout))
    return net::error::timed_out;
  return *result;
}

template <bool Tls>
next_layer<Tls> make_stream(net::io_context& io) {
  if constexpr (Tls) {
    return next_layer<Tls>(io, client_tls_context());
  } else {
    return next_layer<Tls>(io);
  }
}

// TCP connect (and TLS handshake) to 127.0.0.1:port within `timeout`; throws on failure.
template <bool Tls>
void connect(net::io_context& io, next_layer<Tls>& stream, std::uint16_t port, std::chrono::milliseconds timeout) {
  auto& tcp = beast::get_lowest_layer(stream);
  tcp.expires_after(timeout);
  const net::ip::tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), port);
  auto ec = wait_for(
      io, [&](auto handler) { tcp.async_connect(endpoint, std::move(handler)); }, timeout);
  if (ec) throw beast::system_error(ec, "connect");
  if constexpr (Tls) {
    ec = wait_for(
        io, [&](auto handler) { stream.async_handshake(ssl::stream_base::client, std::move(handler)); }, timeout);
    if (ec) throw beast::system_error(ec, "tls handshake");
  }
  tcp.expires_never();
}

template <bool Tls>
http_result exchange(std::uint16_t port, std::string_view method, std::string_view target, std::string_view body,
                     const header_list& headers, std::chrono::milliseconds timeout) {
  net::io_context io;
  auto stream = make_stream<Tls>(io);
  connect<Tls>(io, stream, port, timeout);
  beast::get_lowest_layer(stream).expires_after(timeout);

  http::request<http::string_body> request;
  request.method_string(beast::string_view(method.data(), method.size()));
  request.target(beast::string_view(target.data(), target.size()));
  request.version(11);
  request.set(http::field::host, "127.0.0.1");
  for (const auto& [name, value] : headers) request.set(name, value);
  request.body() = std::string(body);
  request.prepare_payload();

  // A server that refuses a request early (413) may close while the body is still going out:
  // the write may fail, and its answer is read all the same.
  (void)wait_for(
      io, [&](auto handler) { http::async_write(stream, request, std::move(handler)); }, timeout);

  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(std::uint64_t{64} << 20);
  if (method == "HEAD") parser.skip(true);
  const auto ec = wait_for(
      io, [&](auto handler) { http::async_read(stream, buffer, parser, std::move(handler)); }, timeout);
  if (ec) throw beast::system_error(ec, "read response");

  const auto& response = parser.get();
  http_result result;
  result.status = response.result_int();
  result.body = response.body();
  for (const auto& field : response) {
    std::string name(field.name_string());
    for (auto& c : name) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    result.headers[name] = std::string(field.value());
  }
  return result;
}

}  // namespace detail

// One request on a new connection to 127.0.0.1:port, the response read whole. Throws
// boost::system::system_error when the connection fails or no complete response arrives in time.
inline http_result http_call(std::uint16_t port, std::string_view method, std::string_view target,
                             std::string_view body = {}, const header_list& headers = {},
                             std::chrono::milliseconds timeout = 5s) {
  return detail::exchange<false>(port, method, target, body, headers, timeout);
}

// The same over TLS.
inline http_result https_call(std::uint16_t port, std::string_view method, std::string_view target,
                              std::string_view body = {}, const header_list& headers = {},
                              std::chrono::milliseconds timeout = 5s) {
  return detail::exchange<true>(port, method, target, body, headers, timeout);
}

// What came back from raw_exchange.
struct raw_result {
  std::string bytes;              // everything the server sent
  bool closed_by_server = false;  // the server closed the connection (not our timeout)
};

// Sends `bytes` as they are (malformed requests, pipelining) and reads until the server closes
// the connection or `timeout` passes.
inline raw_result raw_exchange(std::uint16_t port, std::string_view bytes, std::chrono::milliseconds timeout = 5s) {
  namespace net = boost::asio;
  namespace beast = boost::beast;
  net::io_context io;
  beast::tcp_stream stream(io);
  detail::connect<false>(io, stream, port, timeout);
  raw_result result;
  if (!bytes.empty()) {
    const auto ec = detail::wait_for(
        io,
        [&](auto handler) { net::async_write(stream, net::buffer(bytes.data(), bytes.size()), std::move(handler)); },
        timeout);
    if (ec) return result;
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  char chunk[16 * 1024];
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left <= 0ms) return result;
    std::size_t got = 0;
    const auto ec = detail::wait_for(
        io,
        [&](auto handler) {
          stream.async_read_some(net::buffer(chunk),
                                 [&got, handler = std::move(handler)](beast::error_code e, std::size_t n) mutable {
                                   got = n;
                                   handler(e);
                                 });
        },
        left);
    result.bytes.append(chunk, got);
    if (ec == net::error::timed_out) return result;
    if (ec) {
      result.closed_by_server = true;  // end of stream or reset
      return result;
    }
  }
}

// A WebSocket client: connect in the constructor, then send, receive with a timeout, close.
// Messages that arrive while the test is not receiving wait in the kernel (a client that never
// calls receive() never reads), and those read are kept in order for the next receive().
template <bool Tls>
class basic_ws_client {
 public:
  // Connects to 127.0.0.1:port and upgrades `target` ("/ws", "/observe?session=…"). Throws
  // boost::system::system_error when that fails, a refused upgrade included.
  basic_ws_client(std::uint16_t port, std::string_view target, std::chrono::milliseconds timeout = 5s)
      : ws_(detail::make_stream<Tls>(io_)) {
    detail::connect<Tls>(io_, ws_.next_layer(), port, timeout);
    auto timeouts = detail::websocket::stream_base::timeout::suggested(boost::beast::role_type::client);
    timeouts.handshake_timeout = timeout;
    ws_.set_option(timeouts);
    ws_.read_message_max(std::uint64_t{64} << 20);
    const std::string host = std::string("127.0.0.1:").append(std::to_string(port));
    const auto ec = detail::wait_for(
        io_, [&](auto handler) { ws_.async_handshake(host, std::string(target), std::move(handler)); }, timeout);
    if (ec) throw boost::system::system_error(ec, "websocket handshake");
  }

  basic_ws_client(const basic_ws_client&) = delete;
  basic_ws_client& operator=(const basic_ws_client&) = delete;

  // Sends one text message; false when the connection is gone or the write did not finish in time.
  [[nodiscard]] bool send(std::string_view text, std::chrono::milliseconds timeout = 5s) {
    return write(text, true, timeout);
  }
  // The same as a binary message (which pingyi refuses).
  [[nodiscard]] bool send_binary(std::string_view bytes, std::chrono::milliseconds timeout = 5s) {
    return write(bytes, false, timeout);
  }

  // The next text message, or nullopt when none arrives in time or the connection has closed
  // (then closed() is true and close_code() tells the server's close code, if it sent one).
  [[nodiscard]] std::optional<std::string> receive(std::chrono::milliseconds timeout = 5s) {
    if (inbox_.empty() && !closed_) {
      if (!reading_) start_read();
      detail::run_until(
          io_, [&] { return !reading_; }, timeout);
    }
    if (inbox_.empty()) return std::nullopt;
    auto message = std::move(inbox_.front());
    inbox_.pop_front();
    return message;
  }

  // Sends a normal close frame and waits (at most `timeout`) for the server's.
  void close(std::chrono::milliseconds timeout = 5s) {
    if (closed_ || broken_) return;
    const auto ec = detail::wait_for(
        io_, [&](auto handler) { ws_.async_close(detail::websocket::close_code::normal, std::move(handler)); },
        timeout);
    if (ec) {
      broken_ = true;
      return;
    }
    // Beast's close read the server's close frame; a read still pending now ends with an error.
    if (reading_)
      detail::run_until(
          io_, [&] { return !reading_; }, timeout);
    closed_ = true;
    if (!close_code_ && ws_.reason().code != detail::websocket::close_code::none) {
      close_code_ = static_cast<unsigned>(ws_.reason().code);
    }
  }

  [[nodiscard]] bool closed() const noexcept { return closed_; }
  [[nodiscard]] std::optional<unsigned> close_code() const noexcept { return close_code_; }

 private:
  bool write(std::string_view payload, bool text, std::chrono::milliseconds timeout) {
    if (closed_ || broken_) return false;
    outgoing_ = std::string(payload);
    ws_.text(text);
    const auto ec = detail::wait_for(
        io_, [&](auto handler) { ws_.async_write(boost::asio::buffer(outgoing_), std::move(handler)); }, timeout);
    if (ec) broken_ = true;  // a write left pending or failed: the stream is not usable again
    return !ec;
  }

  void start_read() {
    reading_ = true;
    ws_.async_read(buffer_, [this](boost::beast::error_code ec, std::size_t) {
      reading_ = false;
      if (ec) {
        closed_ = true;
        if (ec == detail::websocket::error::closed) close_code_ = static_cast<unsigned>(ws_.reason().code);
        return;
      }
      inbox_.push_back(boost::beast::buffers_to_string(buffer_.data()));
      buffer_.consume(buffer_.size());
    });
  }

  boost::asio::io_context io_;  // first: destroyed last, after the stream
  detail::websocket::stream<detail::next_layer<Tls>> ws_;
  boost::beast::flat_buffer buffer_;
  std::deque<std::string> inbox_;
  std::string outgoing_;
  bool reading_ = false;
  bool closed_ = false;
  bool broken_ = false;
  std::optional<unsigned> close_code_;
};

using ws_client = basic_ws_client<false>;
using wss_client = basic_ws_client<true>;

}  // namespace pingyi::test
