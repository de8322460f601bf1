// The live sessions by id (see session_registry.hpp).
// clang-format off
#include <utility>  // first: Boost 1.74's Asio needs it before its awaitable header
// clang-format on

#include "session_registry.hpp"

#include <mutex>

#include "live_session.hpp"
#include "wire.hpp"

namespace pingyi::net {

void session_registry::add(std::shared_ptr<live_session> session) {
  std::unique_lock lock(mutex_);
  by_id_.insert_or_assign(session->id(), session);
  order_.push_back(std::move(session));
}

std::shared_ptr<live_session> session_registry::find(const crypto::session_id& id) const {
  std::shared_lock lock(mutex_);
  const auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : it->second;
}

std::shared_ptr<live_session> session_registry::find(std::string_view hex) const {
  const auto id = wire::parse_session_id(hex);
  if (!id) return nullptr;
  return find(*id);
}

std::vector<std::shared_ptr<live_session>> session_registry::list() const {
  std::shared_lock lock(mutex_);
  return order_;
}

std::size_t session_registry::size() const {
  std::shared_lock lock(mutex_);
  return order_.size();
}

}  // namespace pingyi::net
