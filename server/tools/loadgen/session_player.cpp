// The play of one session (see session_player.hpp). The main thread walks through the phases and
// waits for each to finish; the network's io threads carry the replies and pushes; the proving
// before the burst runs on `crypto_threads` threads of its own. A tablet's fields are written by
// the callbacks of its own connection and casts (one after another) and read by the main thread
// only after the phase's countdown, whose mutex orders them.
#include "session_player.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>
#include <vector>

#include "pingyi/core/record.hpp"
#include "pingyi/core/session_state.hpp"
#include "pingyi/crypto/ballot.hpp"
#include "pingyi/crypto/bytes.hpp"
#include "pingyi/crypto/chain.hpp"
#include "pingyi/crypto/decryption.hpp"
#include "pingyi/crypto/device.hpp"
#include "pingyi/crypto/random.hpp"
#include "pingyi/crypto/token.hpp"
#include "pingyi/crypto/trustee.hpp"
#include "pingyi/net/client_json.hpp"
#include "process_usage.hpp"
#include "push_peek.hpp"
#include "session_plan.hpp"

namespace pingyi::loadgen {

namespace {

using json = nlohmann::ordered_json;
namespace crypto = pingyi::crypto;
namespace core = pingyi::core;
using namespace std::chrono_literals;

constexpr std::uint32_t played_round = 1;
// A tablet has one request in flight at a time, so a fixed id per kind of request is enough.
constexpr int hello_id = 1;
constexpr int token_id = 2;
constexpr int voted_id = 3;
constexpr int trustee_id = 4;
constexpr int decryption_id = 5;
// Connection failures of a cast that are tried again (the ballot is idempotent: the same bytes
// get the same receipt) before the cast counts as failed.
constexpr int cast_transport_retries = 3;
// A cast refused with RATE_LIMITED is sent again after these delays, as the web tablet does
// (client-web/src/pages/tablet/controller.ts, DEFAULT_CAST_RETRY_MS), the last one repeating.
constexpr std::chrono::milliseconds cast_retry_delays[] = {1000ms, 2000ms, 4000ms, 8000ms, 15000ms};

double ms_between(clock_type::time_point from, clock_type::time_point to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}
double seconds_between(clock_type::time_point from, clock_type::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

// Counts down the members of a phase; the main thread waits for zero.
class countdown {
 public:
  void reset(std::size_t n) {
    const std::lock_guard lock(mutex_);
    left_ = n;
  }
  void done() {
    {
      const std::lock_guard lock(mutex_);
      if (left_ > 0) --left_;
    }
    changed_.notify_all();
  }
  [[nodiscard]] bool wait_for(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return left_ == 0; });
  }
  [[nodiscard]] std::size_t left() {
    const std::lock_guard lock(mutex_);
    return left_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::size_t left_ = 0;
};

// Final failures and retried refusals, by "step CODE".
class error_tally {
 public:
  void error(const std::string& what, std::size_t n = 1) {
    const std::lock_guard lock(mutex_);
    errors_[what] += n;
  }
  void retry(const std::string& what) {
    const std::lock_guard lock(mutex_);
    ++retried_[what];
  }
  void into(load_report& r) {
    const std::lock_guard lock(mutex_);
    r.errors = errors_;
    r.retried = retried_;
  }

 private:
  std::mutex mutex_;
  std::map<std::string, std::size_t> errors_;
  std::map<std::string, std::size_t> retried_;
};

std::string code_of(const json& reply) {
  if (reply.is_object() && reply.contains("error") && reply["error"].is_object() && reply["error"].contains("code") &&
      reply["error"]["code"].is_string()) {
    return reply["error"]["code"].get<std::string>();
  }
  return "MALFORMED_REPLY";
}

bool ok(const json& reply) { return reply.is_object() && reply.value("ok", false); }

// One /ws connection, a tablet's or the chair's: one request in flight, its reply handed to the
// handler given with it; record pushes handed to the push handler with their record type.
class peer {
 public:
  using reply_fn = std::function<void(const json&)>;
  using push_fn = std::function<void(std::string_view record_type, std::string_view message)>;

