// WebSocket sessions, plain and TLS. The two differ only in the stream under the WebSocket (Beast's
// websocket::stream does the TLS teardown itself), so the session is one template on that stream,
// instantiated for exactly the two stream types the listener makes.
//
// Everything below runs on the connection's strand: send() and close() arrive from any thread
// and are posted there. One read loop delivers text messages to the ws_handler in order; one
// write queue of shared, immutable strings sends them out, one write (or the close frame) at a
// time, because Beast allows a single write operation in flight, and a close is a write.
// clang-format off
#include <utility>  // first: Boost 1.74's Asio needs it before its awaitable header
// clang-format on

#include "websocket_session.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/websocket/error.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <boost/beast/websocket/stream_base.hpp>
#include <chrono>
#include <deque>
#include <exception>
#include <optional>
#include <string>

#include "http_error.hpp"

namespace pingyi::net::detail {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace websocket = beast::websocket;

namespace {

void fail(beast::error_code ec, std::uint64_t id, const char* what) {
  if (ec == net::error::operation_aborted) return;  // our own close of the socket
  spdlog::debug("ws {}: {}: {}", id, what, ec.message());
}

// A per-connection token bucket (server_options::messages_per_second, message_burst).
class token_bucket {
 public:
  token_bucket(double rate, double burst) : rate_(rate), burst_(burst), tokens_(burst) {}

  // Whether one more message may pass now; a rate of zero or less means no limit.
  [[nodiscard]] bool take() {
    if (rate_ <= 0) return true;
    const auto now = std::chrono::steady_clock::now();
    tokens_ = std::min(burst_, tokens_ + rate_ * std::chrono::duration<double>(now - refilled_).count());
    refilled_ = now;
    if (tokens_ < 1) return false;
    tokens_ -= 1;
    return true;
  }

