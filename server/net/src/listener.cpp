// The listener: the one place connections come from (Beast's listener, unchanged in shape).
// clang-format off
#include <utility>  // first: Boost 1.74's Asio needs it before its awaitable header
// clang-format on

#include "listener.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/socket_base.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <chrono>

#include "http_session.hpp"

namespace pingyi::net::detail {

namespace beast = boost::beast;
namespace net = boost::asio;
using tcp = net::ip::tcp;

listener::listener(net::io_context& io, std::shared_ptr<shared_state> state)
    : io_(io), state_(std::move(state)), acceptor_(net::make_strand(io)), retry_(acceptor_.get_executor()) {}

bool listener::open(std::string& error) {
  const auto& options = state_->options();
  const auto where = std::string(options.address).append(":").append(std::to_string(options.port));
  boost::system::error_code ec;
  const auto address = net::ip::make_address(options.address, ec);
  if (ec) {
    error = std::string("cannot listen on ").append(where).append(": not an IP address");
    return false;
  }
  const tcp::endpoint endpoint(address, options.port);
  const auto failed = [&](const char* step) {
    error = std::string("cannot listen on ").append(where).append(": ").append(step).append(": ").append(ec.message());
    return false;
  };
  acceptor_.open(endpoint.protocol(), ec);
  if (ec) return failed("open");
  acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (ec) return failed("set_option");
  acceptor_.bind(endpoint, ec);
  if (ec) return failed("bind");
  acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return failed("listen");
  port_ = acceptor_.local_endpoint(ec).port();
  if (ec) return failed("local_endpoint");
  return true;
}

void listener::run() {
  net::post(acceptor_.get_executor(), beast::bind_front_handler(&listener::do_accept, shared_from_this()));
}

void listener::stop() {
  net::post(acceptor_.get_executor(), [self = shared_from_this()] {
    boost::system::error_code ignored;
    self->acceptor_.close(ignored);
    self->retry_.cancel();
  });
}

void listener::do_accept() {
  if (!acceptor_.is_open()) return;
  // Each connection gets its own strand.
  acceptor_.async_accept(net::make_strand(io_), beast::bind_front_handler(&listener::on_accept, shared_from_this()));
}

void listener::on_accept(boost::system::error_code ec, tcp::socket socket) {
  if (ec == net::error::operation_aborted) return;  // stop()
  if (ec) {
    spdlog::warn("net: accept: {}", ec.message());
    retry_.expires_after(std::chrono::milliseconds(100));
    retry_.async_wait([self = shared_from_this()](boost::system::error_code wait_ec) {
      if (!wait_ec) self->do_accept();
    });
    return;
  }
  if (state_->connections() >= state_->options().max_connections) {
    state_->counters().limited("connections");
    boost::system::error_code ignored;
    socket.close(ignored);
  } else {
    run_http_session(std::move(socket), state_);
  }
  do_accept();
}

}  // namespace pingyi::net::detail
