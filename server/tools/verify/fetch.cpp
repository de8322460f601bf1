// One HTTP GET and the /observe WebSocket feed with Boost.Beast, blocking from the caller's point
// of view: each call runs its own io_context until its operation completes or its time is up, so
// every wait is bounded. An open feed alone reads on a thread of its own (see start_reading).
// clang-format off
#include <utility>  // first: Boost 1.74's asio/awaitable.hpp uses std::exchange without including it
// clang-format on

#include "fetch.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <thread>
#include <type_traits>

namespace pingyi::verify {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using milliseconds = std::chrono::milliseconds;

template <bool Tls>
using byte_stream = std::conditional_t<Tls, beast::ssl_stream<beast::tcp_stream>, beast::tcp_stream>;

constexpr std::uint64_t max_feed_message = std::uint64_t{64} << 20;  // a record push: a line ≤ 16 MiB, escaped

fetch_error failure(fetch_error::kind what, std::string message) {
  fetch_error e;
  e.what = what;
  e.message = std::move(message);
  return e;
}

bool is_ip_literal(const std::string& host) {
  beast::error_code ec;
  (void)net::ip::make_address(host, ec);
  return !ec;
}

// Runs `io` until done() or the deadline; false on timeout.
bool run_until(net::io_context& io, const std::function<bool()>& done, milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  io.restart();
  while (!done()) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return false;
    if (io.run_one_for(deadline - now) == 0 && io.stopped()) return done();
  }
  return true;
}

// Starts one asynchronous operation and runs `io` until it completes. The operation must bound
// itself in time (a stream expiry or a WebSocket timeout); `backstop` only guards against a
// defect there, and then reports a timeout.
template <class Start>
beast::error_code wait_for(net::io_context& io, Start&& start, milliseconds backstop) {
  // Shared with the handler: after a backstop timeout the operation is still pending and its
  // handler may yet run, after this frame is gone.
  auto result = std::make_shared<std::optional<beast::error_code>>();
  start([result](beast::error_code ec, auto&&...) { *result = ec; });
  if (!run_until(io, [&] { return result->has_value(); }, backstop)) return beast::error::timeout;
  return **result;
}

bool is_timeout(const beast::error_code& ec) {
  return ec == beast::error::timeout || ec == net::error::timed_out;
}

fetch_result<std::shared_ptr<ssl::context>> tls_context(const tls_settings& settings) {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_client);
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                       ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  context->set_verify_mode(ssl::verify_peer);
  beast::error_code ec;
  if (settings.cacert.empty()) {
    context->set_default_verify_paths(ec);
    if (ec) return failure(fetch_error::kind::tls, "cannot load the system's trusted certificates: " + ec.message());
  } else {
    context->load_verify_file(settings.cacert, ec);
    if (ec) {
      return failure(fetch_error::kind::tls, "cannot read the CA certificate " + settings.cacert + ": " + ec.message());
    }
  }
  return context;
}

template <bool Tls>
std::unique_ptr<byte_stream<Tls>> make_stream(net::io_context& io, ssl::context* context) {
  if constexpr (Tls) {
    return std::make_unique<byte_stream<Tls>>(io, *context);
  } else {
    (void)context;
    return std::make_unique<byte_stream<Tls>>(io);
  }
}

