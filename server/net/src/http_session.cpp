// HTTP sessions, plain and TLS, sharing their code through CRTP as Beast's advanced_server_flex
// does: the derived class supplies the stream, the start (TLS handshake or none) and the end
// (TLS shutdown or a TCP half-close). One request is read, answered, and only then is the next
// one read, so a session has at most one read or one write in flight.
// clang-format off
#include <utility>  // first: Boost 1.74's Asio needs it before its awaitable header
// clang-format on

#include "http_session.hpp"

#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream_base.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <chrono>
#include <exception>
#include <optional>
#include <string>
#include <string_view>

#include "http_error.hpp"
#include "static_files.hpp"
#include "websocket_session.hpp"

namespace pingyi::net::detail {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;

namespace {

// After the last response on a connection the peer gets this long to finish sending (a body we
// refused, say) before the socket closes: closing with unread data would reset the connection
// and the peer could lose the response (a "lingering close").
constexpr std::chrono::seconds linger_time{5};
constexpr std::size_t linger_bytes = 2 * max_message_bytes;

// Connection-level failures are routine (a tablet walks out of Wi-Fi range): debug level, and
// never an address (DESIGN.md §7).
void fail(beast::error_code ec, const char* what) {
  if (ec == net::error::operation_aborted) return;  // our own cancel: stop() or a timeout path
  spdlog::debug("http: {}: {}", what, ec.message());
}

bool is_parse_error(beast::error_code ec) {
  return ec.category() == beast::error_code(http::error::bad_target).category();
}

std::string_view to_std(beast::string_view text) noexcept { return {text.data(), text.size()}; }

// "/api/x?y=1" → {"/api/x", "y=1"}.
std::pair<std::string_view, std::string_view> split_target(std::string_view target) {
  const auto mark = target.find('?');
  if (mark == std::string_view::npos) return {target, {}};
  return {target.substr(0, mark), target.substr(mark + 1)};
}

// No header line break can be smuggled into a response.
bool is_header_safe(std::string_view text) noexcept {
  return text.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

http_request to_http_request(http::request<http::string_body>& message, bool with_body) {
  const auto [path, query] = split_target(to_std(message.target()));
  http_request request;
  request.method = std::string(to_std(message.method_string()));
  request.path = std::string(path);
  request.query = std::string(query);
  request.authorization = std::string(to_std(message[http::field::authorization]));
  request.content_type = std::string(to_std(message[http::field::content_type]));
  if (with_body) request.body = std::move(message.body());
  return request;
}

template <class Derived>
class http_session : public live_connection {
 public:
  http_session(net::any_io_executor executor, std::shared_ptr<shared_state> state)
      : executor_(std::move(executor)), state_(std::move(state)), id_(state_->next_connection_id()) {
    state_->counters().connection_opened("http");
  }

  ~http_session() override { end_connection(true); }

  [[nodiscard]] std::uint64_t id() const noexcept { return id_; }

  // stop(): a session waiting for a request ends now; one that is answering finishes that
  // answer and then ends (its response says Connection: close).
  void shut_down() override {
    // The executor was copied at construction: after an upgrade the stream is moved away.
    net::post(executor_, [self = derived().shared_from_this()] { self->on_shut_down(); });
  }

 protected:
  enum class phase { starting, reading, handling, writing, ending };

  Derived& derived() { return static_cast<Derived&>(*this); }
  const server_options& options() const { return state_->options(); }

  void do_read() {
    if (stopping_) return derived().do_eof();
    phase_ = phase::reading;
    head_ = false;
    method_.clear();
    log_path_.clear();
    parser_.emplace();
    parser_->body_limit(max_message_bytes);
    beast::get_lowest_layer(derived().stream()).expires_after(options().http_idle_timeout);
    http::async_read_header(derived().stream(), buffer_, *parser_,
                            beast::bind_front_handler(&http_session::on_read_header, derived().shared_from_this()));
  }

  // The header alone first: a body over the limit is refused before it is sent (Content-Length
  // is checked here), and a client that asks "Expect: 100-continue" (curl, for any body over
  // 1 KiB) is told to go on instead of waiting a second for nothing.
  void on_read_header(beast::error_code ec, std::size_t bytes) {
    if (ec || parser_->is_done()) return on_read(ec, bytes);
    if (beast::iequals(parser_->get()[http::field::expect], "100-continue")) {
      continue_ = http::response<http::empty_body>(http::status::continue_, parser_->get().version());
      return http::async_write(derived().stream(), continue_,
                               beast::bind_front_handler(&http_session::on_continue, derived().shared_from_this()));
    }
    do_read_body();
  }

  void on_continue(beast::error_code ec, std::size_t /*bytes*/) {
    if (ec) return fail(ec, "write");
    do_read_body();
  }

  void do_read_body() {
    beast::get_lowest_layer(derived().stream()).expires_after(options().http_idle_timeout);
    http::async_read(derived().stream(), buffer_, *parser_,
                     beast::bind_front_handler(&http_session::on_read, derived().shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t /*bytes*/) {
    if (ec == http::error::end_of_stream) return derived().do_eof();
    if (ec == http::error::body_limit) {
      return answer_and_close(error_response(413, "PAYLOAD_TOO_LARGE", "the request body exceeds 1 MiB"));
    }
    if (ec == http::error::header_limit) {
      return answer_and_close(error_response(431, "PAYLOAD_TOO_LARGE", "the request headers exceed 8 KiB"));
    }
    if (ec && ec != http::error::partial_message && is_parse_error(ec)) {
      fail(ec, "parse");
      return answer_and_close(error_response(400, "BAD_REQUEST", "malformed HTTP request"));
    }
    if (ec) return fail(ec, "read");
    handle_request(parser_->release());
  }

  void handle_request(http::request<http::string_body> message) {
    phase_ = phase::handling;
    version_ = message.version();
    keep_alive_ = message.keep_alive();
    head_ = message.method() == http::verb::head;
    const auto [path, query] = split_target(to_std(message.target()));
    log_path_ = std::string(path);  // logs name the path, never the query (DESIGN.md §7)
    method_ = std::string(to_std(message.method_string()));

    if (path.empty() || path.front() != '/') {
      return answer_and_close(error_response(400, "BAD_REQUEST", "the request target must be an absolute path"));
    }

    if (beast::websocket::is_upgrade(message)) {
      if (path == "/ws" || path == "/observe") {
        const http_request request = to_http_request(message, false);
        if (run_websocket_session(derived().stream(), message, request, id_, state_)) {
          // The stream, the connection id and its registry entry now belong to the
          // websocket_session; this session only leaves the "http" gauge.
          end_connection(false);
          spdlog::debug("http: {} upgraded to WebSocket", log_path_);
          return;
        }
      }
      return answer_and_close(error_response(404, "NOT_FOUND", "no such WebSocket endpoint"));
    }

    const bool get_or_head = message.method() == http::verb::get || head_;
    if (get_or_head && is_static_path(path)) return answer(serve_static_file(options().static_dir, path));

    // The protocol answers through `reply`, once, from any thread: the answer is posted back to
    // this session's strand. The reply keeps the session alive until it is called or dropped.
    http_reply reply = [self = derived().shared_from_this(),
                        used = std::make_shared<std::atomic<bool>>(false)](http_response response) {
      if (used->exchange(true)) return;
      auto executor = self->executor_;
      net::post(executor, [self = std::move(self), response = std::move(response)]() mutable {
        self->answer(std::move(response));
      });
    };
    try {
      state_->handler().handle_http(to_http_request(message, true), reply);
    } catch (const std::exception& e) {
      spdlog::error("http: handler failed on {} {}: {}", method_, log_path_, e.what());
      reply(error_response(500, "INTERNAL", "internal error"));
    }
  }

  void answer_and_close(http_response response) {
    keep_alive_ = false;
    answer(std::move(response));
  }

  void answer(http_response response) {
    phase_ = phase::writing;
    if (response.status < 100 || response.status > 599) {
      spdlog::error("http: the handler answered {} {} with status {}", method_, log_path_, response.status);
      response = error_response(500, "INTERNAL", "internal error");
    }
    response_ = http::response<http::string_body>{};
    response_.version(version_);
    response_.result(response.status);
    if (!response.content_type.empty() && is_header_safe(response.content_type)) {
      response_.set(http::field::content_type, response.content_type);
    }
    response_.set("X-Content-Type-Options", "nosniff");
    for (auto& [name, value] : response.headers) {
      if (is_header_safe(name) && is_header_safe(value)) response_.set(name, value);
    }
    // 1xx, 204 and 304 carry neither a body nor a Content-Length (RFC 9110 §8.6).
    const unsigned status = response.status;
    if (status >= 200 && status != 204 && status != 304) {
      response_.content_length(response.body.size());
      if (!head_) response_.body() = std::move(response.body);  // HEAD: the length, not the bytes
    }
    response_.keep_alive(keep_alive_ && !stopping_);
    state_->counters().http_request(status);
    if (response.logged) spdlog::debug("http: {} {} -> {}", method_, log_path_, status);

    beast::get_lowest_layer(derived().stream()).expires_after(options().http_idle_timeout);
    http::async_write(derived().stream(), response_,
                      beast::bind_front_handler(&http_session::on_write, derived().shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t /*bytes*/) {
    if (ec) return fail(ec, "write");
    if (!response_.keep_alive()) return derived().do_eof();
    response_ = http::response<http::string_body>{};
    do_read();
  }

  // Out of the open-connections gauge and (unless the entry was handed on) the registry, once.
  void end_connection(bool leave_registry) {
    if (ended_) return;
    ended_ = true;
    if (leave_registry) state_->leave(id_);
    state_->counters().connection_closed("http");
  }

  void on_shut_down() {
    stopping_ = true;
    // A read, handshake or linger in progress is cancelled; an answer being prepared or written
    // completes first, then on_write ends the session.
    if (phase_ == phase::starting || phase_ == phase::reading || phase_ == phase::ending) {
      beast::get_lowest_layer(derived().stream()).cancel();
    }
  }

  const net::any_io_executor executor_;  // the connection's strand
  std::shared_ptr<shared_state> state_;
  const std::uint64_t id_;
  beast::flat_buffer buffer_;
  phase phase_ = phase::starting;
  bool stopping_ = false;

 private:
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;
  http::response<http::empty_body> continue_;
  unsigned version_ = 11;
  bool keep_alive_ = true;
  bool head_ = false;
  bool ended_ = false;
  std::string method_;
  std::string log_path_;
};

// Plain TCP.
class plain_http_session : public http_session<plain_http_session>,
                           public std::enable_shared_from_this<plain_http_session> {
 public:
  plain_http_session(tcp::socket socket, std::shared_ptr<shared_state> state)
      : http_session(socket.get_executor(), std::move(state)), stream_(std::move(socket)) {}

  void run() {
    net::dispatch(stream_.get_executor(), beast::bind_front_handler(&plain_http_session::do_read, shared_from_this()));
  }

  beast::tcp_stream& stream() { return stream_; }

  // Half-closes, then discards what the peer still sends until it closes too (or the linger
  // time or byte budget runs out), so that it reads our last response before any reset.
  void do_eof() {
    phase_ = phase::ending;
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return;
    stream_.expires_after(linger_time);
    buffer_.clear();
    do_linger();
  }

 private:
  void do_linger() {
    stream_.async_read_some(buffer_.prepare(16 * 1024),
                            beast::bind_front_handler(&plain_http_session::on_linger, shared_from_this()));
  }

  void on_linger(beast::error_code ec, std::size_t bytes) {
    if (ec) return;  // end of stream, timeout or cancel: the session ends and the socket closes
    lingered_ += bytes;
    if (lingered_ > linger_bytes) return;
    do_linger();
  }

  beast::tcp_stream stream_;
  std::size_t lingered_ = 0;
};

// TLS over TCP: every connection when server_options::tls is set.
class ssl_http_session : public http_session<ssl_http_session>, public std::enable_shared_from_this<ssl_http_session> {
 public:
  ssl_http_session(tcp::socket socket, std::shared_ptr<ssl::context> context, std::shared_ptr<shared_state> state)
      : http_session(socket.get_executor(), std::move(state)),
        context_(std::move(context)),
        stream_(std::move(socket), *context_) {}

  void run() {
    net::dispatch(stream_.get_executor(), beast::bind_front_handler(&ssl_http_session::on_run, shared_from_this()));
  }

  beast::ssl_stream<beast::tcp_stream>& stream() { return stream_; }

  void do_eof() {
    phase_ = phase::ending;
    beast::get_lowest_layer(stream_).expires_after(linger_time);
    stream_.async_shutdown(beast::bind_front_handler(&ssl_http_session::on_shutdown, shared_from_this()));
  }

 private:
  void on_run() {
    if (stopping_) return;
    beast::get_lowest_layer(stream_).expires_after(options().http_idle_timeout);
    stream_.async_handshake(ssl::stream_base::server,
                            beast::bind_front_handler(&ssl_http_session::on_handshake, shared_from_this()));
  }

  void on_handshake(beast::error_code ec) {
    if (ec) return fail(ec, "tls handshake");
    do_read();
  }

  void on_shutdown(beast::error_code ec) {
    if (ec) return fail(ec, "tls shutdown");
  }

  std::shared_ptr<ssl::context> context_;  // the one this connection was made with (replace_tls)
  beast::ssl_stream<beast::tcp_stream> stream_;
};

template <class Session, class... Args>
void start(const std::shared_ptr<shared_state>& state, Args&&... args) {
  auto session = std::make_shared<Session>(std::forward<Args>(args)..., state);
  if (!state->join(session->id(), session)) return;  // stopping: the socket closes with the session
  session->run();
}

}  // namespace

void run_http_session(tcp::socket socket, const std::shared_ptr<shared_state>& state) {
  if (state->serves_tls()) return start<ssl_http_session>(state, std::move(socket), state->tls());
  start<plain_http_session>(state, std::move(socket));
}

}  // namespace pingyi::net::detail
