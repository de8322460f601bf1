// The authenticated WebSocket /ws (DESIGN.md §4): one connection of a member's tablet, a
// scrutineer's or the chair's console. It decodes each request, checks the role that the hello
// established, and hands the request to the session; it answers each request with its id.
#pragma once

#include <memory>

#include "pingyi/net/transport.hpp"

namespace pingyi::net {

struct service_context;
class session_registry;

// The handler of a new /ws connection (open_websocket).
[[nodiscard]] std::shared_ptr<ws_handler> make_member_connection(std::shared_ptr<service_context> context,
                                                                 std::shared_ptr<const session_registry> sessions,
                                                                 std::shared_ptr<ws_connection> connection);

}  // namespace pingyi::net
