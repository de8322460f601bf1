// One session, live (DESIGN.md §5): its engine on its own strand, its writes through the store's
// group commit, and its pushes to the connections that follow it. Every request on the session
// goes through here; the connections and the HTTP routes only decode and encode.
//
// The invariant it keeps: nothing is replied or pushed until the records it reports are durable
// — a reply or push waits for the commit that holds its records (or, for an answer read from
// the state without a new record, for every write issued before it) to return. A write the
// store refuses after the engine applied its records breaks the session: every later request is
// refused with INTERNAL, and the operator restarts the server, whose replay rebuilds the state
// from what is on disk.
#pragma once

// clang-format off
#include <utility>  // first: Boost 1.74's Asio needs it before its awaitable header
// clang-format on

#include <atomic>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pingyi/core/session_engine.hpp"
#include "pingyi/crypto/chain.hpp"
#include "pingyi/crypto/ed25519.hpp"
#include "pingyi/net/transport.hpp"
#include "pingyi/store/credential.hpp"
#include "pingyi/store/write_batch.hpp"
#include "service_context.hpp"
#include "wire.hpp"

namespace pingyi::net {

// A request's outcome: the reply's fields, or its error. Called once, on the session's strand.
using reply_fn = std::function<void(core::result<wire::json>)>;

enum class role { member, scrutineer, chair };

// Who a hello authenticated, and the reply's fields ({role, member, device, head}).
struct greeting {
  net::role role = role::member;
  std::string member;  // empty for the chair
  wire::json fields;
};
// Called once, on the session's strand; on success the connection is subscribed right after.
using hello_fn = std::function<void(core::result<greeting>)>;

// A connection that receives the session's pushes.
struct push_target {
  std::shared_ptr<ws_connection> connection;
  // Set when the connection has ended; a subscriber whose flag is set is dropped.
  std::shared_ptr<const std::atomic<bool>> closed;
  std::string member;  // the member it authenticated (a device reset closes it); else empty
};

class live_session : public std::enable_shared_from_this<live_session> {
 public:
  // A session whose first `durable_length` records are durable: all of them after replay, none
  // for a session being created (see create). `check_in_sigs` holds each member's latest
  // check_in signature, to check a member in again after a reconnect.
  live_session(std::shared_ptr<service_context> context, core::session_engine engine,
               const crypto::signing_key& signing, std::uint64_t durable_length,
               std::map<std::string, crypto::signature, std::less<>> check_in_sigs);
  live_session(const live_session&) = delete;
  live_session& operator=(const live_session&) = delete;

  // Any thread: what never changes, and the durable length (it only grows).
  [[nodiscard]] const crypto::session_id& id() const noexcept { return id_; }
  [[nodiscard]] const std::string& hex_id() const noexcept { return hex_id_; }
  // The first 8 hex digits, for logs.
  [[nodiscard]] std::string_view short_id() const noexcept { return std::string_view(hex_id_).substr(0, 8); }
  [[nodiscard]] const std::string& title() const noexcept { return title_; }
  [[nodiscard]] const std::string& committee() const noexcept { return committee_; }
  [[nodiscard]] const std::string& date() const noexcept { return date_; }
  [[nodiscard]] std::uint64_t durable_length() const noexcept { return durable_length_.load(); }

  // After start-up: what a crash may have left undone of the automatic steps (the server's
  // decryption, a result) of closed rounds is done now.
  void resume_rounds();

  // A new session: writes its first records (genesis first) with `credentials` (chair and
  // check-in codes) in one batch; done(true) once it is durable, done(false) if it is not.
  void create(std::vector<core::appended> records, std::function<void(store::write_batch&)> credentials,
              std::function<void(bool)> done);

  // Secretariat.
  void define_rounds(std::vector<core::round_setup> rounds, reply_fn reply);
  void reset_member(std::string member, reply_fn reply);
  void check_out(std::string member, reply_fn reply);

  // Anyone.
  void cast_ballot(crypto::ballot cast, reply_fn reply);
  void head(reply_fn reply);
  // The durable lines from `from`, each followed by "\n" (read on the pool).
  void read_chain(std::uint64_t from, std::function<void(core::result<std::string>)> done);

  // /ws hello, then the connection is subscribed from `from` (default: after the hello).
  void hello(wire::hello_member request, push_target target, hello_fn done);
  void hello(wire::hello_device request, push_target target, hello_fn done);
  void hello(wire::hello_chair request, push_target target, hello_fn done);

  // Members and scrutineers.
  void issue_token(std::string member, wire::token_request request, reply_fn reply);
  void declare(std::string member, wire::voted_request request, reply_fn reply);
  void add_trustee(std::string member, wire::trustee_key_request request, reply_fn reply);
  void add_decryption(std::string member, wire::decryption_request request, reply_fn reply);

  // The chair.
  void seal_key(reply_fn reply);
  void open_round(std::uint32_t round, reply_fn reply);
  void close_round(std::uint32_t round, reply_fn reply);
  void reveal(std::uint32_t round, reply_fn reply);
  void adjourn(reply_fn reply);