  // `opened` runs on an io thread with "" or the failure; `closed` when the connection ends.
  void open(client_network& network, push_fn on_push, std::function<void(const std::string&)> opened,
            std::function<void(const std::string&)> closed) {
    ws_handlers h;
    h.on_open = std::move(opened);
    h.on_close = std::move(closed);
    h.on_message = [this, on_push = std::move(on_push)](std::string_view text) {
      const auto kind = kind_of(text);
      if (kind == message_kind::reply) {
        reply_fn handler;
        {
          const std::lock_guard lock(mutex_);
          handler = std::move(pending_);
          pending_ = nullptr;
        }
        if (handler) handler(json::parse(text, nullptr, false));
        return;
      }
      if (kind == message_kind::record && on_push) on_push(pushed_record_type(text), text);
    };
    const std::lock_guard lock(mutex_);
    link_ = network.open_ws("/ws", std::move(h));
  }

  void request(std::string text, reply_fn on_reply) {
    std::shared_ptr<ws_link> link;
    {
      const std::lock_guard lock(mutex_);
      pending_ = std::move(on_reply);
      link = link_;
    }
    link->send(std::move(text));
  }

  // The reply, waiting at most `timeout`; nullopt on timeout.
  std::optional<json> call(std::string text, std::chrono::milliseconds timeout) {
    auto promise = std::make_shared<std::promise<json>>();
    auto future = promise->get_future();
    request(std::move(text), [promise](const json& reply) { promise->set_value(reply); });
    if (future.wait_for(timeout) != std::future_status::ready) return std::nullopt;
    return future.get();
  }

  void close() {
    std::shared_ptr<ws_link> link;
    {
      const std::lock_guard lock(mutex_);
      link = link_;
    }
    if (link) link->close();
  }

 private:
  std::mutex mutex_;
  reply_fn pending_;
  std::shared_ptr<ws_link> link_;
};

struct tablet {
  std::size_t index = 0;
  std::string member;
  std::string code;
  bool scrutineer = false;
  bool voter = false;
  std::optional<crypto::signing_key> device;
  std::optional<crypto::trustee_key> trustee;
  peer ws;

  bool open = false;  // the WebSocket is up
  bool checked_in = false;
  std::atomic<bool> token_armed{false};
  std::string token_text;
  std::optional<crypto::signing_key> ske;
  std::optional<crypto::voprf::blinded_input> blinded;
  json token_reply;
  bool has_token = false;
  std::string ballot_text;
  std::string voted_text;
  bool cast_started = false;
  int transport_failures = 0;
  std::size_t rate_limited = 0;
  bool acknowledged = false;
  bool declared = false;

  clock_type::time_point connect_start, opened, hello_sent, hello_replied, round_opened_seen, token_replied,
      cast_scheduled, cast_start, receipt, voted_sent, voted_replied;
};

template <class F>
void parallel_for(std::size_t n, std::size_t threads, F f) {
  std::atomic<std::size_t> next{0};
  std::vector<std::thread> pool;
  for (std::size_t t = 0; t < std::max<std::size_t>(threads, 1); ++t) {
    pool.emplace_back([&] {
      for (std::size_t i = next++; i < n; i = next++) f(i);
    });
  }
  for (auto& t : pool) t.join();
}

std::string request_text(int id, const char* type, json fields = json::object()) {
  json j = json::object();
  j["id"] = id;
  j["type"] = type;
  for (auto it = fields.begin(); it != fields.end(); ++it) j[it.key()] = it.value();
  return j.dump();
}

class player {
 public:
  player(client_network& network, const play_options& options)
      : network_(network), options_(options), timeout_(options.step_timeout) {
    plan_.members = options.members;
    plan_.scrutineers = options.scrutineers;
    plan_.targets = options.targets;
    plan_.seed = options.seed;
  }

