// Accepts TCP connections and starts an http_session on each, every one on its own strand; the
// connections beyond server_options::max_connections are accepted and closed at once.
#pragma once

// clang-format off
#include <utility>  // first: Boost 1.74's Asio needs it before its awaitable header
// clang-format on

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <memory>
#include <string>

#include "shared_state.hpp"

namespace pingyi::net::detail {

class listener : public std::enable_shared_from_this<listener> {
 public:
  listener(boost::asio::io_context& io, std::shared_ptr<shared_state> state);

  // Opens, binds and listens on options().address:port; false, with `error` naming the address
  // and the reason, when that fails.
  [[nodiscard]] bool open(std::string& error);
  [[nodiscard]] std::uint16_t port() const noexcept { return port_; }

  void run();   // starts accepting
  void stop();  // stops accepting, from any thread

 private:
  void do_accept();
  void on_accept(boost::system::error_code ec, boost::asio::ip::tcp::socket socket);

  boost::asio::io_context& io_;
  std::shared_ptr<shared_state> state_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer retry_;  // after an accept error (EMFILE…): try again shortly, not in a busy loop
  std::uint16_t port_ = 0;
};

}  // namespace pingyi::net::detail
