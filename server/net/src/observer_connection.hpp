// The public WebSocket /observe (DESIGN.md §4): every durable record of one session from a given
// seq, then live ones, and progress. Nothing it receives is acted on.
#pragma once

#include <cstdint>
#include <memory>

#include "pingyi/net/transport.hpp"

namespace pingyi::net {

class live_session;

// Subscribes the connection to the session's pushes from `from`, and returns its handler.
[[nodiscard]] std::shared_ptr<ws_handler> make_observer_connection(std::shared_ptr<live_session> session,
                                                                   std::shared_ptr<ws_connection> connection,
                                                                   std::uint64_t from);

}  // namespace pingyi::net