  load_report play() {
    report_.members = options_.members;
    report_.voters = options_.voters == 0 ? options_.members : options_.voters;
    report_.targets = options_.targets;
    report_.scrutineers = options_.scrutineers;
    report_.spread_seconds = options_.spread_seconds;
    report_.arrival = options_.arrival == arrival::even ? "even" : "uniform";
    report_.tablets = options_.feed == tablet_feed::lean ? "lean" : "follow";
    report_.io_threads = options_.io_threads;
    report_.crypto_threads = options_.crypto_threads;
    report_.server_pid = options_.server_pid ? std::optional<long>(*options_.server_pid) : std::nullopt;
    report_.open_files_limit = options_.open_files_limit;

    create_session();
    chair_hello();
    check_in_everyone();
    publish_trustee_keys();
    expect_ok(chair_call(request_text(10, "seal_key")), "seal_key");
    read_session_keys();
    take_tokens();
    build_ballots();
    burst();
    close_and_wait_for_result();
    read_head();
    if (options_.hold_seconds > 0) {
      std::this_thread::sleep_for(std::chrono::duration<double>(options_.hold_seconds));
    }
    // What the server holds with every tablet still connected.
    if (options_.server_pid) report_.server_end = read_process_usage(*options_.server_pid);
    report_.tool_end = read_process_usage(::getpid());
    close_everything();
    summarise();
    return report_;
  }

 private:
  // ---- set-up steps: any refusal ends the run (exit 2) ----------------------------------------

  [[noreturn]] static void refuse(const std::string& step, const std::string& why) {
    throw setup_failure(step + ": " + why);
  }

  static void expect_ok(const json& reply, const std::string& step) {
    if (!ok(reply)) refuse(step, "refused: " + reply.dump());
  }

  json chair_call(std::string text) {
    auto reply = chair_.call(std::move(text), timeout_);
    if (!reply) refuse("chair", "no reply within the step timeout");
    return *reply;
  }

  std::string session_path(const std::string& what) const { return "/api/sessions/" + session_hex_ + "/" + what; }

  void create_session() {
    http_request r;
    r.method = "POST";
    r.target = "/api/sessions";
    r.body = plan_.create_request().dump();
    r.headers.emplace_back("Authorization", "Bearer " + options_.admin_token);
    const auto o = network_.http_wait(std::move(r), timeout_);
    if (!o.failure.empty()) refuse("create session", "the server cannot be reached (" + o.failure + ")");
    const json created = json::parse(o.body, nullptr, false);
    if (o.status != 200 || !ok(created)) {
      refuse("create session", "refused with HTTP " + std::to_string(o.status) + ": " + o.body);
    }
    session_hex_ = created["session"].get<std::string>();
    const auto sid = crypto::from_hex_fixed<32>(session_hex_);
    if (!sid) refuse("create session", "the session id is not 64 hex digits");
    sid_ = *sid;
    chair_code_ = created["chair_code"].get<std::string>();
    tablets_.reserve(options_.members);
    const std::size_t voters = report_.voters;
    for (std::size_t i = 0; i < options_.members; ++i) {
      auto t = std::make_unique<tablet>();
      t->index = i;
      t->member = session_plan::member_id(i);
      t->code = created["codes"].value(t->member, std::string());
      t->scrutineer = i < options_.scrutineers;
      t->voter = i < voters;
      tablets_.push_back(std::move(t));
    }
  }

  void chair_hello() {
    std::promise<std::string> opened;
    auto opened_future = opened.get_future();
    chair_.open(
        network_,
        [this](std::string_view type, std::string_view message) {
          if (type == "round_opened" && options_.feed == tablet_feed::lean) {
            for (auto& t : tablets_)
              if (lean(*t)) request_token(*t);
            return;
          }
          if (type != "result" || result_seen_.exchange(true)) return;
          result_at_ = clock_type::now();
          result_message_ = std::string(message);
          result_countdown_.done();
        },
        [&opened](const std::string& failure) { opened.set_value(failure); },
        [this](const std::string& reason) {
          if (!ending_.load()) errors_.error("chair connection closed" + (reason.empty() ? "" : ": " + reason));
          closed_countdown_.done();
        });
    if (opened_future.wait_for(timeout_) != std::future_status::ready)
      refuse("chair", "no WebSocket within the timeout");
    const auto failure = opened_future.get();
    if (!failure.empty()) refuse("chair", "cannot open /ws (" + failure + ")");
    chair_open_ = true;
    json hello = json::object();
    hello["session"] = session_hex_;
    hello["code"] = chair_code_;
    expect_ok(chair_call(request_text(hello_id, "hello", hello)), "chair hello");
  }

