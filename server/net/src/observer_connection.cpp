// /observe: a subscriber to one session's pushes, and nothing more (see observer_connection.hpp).
// clang-format off
#include <utility>  // first: Boost 1.74's Asio needs it before its awaitable header
// clang-format on

#include "observer_connection.hpp"

#include <atomic>
#include <string>

#include "live_session.hpp"

namespace pingyi::net {

namespace {

class observer_connection final : public ws_handler {
 public:
  observer_connection(std::shared_ptr<live_session> session, std::shared_ptr<ws_connection> connection)
      : session_(std::move(session)), connection_(std::move(connection)) {}

  void start(std::uint64_t from) { session_->subscribe(push_target{connection_, closed_, {}}, from); }

  // Observers only listen; what they send counts against the transport's rate limit only.
  void on_message(std::string) override {}

  void on_close() override {
    closed_->store(true);
    session_->unsubscribe(connection_->id());
  }

 private:
  const std::shared_ptr<live_session> session_;
  const std::shared_ptr<ws_connection> connection_;
  const std::shared_ptr<std::atomic<bool>> closed_ = std::make_shared<std::atomic<bool>>(false);
};

}  // namespace

std::shared_ptr<ws_handler> make_observer_connection(std::shared_ptr<live_session> session,
                                                     std::shared_ptr<ws_connection> connection, std::uint64_t from) {
  auto observer = std::make_shared<observer_connection>(std::move(session), std::move(connection));
  observer->start(from);
  return observer;
}

}  // namespace pingyi::net
