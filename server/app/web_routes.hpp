// The web client's pages and the URLs that open them (documented in docs/PROTOCOL.md, "Web
// client routes"). They are hash routes: the server serves one index.html for "/", and the part
// after '#' — page, session id, check-in code — never reaches the server or its logs.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace pingyi::app {

// "http://127.0.0.1:8080", "https://[::1]:8443"; a wildcard host (0.0.0.0, ::) is shown as the
// loopback address, which is at least reachable from this machine.
[[nodiscard]] std::string base_url(bool tls, std::string_view host, std::uint16_t port);

// #/chair?session=ID — the chair console (the chair code is typed in, never put in the URL).
[[nodiscard]] std::string chair_url(std::string_view base, std::string_view session);
// #/projector?session=ID — the room's screen: attendance, live progress, results.
[[nodiscard]] std::string projector_url(std::string_view base, std::string_view session);
// #/observer?session=ID — the public chain, verified in the browser.
[[nodiscard]] std::string observer_url(std::string_view base, std::string_view session);
// #/secretariat — create sessions, rosters, rounds, credential cards (asks for the admin token).
[[nodiscard]] std::string secretariat_url(std::string_view base);
// #/tablet?session=ID&member=MEMBER&code=CODE — a member's tablet, checking in with the printed
// code (the link a credential card's QR code holds; the check-in signature covers the member id,
// which the code alone does not tell the tablet). Without code, the tablet asks for it.
[[nodiscard]] std::string tablet_url(std::string_view base, std::string_view session, std::string_view member,
                                     std::string_view code);

}  // namespace pingyi::app
