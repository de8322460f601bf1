// Beast clients for the load generator: a WebSocket link with one read loop and one write queue,
// and an HTTP exchange on a connection of its own, each on a strand so that the io_context may
// run on several threads (the shape of Beast's own async client examples).
// clang-format off
#include <utility>  // first: Boost 1.74's asio/awaitable.hpp uses std::exchange without including it
// clang-format on

#include "client_network.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <deque>
#include <future>
#include <thread>

namespace pingyi::loadgen {

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

namespace {

// A ballot, a chain read or a session creation gets this long from connect to the last byte.
constexpr std::chrono::seconds http_timeout{120};
constexpr std::chrono::seconds connect_timeout{30};
// The largest response read: a whole chain of a big session.
constexpr std::uint64_t max_response_bytes = std::uint64_t{512} << 20;

std::string describe(const char* step, const beast::error_code& ec) {
  return std::string(step).append(": ").append(ec.message());
}

class ws_link_impl final : public ws_link, public std::enable_shared_from_this<ws_link_impl> {
 public:
  ws_link_impl(asio::io_context& io, tcp::endpoint endpoint, std::string host, std::string target, ws_handlers handlers)
      : ws_(asio::make_strand(io)),
        endpoint_(endpoint),
        host_(std::move(host)),
        target_(std::move(target)),
        handlers_(std::move(handlers)) {}

  void start() {
    beast::get_lowest_layer(ws_).expires_after(connect_timeout);
    beast::get_lowest_layer(ws_).async_connect(
        endpoint_, beast::bind_front_handler(&ws_link_impl::on_connect, shared_from_this()));
  }

  void send(std::string text) override {
    asio::post(ws_.get_executor(), [self = shared_from_this(), text = std::move(text)]() mutable {
      if (self->ended_) return;
      self->queue_.push_back(std::move(text));
      if (self->open_ && self->queue_.size() == 1) self->do_write();
    });
  }

  void close() override {
    asio::post(ws_.get_executor(), [self = shared_from_this()] {
      if (!self->open_ || self->ended_ || self->closing_) return;
      self->closing_ = true;
      if (self->queue_.empty()) self->do_close();  // else once the queue is written
    });
  }

 private:
  void on_connect(const beast::error_code& ec) {
    if (ec) return fail_open(describe("connect", ec));
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
    ws_.read_message_max(std::uint64_t{16} << 20);
    ws_.async_handshake(host_, target_, beast::bind_front_handler(&ws_link_impl::on_handshake, shared_from_this()));
  }

  void on_handshake(const beast::error_code& ec) {
    if (ec) return fail_open(describe("WebSocket handshake", ec));
    open_ = true;
    ws_.text(true);
    handlers_.on_open("");
    do_read();
    if (!queue_.empty()) do_write();
  }

  void fail_open(const std::string& why) {
    ended_ = true;
    handlers_.on_open(why);
  }

  void do_read() { ws_.async_read(buffer_, beast::bind_front_handler(&ws_link_impl::on_read, shared_from_this())); }

  void on_read(const beast::error_code& ec, std::size_t) {
    if (ec) return end(ec == websocket::error::closed ? std::string() : describe("read", ec));
    const auto data = buffer_.data();
    handlers_.on_message(std::string_view(static_cast<const char*>(data.data()), data.size()));
    buffer_.consume(buffer_.size());
    do_read();
  }

  void do_write() {
    ws_.async_write(asio::buffer(queue_.front()),
                    beast::bind_front_handler(&ws_link_impl::on_write, shared_from_this()));
  }

  void on_write(const beast::error_code& ec, std::size_t) {
    if (ec) return;  // the read loop reports the end of the connection
    queue_.pop_front();
    if (ended_) return;
    if (!queue_.empty()) return do_write();
    if (closing_) do_close();
  }

  // Beast allows one write at a time, the close frame included: only with the queue empty.
  void do_close() {
    ws_.async_close(websocket::close_code::normal, [self = shared_from_this()](const beast::error_code&) {});
  }

  void end(const std::string& reason) {
    if (ended_) return;
    ended_ = true;
    queue_.clear();
    handlers_.on_close(reason);
    // The handlers hold the caller's state; drop them so that nothing outlives its owner here.
    handlers_ = ws_handlers{};
  }

