// The demo session of --demo: a county people's congress standing committee's 述职评议 with 15
// members, two scrutineers and three rounds (an evaluation of six departments, a motion, a
// selection), created through the protocol exactly as the secretariat would create it
// (POST /api/sessions), and remembered in <data-dir>/demo.json so that a restart reuses it.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "pingyi/net/transport.hpp"

namespace pingyi::app {

struct demo_member {
  std::string id;
  std::string name;
  std::string seat;
  std::string code;  // the one-time check-in code the server gave
};

// What demo.json holds: everything a person needs to run the demo. It holds credentials, so it
// is written 0600 in the 0700 data directory.
struct demo_session {
  std::string session;  // 64 hex
  std::string title;
  std::string chair_code;
  std::vector<demo_member> members;
};

// The body of POST /api/sessions for the demo, dated `date` (YYYY-MM-DD).
[[nodiscard]] nlohmann::ordered_json demo_session_request(std::string_view date);

// Today's local date as YYYY-MM-DD.
[[nodiscard]] std::string local_date_today();

// Creates the demo session through the protocol with the admin token and waits (at most
// `timeout`) for the reply. The io_context must be running. nullopt with `error` — the wire
// error's code and message — when the server refuses.
[[nodiscard]] std::optional<demo_session> create_demo_session(net::request_handler& handler,
                                                              const std::string& admin_token, std::string_view date,
                                                              std::string& error);

// demo.json: nullopt and an empty `error` when there is no file; nullopt with `error` when it
// cannot be read or is malformed.
[[nodiscard]] std::optional<demo_session> read_demo_file(const std::filesystem::path& file, std::string& error);
// Replaces demo.json atomically (a 0600 temporary file, fsync'ed, renamed, directory fsync'ed).
[[nodiscard]] bool write_demo_file(const std::filesystem::path& file, const demo_session& demo, std::string& error);

// The URLs a person needs, one per line: chair (with the chair code), projector, observer,
// secretariat (pointing at the admin token file, never showing the token), and one tablet link
// per member with the member's name and seat.
void print_demo_urls(std::ostream& out, std::string_view base, const demo_session& demo,
                     const std::filesystem::path& admin_token_file);

}  // namespace pingyi::app