  // ---- check-in: `connect_window` tablets at a time, each hello signed with its device key ------

  void check_in_everyone() {
    parallel_for(tablets_.size(), options_.crypto_threads,
                 [&](std::size_t i) { tablets_[i]->device = crypto::signing_key::generate(crypto::os_random()); });
    checkins_.reset(tablets_.size());
    check_in_started_ = clock_type::now();
    const std::size_t window = std::min(std::max<std::size_t>(options_.connect_window, 1), tablets_.size());
    for (std::size_t k = 0; k < window; ++k) start_next_check_in();
    if (!checkins_.wait_for(timeout_)) errors_.error("hello timeout", checkins_.left());
    check_in_ended_ = clock_type::now();
    std::size_t present = 0;
    for (const auto& t : tablets_) present += t->checked_in ? 1 : 0;
    if (present * 2 <= tablets_.size())
      refuse("check-in",
             "only " + std::to_string(present) + " of " + std::to_string(tablets_.size()) + " tablets checked in");
  }

  void start_next_check_in() {
    const std::size_t i = next_check_in_++;
    if (i >= tablets_.size()) return;
    tablet& t = *tablets_[i];
    t.connect_start = clock_type::now();
    t.ws.open(
        network_, [this, &t](std::string_view type, std::string_view message) { on_tablet_push(t, type, message); },
        [this, &t](const std::string& failure) {
          if (!failure.empty()) {
            errors_.error("connect " + failure);
            checkins_.done();
            start_next_check_in();
            return;
          }
          t.open = true;
          t.opened = clock_type::now();
          opened_links_.fetch_add(1);
          json hello = json::object();
          hello["session"] = session_hex_;
          hello["code"] = t.code;
          hello["device_key"] = t.device->public_key().hex();
          hello["sig"] = crypto::sign_checkin(*t.device, sid_, t.member).hex();
          if (lean(t)) hello["from"] = core::max_seq;
          t.hello_sent = clock_type::now();
          t.ws.request(request_text(hello_id, "hello", hello), [this, &t](const json& reply) {
            t.hello_replied = clock_type::now();
            if (ok(reply)) {
              t.checked_in = true;
            } else {
              errors_.error("hello " + code_of(reply));
            }
            checkins_.done();
            start_next_check_in();
          });
        },
        [this](const std::string& reason) {
          if (!ending_.load()) errors_.error("tablet connection closed" + (reason.empty() ? "" : ": " + reason));
          closed_countdown_.done();
        });
  }

  // Runs on the tablet's connection: the round opening asks for the token at once (the request was
  // made, blinded and signed before the round opened); the round closing makes a scrutineer
  // compute and send its shares.
  void on_tablet_push(tablet& t, std::string_view type, std::string_view message) {
    if (type == "round_opened") {
      request_token(t);
    } else if (type == "round_closed" && t.scrutineer && t.trustee) {
      send_decryption(t, message);
    }
  }

  bool lean(const tablet& t) const { return options_.feed == tablet_feed::lean && !t.scrutineer; }

  // On the round_opened push (the tablet's own, or for a lean tablet the chair's).
  void request_token(tablet& t) {
    if (!t.token_armed.exchange(false)) return;
    t.round_opened_seen = clock_type::now();
    t.ws.request(t.token_text, [this, &t](const json& reply) {
      t.token_replied = clock_type::now();
      if (ok(reply)) {
        t.token_reply = reply;
        t.has_token = true;
      } else {
        errors_.error("token " + code_of(reply));
      }
      tokens_.done();
    });
  }

  // ---- the key ceremony ----------------------------------------------------------------------