// Resolves, connects and (over TLS) checks the certificate and its name: the stream is then
// ready for HTTP.
template <bool Tls>
std::optional<fetch_error> connect(net::io_context& io, byte_stream<Tls>& stream, const server_url& url,
                                   const fetch_limits& limits) {
  struct resolution {  // shared with the handler, which may outlive this frame after a timeout
    std::optional<beast::error_code> ec;
    tcp::resolver::results_type endpoints;
  };
  auto resolved = std::make_shared<resolution>();
  tcp::resolver resolver(io);
  resolver.async_resolve(url.host, url.port, [resolved](beast::error_code ec, tcp::resolver::results_type r) {
    resolved->ec = ec;
    resolved->endpoints = std::move(r);
  });
  if (!run_until(io, [&] { return resolved->ec.has_value(); }, limits.connect)) {
    resolver.cancel();
    return failure(fetch_error::kind::timeout, "cannot resolve " + url.host + ": no answer in time");
  }
  if (*resolved->ec) {
    return failure(fetch_error::kind::unreachable, "cannot resolve " + url.host + ": " + resolved->ec->message());
  }
  const auto endpoints = resolved->endpoints;

  auto& tcp_layer = beast::get_lowest_layer(stream);
  tcp_layer.expires_after(limits.connect);
  auto ec = wait_for(
      io, [&](auto handler) { tcp_layer.async_connect(endpoints, std::move(handler)); }, limits.connect * 2);
  if (ec) {
    return failure(is_timeout(ec) ? fetch_error::kind::timeout : fetch_error::kind::unreachable,
                   "cannot connect to " + url.authority() + ": " + ec.message());
  }
  if constexpr (Tls) {
    // SNI for a name (RFC 6066 forbids it for an address); the name or address checked against
    // the certificate, on top of its chain to a trusted CA.
    if (!is_ip_literal(url.host) && !SSL_set_tlsext_host_name(stream.native_handle(), url.host.c_str())) {
      return failure(fetch_error::kind::tls, "cannot set the TLS server name " + url.host);
    }
    stream.set_verify_callback(ssl::host_name_verification(url.host));
    tcp_layer.expires_after(limits.connect);
    ec = wait_for(
        io, [&](auto handler) { stream.async_handshake(ssl::stream_base::client, std::move(handler)); },
        limits.connect * 2);
    if (ec) {
      std::string hint;
      if (ec.category() == net::error::get_ssl_category()) {
        const int reason = ERR_GET_REASON(static_cast<unsigned long>(ec.value()));
        if (reason == SSL_R_CERTIFICATE_VERIFY_FAILED) {
          hint = " (the certificate must be signed by a CA the system trusts, or by the one given with --cacert, "
                 "and be issued for " + url.host + ")";
        } else if (reason == SSL_R_WRONG_VERSION_NUMBER) {
          hint = " (the server does not seem to speak TLS: try http://)";
        }
      }
      return failure(is_timeout(ec) ? fetch_error::kind::timeout : fetch_error::kind::tls,
                     "TLS with " + url.authority() + " failed: " + ec.message() + hint);
    }
  }
  tcp_layer.expires_never();
  return std::nullopt;
}

template <bool Tls>
fetch_result<http_reply> get_over(const server_url& url, ssl::context* context, std::string_view target,
                                  const fetch_limits& limits) {
  net::io_context io;
  auto stream = make_stream<Tls>(io, context);
  if (auto e = connect<Tls>(io, *stream, url, limits)) return *e;
  auto& tcp_layer = beast::get_lowest_layer(*stream);

  http::request<http::empty_body> request{http::verb::get, url.base + std::string(target), 11};
  request.set(http::field::host, url.authority());
  request.set(http::field::user_agent, "pingyi-verify");
  request.set(http::field::accept, "*/*");
  tcp_layer.expires_after(limits.idle);
  auto ec = wait_for(
      io, [&](auto handler) { http::async_write(*stream, request, std::move(handler)); }, limits.idle * 2);
  if (ec) {
    return failure(is_timeout(ec) ? fetch_error::kind::timeout : fetch_error::kind::closed,
                   "cannot send the request to " + url.authority() + ": " + ec.message());
  }

  // Read piece by piece, so that the time limit is on silence, not on the whole chain.
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(limits.body_bytes);
  while (!parser.is_done()) {
    tcp_layer.expires_after(limits.idle);
    ec = wait_for(
        io, [&](auto handler) { http::async_read_some(*stream, buffer, parser, std::move(handler)); },
        limits.idle * 2);
    if (ec == http::error::body_limit) {
      return failure(fetch_error::kind::protocol, "the answer of " + url.authority() + " to GET " + url.base +
                                                      std::string(target) + " is larger than " +
                                                      std::to_string(limits.body_bytes >> 20) + " MiB");
    }
    if (is_timeout(ec)) {
      return failure(fetch_error::kind::timeout,
                     "no answer from " + url.authority() + " for " + std::to_string(limits.idle.count() / 1000) + " s");
    }
    if (ec == http::error::end_of_stream || ec == net::error::eof || ec == net::error::connection_reset) {
      return failure(fetch_error::kind::closed, url.authority() + " closed the connection before answering");
    }
    if (ec) return failure(fetch_error::kind::protocol, "cannot read the answer of " + url.authority() + ": " + ec.message());
  }
  beast::error_code ignored;
  tcp_layer.socket().shutdown(tcp::socket::shutdown_both, ignored);
  auto response = parser.release();
  return http_reply{response.result_int(), std::move(response.body())};
}

}  // namespace

