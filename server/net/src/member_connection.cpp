// /ws: one authenticated connection (see member_connection.hpp).
//
// Requests are handled one at a time, in order, on the connection's strand: a request starts
// once the previous one is answered, so a hello is complete before anything that depends on it
// runs, and a client's pipelined requests reach the session in the order they were sent. The
// answer itself is sent from the session's strand the moment it is ready, before any push that
// follows it there.
// clang-format off
#include <utility>  // first: Boost 1.74's Asio needs it before its awaitable header
// clang-format on

#include "member_connection.hpp"

#include <atomic>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <deque>
#include <string>
#include <type_traits>
#include <variant>

#include "live_session.hpp"
#include "session_registry.hpp"
#include "wire.hpp"

namespace pingyi::net {

namespace {

using core::error_code;

// Requests waiting behind the one being handled; beyond it a message is refused (the
// transport's rate limit normally stops a client long before).
constexpr std::size_t max_waiting = 64;

class member_connection final : public ws_handler, public std::enable_shared_from_this<member_connection> {
 public:
  member_connection(std::shared_ptr<service_context> context, std::shared_ptr<const session_registry> sessions,
                    std::shared_ptr<ws_connection> connection)
      : context_(std::move(context)),
        sessions_(std::move(sessions)),
        connection_(std::move(connection)),
        strand_(boost::asio::make_strand(context_->io)) {}

  void on_message(std::string text) override {
    boost::asio::post(strand_, [self = shared_from_this(), text = std::move(text)]() mutable {
      if (self->closed_->load()) return;
      if (self->waiting_.size() >= max_waiting) {
        self->send(wire::ws_reply(nullptr, core::fail(error_code::rate_limited, "", "too many requests waiting")));
        return;
      }
      self->waiting_.push_back(std::move(text));
      self->next();
    });
  }

  void on_close() override {
    closed_->store(true);
    boost::asio::post(strand_, [self = shared_from_this()] {
      self->waiting_.clear();
      if (self->session_) self->session_->unsubscribe(self->connection_->id());
    });
  }

 private:
  // ---- the request loop (strand) ----------------------------------------------------------

  void next() {
    if (busy_ || waiting_.empty() || closed_->load()) return;
    busy_ = true;
    std::string text = std::move(waiting_.front());
    waiting_.pop_front();
    handle(text);
  }

  void finished() {
    busy_ = false;
    next();
  }

  void send(const std::string& text) { connection_->send(std::make_shared<const std::string>(text)); }

  // Sends the answer now (from whichever thread has it), then lets the next request start.
  void answer(const wire::json& id, const core::result<wire::json>& outcome) {
    send(wire::ws_reply(id, outcome));
    boost::asio::post(strand_, [self = shared_from_this()] { self->finished(); });
  }

  reply_fn answer_to(wire::json id) {
    return [self = shared_from_this(), id = std::move(id)](core::result<wire::json> outcome) {
      self->answer(id, outcome);
    };
  }

  void handle(const std::string& text) {
    auto decoded = wire::decode_ws_message(text);
    if (!decoded) return answer(decoded.error().id, decoded.error().error);
    wire::ws_message& message = *decoded;
    if (context_->stopping.load()) {
      return answer(message.id, core::fail(error_code::internal, "", "the server is stopping"));
    }
    std::visit([&](auto& request) { dispatch(message.id, std::move(request)); }, message.request);
  }

  // ---- hello ------------------------------------------------------------------------------

  template <class Hello>
  void say_hello(const wire::json& id, Hello request) {
    if (session_) {
      return answer(id, core::fail(error_code::bad_request, "type", "this connection has already said hello"));
    }
    auto session = sessions_->find(request.session);
    if (!session) return answer(id, core::fail(error_code::not_found, "session", "no such session"));
    push_target target{connection_, closed_, {}};
    session->hello(std::move(request), std::move(target),
                   [self = shared_from_this(), id, session](core::result<greeting> greeted) {
                     if (!greeted) return self->answer(id, greeted.error());
                     // On the session's strand: the reply now, before the pushes that follow it.
                     self->send(wire::ws_reply(id, greeted->fields));
                     boost::asio::post(self->strand_, [self, session, who = greeted->role, member = greeted->member] {
                       self->session_ = session;
                       self->role_ = who;
                       self->member_ = member;
                       // Closed meanwhile: the subscription the hello made must not outlive it.
                       if (self->closed_->load()) session->unsubscribe(self->connection_->id());
                       self->finished();
                     });
                   });
  }