  void publish_trustee_keys() {
    for (auto& tp : tablets_) {
      tablet& t = *tp;
      if (!t.scrutineer || !t.checked_in) continue;
      const auto key = crypto::trustee_key_from_code(sid_, crypto::generate_recovery_code(crypto::os_random()));
      if (!key) refuse("trustee key", "cannot derive a key from a recovery code");
      t.trustee = *key;
      json fields = json::object();
      fields["key"] = key->key.hex();
      fields["proof"] = net::proof_json(crypto::prove_trustee_key(sid_, t.member, *key, crypto::os_random()));
      const auto reply = t.ws.call(request_text(trustee_id, "trustee_key", fields), timeout_);
      if (!reply) refuse("trustee_key of " + t.member, "no reply");
      expect_ok(*reply, "trustee_key of " + t.member);
    }
  }

  // Genesis (token key), the election key and the round's contests, from the chain as served.
  void read_session_keys() {
    http_request r;
    r.target = session_path("chain");
    const auto o = network_.http_wait(std::move(r), timeout_);
    if (!o.failure.empty() || o.status != 200) refuse("chain", o.failure.empty() ? o.body : o.failure);
    std::size_t start = 0;
    for (std::size_t end = o.body.find('\n'); end != std::string::npos; end = o.body.find('\n', start)) {
      const auto rec = core::decode(std::string_view(o.body).substr(start, end - start));
      start = end + 1;
      if (!rec) refuse("chain", "a line does not decode");
      if (const auto* g = std::get_if<core::genesis_body>(&rec->body)) token_key_ = g->token_key;
      if (const auto* e = std::get_if<core::election_key_body>(&rec->body)) election_key_ = e->key;
      if (const auto* d = std::get_if<core::round_body>(&rec->body); d && d->round == played_round) {
        specs_ = core::specs_of(*d);
      }
    }
    if (!token_key_ || !election_key_ || specs_.empty()) refuse("chain", "no token key, election key or round 1");
  }

  // ---- tokens: every present tablet asks on the round_opened push ------------------------------

  void take_tokens() {
    std::vector<tablet*> present;
    for (auto& t : tablets_)
      if (t->checked_in) present.push_back(t.get());
    // Made before the round opens (a tablet would make them on the push: a blinding and a
    // signature, ~0.1 ms), so that the token latency is the server's.
    parallel_for(present.size(), options_.crypto_threads, [&](std::size_t k) {
      tablet& t = *present[k];
      t.ske = crypto::signing_key::generate(crypto::os_random());
      const auto blinded = crypto::blind_token(sid_, played_round, t.ske->public_key(), crypto::os_random());
      if (!blinded) return;
      t.blinded = *blinded;
      json fields = json::object();
      fields["round"] = played_round;
      fields["blinded"] = blinded->element.hex();
      fields["request_sig"] = crypto::sign_token_request(*t.device, sid_, played_round, blinded->element).hex();
      t.token_text = request_text(token_id, "token", fields);
      t.token_armed.store(true);
    });
    tokens_.reset(present.size());
    json open = json::object();
    open["round"] = played_round;
    open_sent_ = clock_type::now();
    expect_ok(chair_call(request_text(11, "open_round", open)), "open_round");
    if (!tokens_.wait_for(timeout_)) errors_.error("token timeout", tokens_.left());
    tokens_done_ = clock_type::now();
  }

  // ---- ballots: unblinded, built and proved on the crypto threads, before the burst ------------

  void build_ballots() {
    build_started_ = clock_type::now();
    std::vector<tablet*> voters;
    for (auto& t : tablets_)
      if (t->voter && t->has_token)
        voters.push_back(t.get());
      else if (t->voter)
        errors_.error("no token: not cast");
    parallel_for(voters.size(), options_.crypto_threads, [&](std::size_t k) {
      tablet& t = *voters[k];
      const auto& reply = t.token_reply;
      const auto evaluated = crypto::point::from_hex(reply.value("evaluated", std::string()));
      const auto c = crypto::scalar::from_hex(reply["proof"].value("c", std::string()));
      const auto s = crypto::scalar::from_hex(reply["proof"].value("s", std::string()));
      if (!evaluated || !c || !s) {
        errors_.error("token reply malformed");
        return;
      }
      const auto n = crypto::unblind_token(*token_key_, *t.blinded, *evaluated, crypto::proof{*c, *s});
      if (!n) {
        errors_.error(std::string("token proof rejected by the tablet: ") + crypto::to_string(n.error().code));
        return;
      }
      const auto b = crypto::build_ballot(sid_, played_round, *t.ske, *n, *election_key_, specs_,
                                          plan_.choices(t.index), crypto::os_random());
      if (!b) {
        errors_.error(std::string("ballot not built: ") + crypto::to_string(b.error().code));
        return;
      }
      t.ballot_text = net::ballot_json(*b).dump();
      json voted = json::object();
      voted["round"] = played_round;
      voted["sig"] = crypto::sign_voted(*t.device, sid_, played_round).hex();
      t.voted_text = request_text(voted_id, "voted", voted);
    });
    for (auto* t : voters)
      if (!t->ballot_text.empty()) ready_.push_back(t);
    build_ended_ = clock_type::now();
  }