  // Pushes: every durable record from `from`, then live ones, and progress (/observe, and /ws
  // after hello). unsubscribe when the connection ends.
  void subscribe(push_target target, std::uint64_t from);
  void unsubscribe(std::uint64_t connection_id);
  // Forgets every subscriber at once, off the strand: only once no thread runs the io_context
  // (service::release_connections).
  void drop_subscribers_after_stop() { subscribers_.clear(); }

 private:
  using strand_type = boost::asio::strand<boost::asio::io_context::executor_type>;

  // A record of a write in flight: what to push once it is durable.
  struct pushed_record {
    std::uint64_t seq = 0;
    std::string_view type;  // record_type_name: static storage
    std::shared_ptr<const std::string> push;
  };
  struct pending_write {
    std::uint64_t ticket = 0;
    std::vector<pushed_record> records;
    std::uint64_t end_length = 0;  // the chain's length once this write is durable
    crypto::chain_hash end_hash{};
    wire::progress progress;
    std::function<void(bool)> done;
    std::chrono::steady_clock::time_point queued;
  };
  struct subscriber {
    push_target target;
    std::uint64_t next_seq = 0;  // records below it are not sent (catch-up sent them, or too old)
    bool catching_up = false;
    std::vector<std::shared_ptr<const std::string>> buffered;  // live pushes during catch-up
  };
  // The in-memory view of credentials changed since start (the store's is read on the pool and
  // may be older): a device secret's hash (nullopt: erased by a reset) and check-in codes.
  using device_map = std::map<std::string, std::optional<store::credential_hash>, std::less<>>;
  using code_map = std::map<std::string, store::credential_hash, std::less<>>;

  // Posts `f` to the strand; a broken session answers `reply` with INTERNAL instead.
  void on_strand(reply_fn reply, std::function<void(reply_fn&)> f);

  // Writes `records` (already applied by the engine) and what `extra` adds in one batch; done(true) on
  // the strand once durable, done(false) if not. A refusal breaks the session when the engine
  // had changed (records, or a declaration); otherwise only done(false). Returns whether the
  // store accepted the batch.
  bool commit(std::vector<core::appended> records, const std::function<void(store::write_batch&)>& extra,
              bool engine_changed, std::function<void(bool)> done);
  void on_committed(std::uint64_t ticket, const store::status& outcome);
  // done(true) once every write issued so far is durable (at once when none is in flight).
  void when_settled(std::function<void(bool)> done);
  void break_session(const std::string& why);

  // Writes one appended record and replies {"seq": n} once durable.
  void reply_appended(core::result<core::appended> added, reply_fn& reply);
  // After close and after each decryption: the server's own shares, then the result, written
  // automatically as soon as the chain allows them.
  void finish_round(std::uint32_t round);

  // The hello of a member identified by a code or device secret (strand).
  void check_in_member(const std::string& member, const wire::hello_member& request, bool spent_in_store,
                       const store::credential_hash& code_hash, push_target target, hello_fn done);
  void reconnect_member(const std::string& member, const store::credential_hash& presented, const device_secret& secret,
                        std::optional<std::uint64_t> from, push_target target, hello_fn done);
  void greet(role who, const std::string& member, std::optional<device_secret> secret,
             std::optional<std::uint64_t> from, push_target target, const hello_fn& done);
  void append_prepared(core::result<core::ballot_body> prepared, reply_fn& reply);

  [[nodiscard]] wire::progress snapshot() const;
  [[nodiscard]] crypto::signed_head durable_head() const;
  void add_subscriber(push_target target, std::uint64_t from);
  void push_all(const std::shared_ptr<const std::string>& message, std::optional<std::uint64_t> seq);
  void progress_changed();
  void send_progress();
  // Catch-up reads on the pool for subscriber `id`, [from, end), in chunks; then live.
  void catch_up(std::uint64_t id, std::uint64_t from, std::uint64_t end, push_target target);
  void finish_catch_up(std::uint64_t id);

  const std::shared_ptr<service_context> context_;
  strand_type strand_;
  core::session_engine engine_;  // strand only
  const crypto::session_id id_;
  const std::string hex_id_;
  const std::string title_;
  const std::string committee_;
  const std::string date_;
  const crypto::signing_key signing_;  // signs heads of records read on the pool

  // Durability (strand; durable_length_ is also read from any thread).
  std::atomic<std::uint64_t> durable_length_;
  crypto::chain_hash durable_hash_{};
  std::uint64_t written_ = 0;    // writes accepted by the store
  std::uint64_t committed_ = 0;  // of which durable
  std::deque<pending_write> pending_;
  std::multimap<std::uint64_t, std::function<void(bool)>> settled_waiters_;
  bool failed_ = false;

  // Credentials (strand).
  device_map device_secrets_;
  code_map checkin_codes_;
  std::map<std::string, crypto::signature, std::less<>> check_in_sigs_;

  // Pushes (strand).
  std::map<std::uint64_t, subscriber> subscribers_;
  wire::progress durable_progress_;
  wire::progress pushed_progress_;
  boost::asio::steady_timer progress_timer_;
  bool progress_timer_running_ = false;
};

}  // namespace pingyi::net