fetch_result<http_reply> http_get(const server_url& url, const tls_settings& tls, std::string_view target,
                                  const fetch_limits& limits) {
  if (!url.tls) return get_over<false>(url, nullptr, target, limits);
  auto context = tls_context(tls);
  if (!context) return context.error();
  return get_over<true>(url, context->get(), target, limits);
}

// ---- the /observe feed ----------------------------------------------------------------------

struct observe_feed::impl {
  virtual ~impl() = default;
  virtual fetch_result<std::optional<std::string>> next(milliseconds wait) = 0;
};

namespace {

template <bool Tls>
class feed final : public observe_feed::impl {
 public:
  feed(std::shared_ptr<ssl::context> context, server_url url) : context_(std::move(context)), url_(std::move(url)) {
    if constexpr (Tls) {
      ws_ = std::make_unique<websocket::stream<byte_stream<Tls>>>(io_, *context_);
    } else {
      ws_ = std::make_unique<websocket::stream<byte_stream<Tls>>>(io_);
    }
  }

  std::optional<fetch_error> open(std::string_view target, const fetch_limits& limits) {
    if (auto e = connect<Tls>(io_, ws_->next_layer(), url_, limits)) return e;
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = limits.connect;
    timeouts.idle_timeout = limits.idle;
    timeouts.keep_alive_pings = true;
    ws_->set_option(timeouts);
    ws_->read_message_max(max_feed_message);
    ws_->set_option(websocket::stream_base::decorator(
        [](websocket::request_type& request) { request.set(http::field::user_agent, "pingyi-verify"); }));
    websocket::response_type response;
    const auto ec = wait_for(
        io_,
        [&](auto handler) {
          ws_->async_handshake(response, url_.authority(), std::string(target), std::move(handler));
        },
        limits.connect * 2);
    if (ec == websocket::error::upgrade_declined) {
      auto refused = refusal(response.result_int(), response.body());
      refused.message = url_.authority() + " refused the feed (" + refused.code + "): " + refused.message;
      return refused;
    }
    if (ec) {
      return failure(is_timeout(ec) ? fetch_error::kind::timeout : fetch_error::kind::protocol,
                     "cannot open the feed of " + url_.authority() + ": " + ec.message());
    }
    return std::nullopt;
  }

  // Reading goes on in a thread of its own from here, so that the server never waits on us while
  // we verify (its catch-up does not wait for a slow reader: it closes the connection).
  void start_reading() {
    reader_ = std::thread([this] {
      io_.restart();
      start_read();
      io_.run();
    });
  }

  // The reader stops where it is; the stream is then closed by its destructor on this thread,
  // the only one left touching it.
  ~feed() override {
    if (reader_.joinable()) {
      io_.stop();
      reader_.join();
    }
  }

  fetch_result<std::optional<std::string>> next(milliseconds wait) override {
    std::unique_lock lock(mutex_);
    arrived_.wait_for(lock, wait, [&] { return !inbox_.empty() || error_.has_value(); });
    if (!inbox_.empty()) {
      std::string message = std::move(inbox_.front());
      inbox_.pop_front();
      inbox_bytes_ -= message.size();
      return std::optional<std::string>(std::move(message));
    }
    if (error_) return *error_;
    return std::optional<std::string>();
  }