  // ---- requests by role ---------------------------------------------------------------------

  [[nodiscard]] bool allowed(const wire::json& id, std::string_view type, bool member, bool scrutineer, bool chair) {
    if (!session_) {
      answer(id, core::fail(error_code::unauthorized, "type", "say hello first"));
      return false;
    }
    const bool ok = (role_ == role::member && member) || (role_ == role::scrutineer && scrutineer) ||
                    (role_ == role::chair && chair);
    if (!ok) {
      const char* whose = chair ? "the chair's" : (member ? "a member's" : "a scrutineer's");
      answer(id, core::fail(error_code::forbidden, "type",
                            std::string(type).append(" is ").append(whose).append(" request")));
    }
    return ok;
  }

  template <class Request>
  void dispatch(const wire::json& id, Request request) {
    using R = std::decay_t<Request>;
    if constexpr (std::is_same_v<R, wire::hello_member> || std::is_same_v<R, wire::hello_device> ||
                  std::is_same_v<R, wire::hello_chair>) {
      say_hello(id, std::move(request));
    } else if constexpr (std::is_same_v<R, wire::token_request>) {
      if (allowed(id, "token", true, true, false)) session_->issue_token(member_, request, answer_to(id));
    } else if constexpr (std::is_same_v<R, wire::voted_request>) {
      if (allowed(id, "voted", true, true, false)) session_->declare(member_, request, answer_to(id));
    } else if constexpr (std::is_same_v<R, wire::leave_request>) {
      if (allowed(id, "leave", true, true, false)) session_->check_out(member_, answer_to(id));
    } else if constexpr (std::is_same_v<R, wire::trustee_key_request>) {
      if (allowed(id, "trustee_key", false, true, false)) session_->add_trustee(member_, request, answer_to(id));
    } else if constexpr (std::is_same_v<R, wire::decryption_request>) {
      if (allowed(id, "decryption", false, true, false)) {
        session_->add_decryption(member_, std::move(request), answer_to(id));
      }
    } else if constexpr (std::is_same_v<R, wire::seal_key_request>) {
      if (allowed(id, "seal_key", false, false, true)) session_->seal_key(answer_to(id));
    } else if constexpr (std::is_same_v<R, wire::open_round_request>) {
      if (allowed(id, "open_round", false, false, true)) session_->open_round(request.round, answer_to(id));
    } else if constexpr (std::is_same_v<R, wire::close_round_request>) {
      if (allowed(id, "close_round", false, false, true)) session_->close_round(request.round, answer_to(id));
    } else if constexpr (std::is_same_v<R, wire::reveal_request>) {
      if (allowed(id, "reveal", false, false, true)) session_->reveal(request.round, answer_to(id));
    } else {
      static_assert(std::is_same_v<R, wire::adjourn_request>);
      if (allowed(id, "adjourn", false, false, true)) session_->adjourn(answer_to(id));
    }
  }

  const std::shared_ptr<service_context> context_;
  const std::shared_ptr<const session_registry> sessions_;
  const std::shared_ptr<ws_connection> connection_;
  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  const std::shared_ptr<std::atomic<bool>> closed_ = std::make_shared<std::atomic<bool>>(false);

  // Strand only.
  std::deque<std::string> waiting_;
  bool busy_ = false;
  std::shared_ptr<live_session> session_;  // set by a successful hello
  role role_ = role::member;
  std::string member_;
};

}  // namespace

std::shared_ptr<ws_handler> make_member_connection(std::shared_ptr<service_context> context,
                                                   std::shared_ptr<const session_registry> sessions,
                                                   std::shared_ptr<ws_connection> connection) {
  return std::make_shared<member_connection>(std::move(context), std::move(sessions), std::move(connection));
}

}  // namespace pingyi::net
