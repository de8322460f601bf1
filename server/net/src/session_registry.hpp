// The live sessions of the service, by id and in the order they were started or created. Looked
// up on every request from any thread; a session is added once and never removed while the
// service runs. The lock is held only to find, add or copy (the sessions' own state is behind
// their strands).
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string_view>
#include <vector>

#include "pingyi/crypto/session_id.hpp"

namespace pingyi::net {

class live_session;

class session_registry {
 public:
  void add(std::shared_ptr<live_session> session);
  [[nodiscard]] std::shared_ptr<live_session> find(const crypto::session_id& id) const;
  // By its 64 lower-case hex digits; nullptr for anything else or an unknown session.
  [[nodiscard]] std::shared_ptr<live_session> find(std::string_view hex) const;
  [[nodiscard]] std::vector<std::shared_ptr<live_session>> list() const;
  [[nodiscard]] std::size_t size() const;

 private:
  mutable std::shared_mutex mutex_;  // guards the two below
  std::vector<std::shared_ptr<live_session>> order_;
  std::map<crypto::session_id, std::shared_ptr<live_session>> by_id_;
};

}  // namespace pingyi::net