 private:
  // On the reader thread: one read at a time, each message queued for next().
  void start_read() {
    ws_->async_read(buffer_, [this](beast::error_code ec, std::size_t) {
      std::lock_guard lock(mutex_);
      if (ec) {
        std::string why = ec == websocket::error::closed
                              ? "the server closed the feed (" + std::to_string(ws_->reason().code) + ")"
                              : is_timeout(ec) ? "nothing from the server for too long" : ec.message();
        error_ = failure(is_timeout(ec) ? fetch_error::kind::timeout : fetch_error::kind::closed,
                         "the feed of " + url_.authority() + " dropped: " + why);
      } else if (inbox_bytes_ + buffer_.size() > max_inbox_bytes) {
        // A server far ahead of the verifier: stop reading; the follower reconnects from where
        // it got to once it has verified what it holds.
        error_ = failure(fetch_error::kind::closed, "the feed of " + url_.authority() +
                                                        " is more than " + std::to_string(max_inbox_bytes >> 20) +
                                                        " MiB ahead of verification: reading it again later");
      } else {
        inbox_bytes_ += buffer_.size();
        inbox_.push_back(beast::buffers_to_string(buffer_.data()));
        buffer_.consume(buffer_.size());
      }
      arrived_.notify_one();
      if (!error_) start_read();
    });
  }

  static constexpr std::size_t max_inbox_bytes = std::size_t{512} << 20;

  net::io_context io_;  // first: destroyed last, after the stream and any handler it holds
  std::shared_ptr<ssl::context> context_;
  server_url url_;
  std::unique_ptr<websocket::stream<byte_stream<Tls>>> ws_;
  beast::flat_buffer buffer_;  // the reader thread's
  std::thread reader_;
  std::mutex mutex_;  // guards what both threads touch: the inbox and the error
  std::condition_variable arrived_;
  std::deque<std::string> inbox_;
  std::size_t inbox_bytes_ = 0;
  std::optional<fetch_error> error_;
};

template <bool Tls>
fetch_result<std::unique_ptr<observe_feed::impl>> open_feed(std::shared_ptr<ssl::context> context,
                                                            const server_url& url, std::string_view target,
                                                            const fetch_limits& limits) {
  auto f = std::make_unique<feed<Tls>>(std::move(context), url);
  if (auto e = f->open(target, limits)) return *e;
  f->start_reading();
  return std::unique_ptr<observe_feed::impl>(std::move(f));
}

}  // namespace

fetch_error refusal(unsigned status, std::string_view body) {
  fetch_error e;
  e.what = fetch_error::kind::refused;
  e.status = status;
  const auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_object() && j.contains("error") && j["error"].is_object()) {
    const auto& err = j["error"];
    if (err.contains("code") && err["code"].is_string()) e.code = err["code"].get<std::string>();
    if (err.contains("message") && err["message"].is_string()) e.message = err["message"].get<std::string>();
  }
  if (e.code.empty() && status == 404) e.code = "NOT_FOUND";
  if (e.message.empty()) e.message = "HTTP " + std::to_string(status);
  return e;
}

observe_feed::observe_feed(std::unique_ptr<impl> p) : impl_(std::move(p)) {}
observe_feed::~observe_feed() = default;

fetch_result<std::unique_ptr<observe_feed>> observe_feed::open(const server_url& url, const tls_settings& tls,
                                                               std::string_view session, std::uint64_t from,
                                                               const fetch_limits& limits) {
  const std::string target =
      url.base + "/observe?session=" + std::string(session) + "&from=" + std::to_string(from);
  fetch_result<std::unique_ptr<impl>> opened = failure(fetch_error::kind::protocol, "");
  if (url.tls) {
    auto context = tls_context(tls);
    if (!context) return context.error();
    opened = open_feed<true>(*context, url, target, limits);
  } else {
    opened = open_feed<false>(nullptr, url, target, limits);
  }
  if (!opened) return opened.error();
  return std::unique_ptr<observe_feed>(new observe_feed(std::move(opened).value()));
}

fetch_result<std::optional<std::string>> observe_feed::next(std::chrono::milliseconds wait) {
  return impl_->next(wait);
}

}  // namespace pingyi::verify