  websocket::stream<beast::tcp_stream> ws_;
  tcp::endpoint endpoint_;
  std::string host_;
  std::string target_;
  ws_handlers handlers_;
  beast::flat_buffer buffer_;
  std::deque<std::string> queue_;
  bool open_ = false;
  bool closing_ = false;
  bool ended_ = false;
};

class http_exchange : public std::enable_shared_from_this<http_exchange> {
 public:
  http_exchange(asio::io_context& io, tcp::endpoint endpoint, const std::string& host, http_request request,
                std::function<void(http_outcome)> done)
      : stream_(asio::make_strand(io)),
        timer_(stream_.get_executor()),
        endpoint_(endpoint),
        on_start_(std::move(request.on_start)),
        done_(std::move(done)) {
    request_.method_string(request.method);
    request_.target(request.target);
    request_.version(11);
    request_.set(http::field::host, host);
    request_.set(http::field::user_agent, "pingyi-loadgen");
    request_.keep_alive(false);
    for (const auto& [name, value] : request.headers) request_.set(name, value);
    if (!request.body.empty()) {
      request_.set(http::field::content_type, "application/json");
      request_.body() = std::move(request.body);
    }
    request_.prepare_payload();
    parser_.body_limit(max_response_bytes);
  }

  void start(clock_type::time_point at) {
    if (at > clock_type::now()) {
      timer_.expires_at(at);
      timer_.async_wait([self = shared_from_this()](const beast::error_code&) { self->connect(); });
    } else {
      asio::post(stream_.get_executor(), [self = shared_from_this()] { self->connect(); });
    }
  }

 private:
  void connect() {
    if (on_start_) on_start_();
    stream_.expires_after(http_timeout);
    stream_.async_connect(endpoint_, beast::bind_front_handler(&http_exchange::on_connect, shared_from_this()));
  }

  void on_connect(const beast::error_code& ec) {
    if (ec) return finish(describe("connect", ec));
    http::async_write(stream_, request_, beast::bind_front_handler(&http_exchange::on_write, shared_from_this()));
  }

  void on_write(const beast::error_code& ec, std::size_t) {
    if (ec) return finish(describe("write", ec));
    http::async_read(stream_, buffer_, parser_, beast::bind_front_handler(&http_exchange::on_read, shared_from_this()));
  }

  void on_read(const beast::error_code& ec, std::size_t) {
    if (ec) return finish(describe("read", ec));
    http_outcome outcome;
    outcome.status = parser_.get().result_int();
    outcome.body = std::move(parser_.get().body());
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
    done_(std::move(outcome));
  }

  void finish(std::string failure) {
    stream_.close();
    http_outcome outcome;
    outcome.failure = std::move(failure);
    done_(std::move(outcome));
  }

  beast::tcp_stream stream_;
  asio::steady_timer timer_;
  tcp::endpoint endpoint_;
  std::function<void()> on_start_;
  std::function<void(http_outcome)> done_;
  http::request<http::string_body> request_;
  http::response_parser<http::string_body> parser_;
  beast::flat_buffer buffer_;
};

}  // namespace

struct client_network::impl {
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work = asio::make_work_guard(io);
  tcp::endpoint endpoint;
  std::string host;
  std::vector<std::thread> threads;
};

client_network::client_network(const std::string& host, std::uint16_t port, std::size_t threads)
    : impl_(std::make_unique<impl>()) {
  impl_->endpoint = tcp::endpoint(asio::ip::make_address(host), port);
  impl_->host = (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + std::to_string(port);
  for (std::size_t i = 0; i < (threads == 0 ? 1 : threads); ++i) {
    impl_->threads.emplace_back([this] { impl_->io.run(); });
  }
}

client_network::~client_network() { stop(); }

void client_network::stop() {
  impl_->work.reset();
  impl_->io.stop();
  for (auto& t : impl_->threads) {
    if (t.joinable()) t.join();
  }
}

std::shared_ptr<ws_link> client_network::open_ws(const std::string& target, ws_handlers handlers) {
  auto link = std::make_shared<ws_link_impl>(impl_->io, impl_->endpoint, impl_->host, target, std::move(handlers));
  link->start();
  return link;
}

void client_network::http(http_request request, std::function<void(http_outcome)> done, clock_type::time_point at) {
  std::make_shared<http_exchange>(impl_->io, impl_->endpoint, impl_->host, std::move(request), std::move(done))
      ->start(at);
}

http_outcome client_network::http_wait(http_request request, std::chrono::milliseconds timeout) {
  auto promise = std::make_shared<std::promise<http_outcome>>();
  auto future = promise->get_future();
  http(std::move(request), [promise](http_outcome o) { promise->set_value(std::move(o)); });
  if (future.wait_for(timeout) != std::future_status::ready) {
    http_outcome o;
    o.failure = "no response within " + std::to_string(timeout.count() / 1000) + " s";
    return o;
  }
  return future.get();
}

}  // namespace pingyi::loadgen
