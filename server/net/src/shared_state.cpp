// The state one http_server's connections share, and the registry stop() walks.
// clang-format off
#include <utility>  // first: Boost 1.74's Asio needs it before its awaitable header
// clang-format on

#include "shared_state.hpp"

#include <boost/asio/ssl/context.hpp>
#include <vector>

namespace pingyi::net::detail {

shared_state::shared_state(server_options options, std::shared_ptr<request_handler> handler,
                           std::shared_ptr<metrics> metrics, std::shared_ptr<boost::asio::ssl::context> tls)
    : options_(std::move(options)),
      handler_(std::move(handler)),
      metrics_(std::move(metrics)),
      serves_tls_(tls != nullptr),
      tls_(std::move(tls)) {}

std::shared_ptr<boost::asio::ssl::context> shared_state::tls() const {
  std::lock_guard lock(tls_mutex_);
  return tls_;
}

void shared_state::replace_tls(std::shared_ptr<boost::asio::ssl::context> context) {
  std::lock_guard lock(tls_mutex_);
  tls_ = std::move(context);
}

shared_state::~shared_state() = default;

bool shared_state::join(std::uint64_t id, std::weak_ptr<live_connection> connection) {
  std::lock_guard lock(mutex_);
  if (stopping_) return false;
  live_.insert_or_assign(id, std::move(connection));
  return true;
}

void shared_state::leave(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  live_.erase(id);
}

std::size_t shared_state::connections() const {
  std::lock_guard lock(mutex_);
  return live_.size();
}

void shared_state::abandon_all() {
  std::vector<std::shared_ptr<live_connection>> left;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, weak] : live_) {
      if (auto c = weak.lock()) left.push_back(std::move(c));
    }
  }
  // Outside the lock: a handler released here may end its connection, which leaves the registry.
  for (const auto& c : left) c->abandon();
}

void shared_state::stop() {
  std::vector<std::weak_ptr<live_connection>> live;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    live.reserve(live_.size());
    for (const auto& [id, connection] : live_) live.push_back(connection);
  }
  // Outside the lock: shut_down only posts to the connection's strand, but a connection ending
  // meanwhile calls leave(), which takes the lock.
  for (const auto& weak : live) {
    if (auto connection = weak.lock()) connection->shut_down();
  }
}

bool shared_state::stopping() const {
  std::lock_guard lock(mutex_);
  return stopping_;
}

}  // namespace pingyi::net::detail