  // ---- the burst: each ballot on a fresh connection at its arrival time, then `voted` ---------

  void burst() {
    casts_.reset(ready_.size());
    std::mt19937_64 rng(options_.seed);
    std::uniform_real_distribution<double> uniform(0.0, options_.spread_seconds);
    const auto t0 = clock_type::now() + 50ms;
    if (options_.server_pid) server_before_burst_ = read_process_usage(*options_.server_pid);
    tool_before_burst_ = read_process_usage(::getpid());
    for (std::size_t k = 0; k < ready_.size(); ++k) {
      double offset = 0;
      if (options_.spread_seconds > 0) {
        offset = options_.arrival == arrival::even
                     ? options_.spread_seconds * static_cast<double>(k) / static_cast<double>(ready_.size())
                     : uniform(rng);
      }
      tablet& t = *ready_[k];
      t.cast_scheduled = t0 + std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(offset));
      cast(t, t.cast_scheduled);
    }
    if (!casts_.wait_for(timeout_ + std::chrono::seconds(static_cast<long>(options_.spread_seconds)))) {
      errors_.error("cast or voted timeout", casts_.left());
    }
    burst_ended_ = clock_type::now();
    if (options_.server_pid) server_after_burst_ = read_process_usage(*options_.server_pid);
    tool_after_burst_ = read_process_usage(::getpid());
  }

  void cast(tablet& t, clock_type::time_point at) {
    http_request r;
    r.method = "POST";
    r.target = session_path("ballots");
    r.body = t.ballot_text;
    r.on_start = [&t] {
      if (t.cast_started) return;
      t.cast_started = true;
      t.cast_start = clock_type::now();
    };
    network_.http(
        std::move(r), [this, &t](http_outcome o) { on_cast_answer(t, std::move(o)); }, at);
  }

  void on_cast_answer(tablet& t, http_outcome o) {
    if (!o.failure.empty()) {
      if (++t.transport_failures <= cast_transport_retries) {
        errors_.retry("cast " + o.failure);
        return cast(t, clock_type::now() + 50ms);
      }
      errors_.error("cast " + o.failure);
      return casts_.done();
    }
    const json answer = json::parse(o.body, nullptr, false);
    if (o.status == 429 && code_of(answer) == "RATE_LIMITED") {
      // PROTOCOL.md §7: more than 256 ballots being checked server-wide. The same bytes again
      // after the web tablet's delays (client-web's DEFAULT_CAST_RETRY_MS), so that the server
      // sees the retries a hall of real tablets would send.
      errors_.retry("cast RATE_LIMITED");
      const auto delay = cast_retry_delays[std::min<std::size_t>(t.rate_limited, std::size(cast_retry_delays) - 1)];
      ++t.rate_limited;
      return cast(t, clock_type::now() + delay);
    }
    if (o.status != 200 || !ok(answer) || !answer.contains("receipt")) {
      errors_.error("cast " + code_of(answer));
      return casts_.done();
    }
    t.receipt = clock_type::now();
    t.acknowledged = true;
    t.voted_sent = clock_type::now();
    t.ws.request(t.voted_text, [this, &t](const json& reply) {
      t.voted_replied = clock_type::now();
      if (ok(reply)) {
        t.declared = true;
      } else {
        errors_.error("voted " + code_of(reply));
      }
      casts_.done();
    });
  }

  // ---- close → result: round_closed, the shares of the server and every scrutineer, result ----

