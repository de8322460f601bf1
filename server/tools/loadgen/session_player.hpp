// A whole session played against a running pingyi-server, as a hall of tablets would play it:
// the secretariat creates it, N tablets check in on N WebSockets (each hello signed with its own
// device key), the scrutineers publish their keys, the chair seals and opens the round, every
// tablet asks for its token on the round_opened push, the voters' ballots — built and proved
// BEFORE the burst, so that the burst measures the server and not the tool's own proving — are
// cast on fresh anonymous connections with the chosen arrival pattern, each followed by its
// `voted`; the chair closes, the scrutineers compute and send their shares, and the result is
// checked against the grades the tool chose.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

#include "client_network.hpp"
#include "load_report.hpp"

namespace pingyi::loadgen {

enum class arrival { uniform, even };

// What a tablet's /ws follows. `follow`, as the web client: every record of the session is pushed
// to every tablet (it verifies the chain itself), so the pushes grow as N². `lean`: a tablet says
// hello with `from` beyond any seq (PROTOCOL.md §3.3), so it receives the progress pushes only and
// learns that the round opened from the chair's connection; scrutineers always follow (they need
// round_closed). Lean separates the server's ballot path from its push fan-out.
enum class tablet_feed { follow, lean };

struct play_options {
  std::size_t members = 50;
  std::size_t voters = 0;  // 0: every member
  std::size_t targets = 3;
  std::size_t scrutineers = 2;
  double spread_seconds = 0;  // 0: every cast starts at once
  loadgen::arrival arrival = arrival::uniform;
  tablet_feed feed = tablet_feed::follow;
  std::uint64_t seed = 1;
  std::size_t io_threads = 1;        // reported only: the network was made with them
  std::size_t crypto_threads = 2;    // building tokens and ballots before the burst
  std::size_t connect_window = 200;  // check-ins in flight at once
  std::chrono::seconds step_timeout{300};
  double hold_seconds = 0;  // every tablet stays connected this long after the result
  std::string admin_token;
  std::optional<pid_t> server_pid;
  std::uint64_t open_files_limit = 0;  // reported only
};

// A step the session cannot go on without was refused, or the server cannot be reached: the run
// ends with exit code 2 and this message.
class setup_failure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Plays the session on `network` (connected to the server), and stops the network before it
// returns or throws (no callback outlives the play). Throws setup_failure.
[[nodiscard]] load_report play_session(client_network& network, const play_options& options);

}  // namespace pingyi::loadgen
