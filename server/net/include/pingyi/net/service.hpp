// The protocol of DESIGN.md §4 on top of the session engine: the admin API, the anonymous
// ballot endpoint, chain export and signed heads, the authenticated WebSocket /ws (members,
// scrutineers, the chair) and the public /observe feed. It implements request_handler for the
// transport (http_server.hpp) and keeps every session live: one engine per session on its own
// strand, proofs on a worker pool, writes through the store's group commit, and a reply or a
// push only once the records it reports are durable.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>

#include "pingyi/net/metrics.hpp"
#include "pingyi/net/transport.hpp"
#include "pingyi/store/chain_store.hpp"

namespace boost::asio {
class io_context;
}

namespace pingyi::net {

struct service_options {
  // The secrets file (store/secrets_file.hpp): the server-wide credential key and every
  // session's keys ("session.<hex id>.signing_key", ".token_key", ".trustee_key"). Created
  // 0600 at first start.
  std::filesystem::path secrets_file;
  // The admin bearer token (compared in constant time). Empty: the admin API is refused.
  std::string admin_token;
  // Threads of the worker pool (ballot proofs, chain reads for observers, secrets writes).
  std::size_t worker_threads = 2;
  // Live progress pushes are coalesced to at most one per session per this interval.
  std::chrono::milliseconds progress_interval{200};
};

class service : public request_handler {
 public:
  // Replays every stored session through apply (store/replay.hpp) and resumes its engine with
  // its keys from the secrets file. Fails, with a message naming the session and seq, on a chain
  // that does not replay, or when a session's keys are missing or wrong: the server must not
  // start then. The store must outlive the service.
  [[nodiscard]] static std::shared_ptr<service> start(boost::asio::io_context& io, store::chain_store& store,
                                                      const service_options& options, std::shared_ptr<metrics> metrics,
                                                      std::string& error);
  ~service() override = default;

  // Finishes what is in flight (replies to requests whose records are committing), refuses new
  // requests, and waits for the worker pool. Call before the io_context stops.
  virtual void stop() = 0;
  // After stop(), once no thread runs the io_context any more: drops the live sessions' references
  // to the connections subscribed to their pushes. A connection still open when the io_context
  // stopped (a client that never answered the close) never ran its unsubscribe, and it and its
  // session hold each other: without this, neither would ever be freed.
  virtual void release_connections() = 0;
};

}  // namespace pingyi::net