 private:
  double rate_;
  double burst_;
  double tokens_;
  std::chrono::steady_clock::time_point refilled_ = std::chrono::steady_clock::now();
};

template <class NextLayer>
class websocket_session : public ws_connection,
                          public live_connection,
                          public std::enable_shared_from_this<websocket_session<NextLayer>> {
 public:
  websocket_session(net::any_io_executor executor, std::shared_ptr<shared_state> state, std::string kind,
                    std::uint64_t id)
      : executor_(std::move(executor)),
        state_(std::move(state)),
        kind_(std::move(kind)),
        id_(id),
        bucket_(state_->options().messages_per_second, state_->options().message_burst) {}

  ~websocket_session() override {
    // Only when the io_context is destroyed with this session's operations still pending.
    if (started_ && !finished_) leave();
  }

  // ws_connection, from any thread.
  void send(std::shared_ptr<const std::string> text) override {
    if (!text) return;
    net::post(executor_,
              [self = this->shared_from_this(), text = std::move(text)]() mutable { self->on_send(std::move(text)); });
  }

  void close() override {
    net::post(executor_, [self = this->shared_from_this()] { self->begin_close(websocket::close_code::normal, true); });
  }

  [[nodiscard]] std::uint64_t id() const noexcept override { return id_; }

  // live_connection: stop() closes at once with "going away", dropping what is still queued.
  void shut_down() override {
    net::post(executor_,
              [self = this->shared_from_this()] { self->begin_close(websocket::close_code::going_away, false); });
  }

  // live_connection: the io_context has stopped with this connection still open (a client that
  // never answered the close): the handler, which holds this connection, lets go of it.
  void abandon() noexcept override {
    handler_.reset();
    queue_.clear();
    queued_bytes_ = 0;
  }

  // On the strand, right after open_websocket accepted: takes the stream, answers the upgrade.
  void run(NextLayer&& stream, upgrade_request&& upgrade, std::shared_ptr<ws_handler> handler) {
    handler_ = std::move(handler);
    started_ = true;
    state_->counters().connection_opened(kind_);
    ws_.emplace(std::move(stream));

    // The HTTP read timeout gives way to the WebSocket's own: a handshake limit, then an idle
    // limit with pings that keep a live but quiet client connected.
    beast::get_lowest_layer(*ws_).expires_never();
    auto timeouts = websocket::stream_base::timeout::suggested(beast::role_type::server);
    timeouts.idle_timeout = state_->options().websocket_idle_timeout;
    timeouts.keep_alive_pings = true;
    ws_->set_option(timeouts);
    ws_->set_option(websocket::stream_base::decorator([](websocket::response_type& response) {
      response.set(http::field::server, "pingyi");
      response.set("X-Content-Type-Options", "nosniff");
    }));
    ws_->read_message_max(max_message_bytes);

    if (!state_->join(id_, this->weak_from_this())) {
      begin_close(websocket::close_code::going_away, false);  // stop() has begun
    }
    ws_->async_accept(upgrade, beast::bind_front_handler(&websocket_session::on_accept, this->shared_from_this()));
  }

 private:
  void on_accept(beast::error_code ec) {
    if (ec) {
      fail(ec, id_, "accept");
      return finish();
    }
    accepted_ = true;
    do_read();
    do_write();  // whatever the protocol queued before the handshake completed
  }

  void do_read() {
    ws_->async_read(buffer_, beast::bind_front_handler(&websocket_session::on_read, this->shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t /*bytes*/) {
    if (ec) {
      // Beast has already sent the 1009 close frame for an oversized message.
      if (ec == websocket::error::message_too_big) state_->counters().limited("size");
      if (ec != websocket::error::closed) fail(ec, id_, "read");
      return finish();
    }
    state_->counters().ws_message();
    if (!ws_->got_text()) {
      buffer_.consume(buffer_.size());
      begin_close(websocket::close_code::unknown_data, false);  // 1003: pingyi speaks JSON text only
      return do_read();                                         // reading on lets Beast complete the closing handshake
    }
    std::string text = beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());
    if (close_code_) return do_read();  // closing: what still arrives is not delivered

    if (!bucket_.take()) {
      // Dropped unanswered; the client learns why from a push (it carries no request id).
      state_->counters().limited("rate");
      on_send(rate_limited_push());
      return do_read();
    }
    try {
      handler_->on_message(std::move(text));
    } catch (const std::exception& e) {
      spdlog::error("ws {}: handler failed: {}", id_, e.what());
      begin_close(websocket::close_code::internal_error, false);
    }
    do_read();
  }

  void on_send(std::shared_ptr<const std::string> text) {
    if (!started_ || finished_ || aborted_ || close_code_) return;
    const auto& options = state_->options();
    if (queue_.size() >= options.max_queued_messages || queued_bytes_ + text->size() > options.max_queued_bytes) {
      // Too slow to drain its queue: closed, not buffered without end. No close frame: it
      // could only wait behind the writes that are already stuck.
      state_->counters().limited("queue");
      spdlog::debug("ws {}: write queue full, closing", id_);
      return abort();
    }
    queued_bytes_ += text->size();
    queue_.push_back(std::move(text));
    do_write();
  }

  // The first close requested wins. `drain`: after what is queued (ws_connection::close);
  // otherwise at once, dropping all but the message being written.
  void begin_close(websocket::close_code code, bool drain) {
    if (!started_ || finished_ || close_code_) return;
    close_code_ = code;
    close_after_queue_ = drain;
    if (!drain) drop_queue();
    do_write();
  }

  void do_write() {
    if (!accepted_ || writing_ || aborted_ || finished_) return;
    if (close_code_ && (!close_after_queue_ || queue_.empty())) {
      if (close_sent_) return;
      close_sent_ = true;
      writing_ = true;
      ws_->async_close(*close_code_,
                       beast::bind_front_handler(&websocket_session::on_close_sent, this->shared_from_this()));
      return;
    }
    if (queue_.empty()) return;
    writing_ = true;
    ws_->text(true);
    ws_->async_write(net::buffer(*queue_.front()),
                     beast::bind_front_handler(&websocket_session::on_write, this->shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t /*bytes*/) {
    writing_ = false;
    if (ec) {
      fail(ec, id_, "write");
      return abort();
    }
    queued_bytes_ -= queue_.front()->size();
    queue_.pop_front();
    do_write();
  }

  void on_close_sent(beast::error_code ec) {
    writing_ = false;
    // The read loop sees the peer's close frame (or the handshake timeout) and finishes.
    if (ec) fail(ec, id_, "close");
  }

  void drop_queue() {
    const auto keep = writing_ && !queue_.empty() ? 1 : 0;  // the message on the wire stays until written
    while (queue_.size() > static_cast<std::size_t>(keep)) {
      queued_bytes_ -= queue_.back()->size();
      queue_.pop_back();
    }
  }

  // Closes the socket under the WebSocket: pending operations fail, the read loop finishes.
  void abort() {
    if (aborted_) return;
    aborted_ = true;
    drop_queue();
    beast::error_code ignored;
    beast::get_lowest_layer(*ws_).socket().close(ignored);
  }

  // The connection has ended: exactly one on_close, then the handler is released (it holds
  // this connection, so keeping it would be a cycle).
  void finish() {
    if (finished_) return;
    finished_ = true;
    queue_.clear();
    queued_bytes_ = 0;
    beast::error_code ignored;
    beast::get_lowest_layer(*ws_).socket().close(ignored);
    leave();
    auto handler = std::move(handler_);
    try {
      handler->on_close();
    } catch (const std::exception& e) {
      spdlog::error("ws {}: handler failed on close: {}", id_, e.what());
    }
  }

  void leave() {
    state_->leave(id_);
    state_->counters().connection_closed(kind_);
  }

  const net::any_io_executor executor_;
  const std::shared_ptr<shared_state> state_;
  const std::string kind_;  // "ws" or "observe", for metrics
  const std::uint64_t id_;
  std::optional<websocket::stream<NextLayer>> ws_;
  beast::flat_buffer buffer_;
  std::shared_ptr<ws_handler> handler_;
  token_bucket bucket_;

  std::deque<std::shared_ptr<const std::string>> queue_;
  std::size_t queued_bytes_ = 0;
  std::optional<websocket::close_code> close_code_;
  bool close_after_queue_ = false;
  bool started_ = false;   // run() was called: the protocol accepted the connection
  bool accepted_ = false;  // the handshake completed
  bool writing_ = false;   // a write or the close frame is in flight
  bool close_sent_ = false;
  bool aborted_ = false;
  bool finished_ = false;  // on_close has been called
};

template <class NextLayer>
bool offer_upgrade(NextLayer& stream, upgrade_request& upgrade, const http_request& request, std::uint64_t id,
                   const std::shared_ptr<shared_state>& state) {
  auto session = std::make_shared<websocket_session<NextLayer>>(stream.get_executor(), state,
                                                                request.path == "/observe" ? "observe" : "ws", id);
  std::shared_ptr<ws_handler> handler;
  try {
    handler = state->handler().open_websocket(request, session);
  } catch (const std::exception& e) {
    spdlog::error("ws: open_websocket failed on {}: {}", request.path, e.what());
  }
  // Refused: `session` is dropped, with anything the protocol sent to it (never started).
  if (!handler) return false;
  session->run(std::move(stream), std::move(upgrade), std::move(handler));
  return true;
}

}  // namespace

bool run_websocket_session(beast::tcp_stream& stream, upgrade_request& upgrade, const http_request& request,
                           std::uint64_t id, const std::shared_ptr<shared_state>& state) {
  return offer_upgrade(stream, upgrade, request, id, state);
}

bool run_websocket_session(beast::ssl_stream<beast::tcp_stream>& stream, upgrade_request& upgrade,
                           const http_request& request, std::uint64_t id, const std::shared_ptr<shared_state>& state) {
  return offer_upgrade(stream, upgrade, request, id, state);
}

}  // namespace pingyi::net::detail
