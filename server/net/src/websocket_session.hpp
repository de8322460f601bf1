// A WebSocket connection (/ws or /observe): one read loop delivering text messages to the
// protocol's ws_handler, one bounded write queue, rate and size limits, and the closing rules.
#pragma once

// clang-format off
#include <utility>  // first: Boost 1.74's Asio needs it before its awaitable header
// clang-format on

#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <cstdint>
#include <memory>

#include "pingyi/net/transport.hpp"
#include "shared_state.hpp"

namespace pingyi::net::detail {

using upgrade_request = boost::beast::http::request<boost::beast::http::string_body>;

// Offers the upgrade to the protocol (request_handler::open_websocket), on the stream's strand.
// When the protocol accepts, the stream and the upgrade request are moved into a new
// websocket_session, which takes over the connection's `id` and its registry entry and answers
// the handshake, and true is returned; when it refuses, both are left untouched and false is
// returned: the caller answers 404 on the same stream.
[[nodiscard]] bool run_websocket_session(boost::beast::tcp_stream& stream, upgrade_request& upgrade,
                                         const http_request& request, std::uint64_t id,
                                         const std::shared_ptr<shared_state>& state);
[[nodiscard]] bool run_websocket_session(boost::beast::ssl_stream<boost::beast::tcp_stream>& stream,
                                         upgrade_request& upgrade, const http_request& request, std::uint64_t id,
                                         const std::shared_ptr<shared_state>& state);

}  // namespace pingyi::net::detail