  void close_and_wait_for_result() {
    result_countdown_.reset(1);
    json close = json::object();
    close["round"] = played_round;
    close_sent_ = clock_type::now();
    chair_.request(request_text(12, "close_round", close), [this](const json& reply) {
      if (!ok(reply)) errors_.error("close_round " + code_of(reply));
    });
    if (!result_countdown_.wait_for(timeout_)) {
      errors_.error("result timeout");
      return;
    }
    const json push = json::parse(result_message_, nullptr, false);
    const json result = json::parse(push.value("line", std::string()), nullptr, false);
    if (!result.is_object()) return errors_.error("result record malformed");
    report_.result_received = true;
    report_.result_ballots = result.value("ballots", std::uint64_t{0});
    report_.undeclared = result.value("undeclared", std::int64_t{0});
    for (const auto& c : result["contests"]) {
      report_.counted.push_back(c["counts"].get<std::vector<std::uint64_t>>());
    }
  }

  // Runs on the scrutineer's connection when the round_closed push arrives: a share and its proof
  // per contest and option (DESIGN.md §3.4). A real scrutineer's tablet also verifies the chain
  // up to round_closed first, which it can do as the ballots arrive; the tool does not.
  void send_decryption(tablet& t, std::string_view message) {
    const json push = json::parse(message, nullptr, false);
    const std::string line = push.value("line", std::string());
    const auto rec = core::decode(line);
    const auto* closed = rec ? std::get_if<core::round_closed_body>(&rec->body) : nullptr;
    if (!closed) return errors_.error("round_closed push malformed");
    if (closed->ballots == 0) return;  // nothing to decrypt
    const auto closed_hash = crypto::line_hash(line);
    json shares = json::array();
    for (const auto& sums : closed->sums) {
      json contest = json::object();
      contest["id"] = sums.id;
      json options = json::array();
      for (std::size_t i = 0; i < sums.options.size(); ++i) {
        const crypto::share_context ctx{sid_,    closed_hash, closed->round, sums.id, static_cast<std::uint16_t>(i),
                                        t.member};
        const auto share = crypto::make_share(ctx, *t.trustee, sums.options[i].alpha, crypto::os_random());
        json o = json::object();
        o["share"] = share.share.hex();
        o["proof"] = net::proof_json(share.dleq);
        options.push_back(std::move(o));
      }
      contest["options"] = std::move(options);
      shares.push_back(std::move(contest));
    }
    json fields = json::object();
    fields["round"] = closed->round;
    fields["shares"] = std::move(shares);
    t.ws.request(request_text(decryption_id, "decryption", fields), [this](const json& reply) {
      if (!ok(reply)) errors_.error("decryption " + code_of(reply));
    });
  }

  void read_head() {
    http_request r;
    r.target = session_path("head");
    const auto o = network_.http_wait(std::move(r), timeout_);
    const json head = json::parse(o.body, nullptr, false);
    if (!o.failure.empty() || o.status != 200 || !ok(head)) return errors_.error("head unreadable");
    report_.head_seq = head.value("seq", std::uint64_t{0});
    report_.head_hash = head.value("hash", std::string());
  }

  void close_everything() {
    ending_.store(true);
    const std::size_t links = opened_links_.load() + (chair_open_ ? 1 : 0);
    closed_countdown_.reset(links);
    for (auto& t : tablets_)
      if (t->open) t->ws.close();
    chair_.close();
    if (!closed_countdown_.wait_for(10s)) {
      // Not an error of the server: the process ends and the kernel closes what is left.
    }
  }

  // ---- the report ----------------------------------------------------------------------------

