// An HTTP connection: reads requests one at a time (keep-alive), answers static files itself,
// hands WebSocket upgrades to a websocket_session and everything else to the request_handler.
#pragma once

// clang-format off
#include <utility>  // first: Boost 1.74's Asio needs it before its awaitable header
// clang-format on

#include <boost/asio/ip/tcp.hpp>
#include <memory>

#include "shared_state.hpp"

namespace pingyi::net::detail {

// Starts a session on an accepted socket (already on its own strand): TLS when the state has a
// TLS context, plain otherwise. The session owns itself from here on.
void run_http_session(boost::asio::ip::tcp::socket socket, const std::shared_ptr<shared_state>& state);

}  // namespace pingyi::net::detail