  void summarise() {
    std::vector<double> connect, hello, token, cast, voted, lateness;
    std::vector<std::size_t> acknowledged;
    clock_type::time_point first_cast = clock_type::time_point::max(), last_receipt{};
    for (const auto& tp : tablets_) {
      const tablet& t = *tp;
      if (t.open) connect.push_back(ms_between(t.connect_start, t.opened));
      if (t.checked_in) hello.push_back(ms_between(t.hello_sent, t.hello_replied));
      if (t.has_token) token.push_back(ms_between(t.round_opened_seen, t.token_replied));
      if (t.cast_started) {
        lateness.push_back(ms_between(t.cast_scheduled, t.cast_start));
        first_cast = std::min(first_cast, t.cast_start);
      }
      if (t.acknowledged) {
        cast.push_back(ms_between(t.cast_start, t.receipt));
        last_receipt = std::max(last_receipt, t.receipt);
        acknowledged.push_back(t.index);
        report_.ballots_acknowledged++;
      }
      if (t.declared) voted.push_back(ms_between(t.voted_sent, t.voted_replied));
      if (t.cast_started) report_.ballots_cast++;
    }
    std::vector<double> close_to_result;
    if (report_.result_received) close_to_result.push_back(ms_between(close_sent_, result_at_));
    report_.latencies = {{"connect", summarize(connect)},
                         {"hello", summarize(hello)},
                         {"token", summarize(token)},
                         {"cast_to_receipt", summarize(cast)},
                         {"voted", summarize(voted)},
                         {"close_to_result", summarize(close_to_result)},
                         {"cast_start_lateness", summarize(lateness)}};
    report_.phases = {{"check_in", seconds_between(check_in_started_, check_in_ended_)},
                      {"tokens", seconds_between(open_sent_, tokens_done_)},
                      {"precompute", seconds_between(build_started_, build_ended_)},
                      {"burst", report_.ballots_acknowledged ? seconds_between(first_cast, last_receipt) : 0.0},
                      {"close_to_result", report_.result_received ? seconds_between(close_sent_, result_at_) : 0.0}};
    report_.burst_seconds = report_.phases[3].second;
    if (report_.burst_seconds > 0) {
      report_.ballots_per_second = static_cast<double>(report_.ballots_acknowledged) / report_.burst_seconds;
      report_.contest_ballots_per_second = report_.ballots_per_second * static_cast<double>(options_.targets);
    }
    report_.expected_counts = plan_.counts_of(acknowledged);
    report_.counts_match = report_.result_received && report_.counted == report_.expected_counts &&
                           report_.result_ballots == report_.ballots_acknowledged;
    if (server_before_burst_ && server_after_burst_) {
      report_.server_burst_cpu_seconds = server_after_burst_->cpu_seconds - server_before_burst_->cpu_seconds;
    }
    if (tool_before_burst_ && tool_after_burst_) {
      report_.tool_burst_cpu_seconds = tool_after_burst_->cpu_seconds - tool_before_burst_->cpu_seconds;
    }
    errors_.into(report_);
  }

  client_network& network_;
  play_options options_;
  std::chrono::milliseconds timeout_;
  session_plan plan_;
  load_report report_;
  error_tally errors_;

  std::string session_hex_;
  crypto::session_id sid_{};
  std::string chair_code_;
  std::optional<crypto::point> token_key_;
  std::optional<crypto::point> election_key_;
  std::vector<crypto::contest_spec> specs_;

  // Declared before the connections' state so that it is destroyed after nothing uses it.
  countdown checkins_, tokens_, casts_, result_countdown_, closed_countdown_;
  std::atomic<std::size_t> next_check_in_{0};
  std::atomic<std::size_t> opened_links_{0};
  std::atomic<bool> ending_{false};
  std::atomic<bool> result_seen_{false};
  bool chair_open_ = false;
  clock_type::time_point result_at_;
  std::string result_message_;

  peer chair_;
  std::vector<std::unique_ptr<tablet>> tablets_;
  std::vector<tablet*> ready_;

  clock_type::time_point check_in_started_, check_in_ended_, open_sent_, tokens_done_, build_started_, build_ended_,
      burst_ended_, close_sent_;
  std::optional<process_usage> server_before_burst_, server_after_burst_, tool_before_burst_, tool_after_burst_;
};

}  // namespace

load_report play_session(client_network& network, const play_options& options) {
  player p(network, options);
  // The callbacks hold the player and its tablets: the network stops before they are destroyed.
  try {
    auto report = p.play();
    network.stop();
    return report;
  } catch (...) {
    network.stop();
    throw;
  }
}

}  // namespace pingyi::loadgen
