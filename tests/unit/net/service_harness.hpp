// The service driven in-process, without sockets: HTTP requests and WebSocket messages go straight
// to the request_handler, a fake ws_connection records what the service sends, the io_context
// runs on two threads, and the store is real, in a temporary directory. The client side uses the
// real crypto, as a tablet, a scrutineer's console and the chair's console would.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "../store/temp_directory.hpp"
#include "../../support/client_json.hpp"
#include "pingyi/core/record.hpp"
#include "pingyi/core/session_state.hpp"
#include "pingyi/crypto/ballot.hpp"
#include "pingyi/crypto/chain.hpp"
#include "pingyi/crypto/decryption.hpp"
#include "pingyi/crypto/device.hpp"
#include "pingyi/crypto/init.hpp"
#include "pingyi/crypto/token.hpp"
#include "pingyi/crypto/trustee.hpp"
#include "pingyi/net/metrics.hpp"
#include "pingyi/net/service.hpp"
#include "pingyi/net/transport.hpp"
#include "pingyi/store/chain_store.hpp"

namespace pingyi::net::test {

using pingyi::test::ballot_json;
using pingyi::test::contest_json;
using pingyi::test::proof_json;

using json = nlohmann::ordered_json;
using namespace std::chrono_literals;

inline constexpr auto reply_timeout = 15s;
inline constexpr const char* admin_token = "test-admin-token-0123456789";

// ---- a WebSocket connection as the service sees it ---------------------------------------------

class fake_connection final : public ws_connection {
 public:
  explicit fake_connection(std::uint64_t id) : id_(id) {}

  void send(std::shared_ptr<const std::string> text) override {
    json message = json::parse(*text);
    std::function<void(const json&)> hook;
    {
      std::lock_guard lock(mutex_);
      hook = on_send_;
    }
    if (hook) hook(message);
    {
      std::lock_guard lock(mutex_);
      messages_.push_back(std::move(message));
    }
    changed_.notify_all();
  }
  void close() override {
    closed_ = true;
    changed_.notify_all();
  }
  [[nodiscard]] std::uint64_t id() const noexcept override { return id_; }

  // Runs on the sending thread, before the message is recorded.
  void on_send(std::function<void(const json&)> hook) {
    std::lock_guard lock(mutex_);
    on_send_ = std::move(hook);
  }
  [[nodiscard]] bool closed() const { return closed_.load(); }

  [[nodiscard]] std::vector<json> messages() const {
    std::lock_guard lock(mutex_);
    return messages_;
  }
  // Waits until `done` holds for the messages so far; false on timeout.
  bool wait_until(const std::function<bool(const std::vector<json>&)>& done,
                  std::chrono::milliseconds timeout = reply_timeout) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return done(messages_); });
  }

 private:
  const std::uint64_t id_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<json> messages_;
  std::function<void(const json&)> on_send_;
  std::atomic<bool> closed_{false};
};

inline std::atomic<std::uint64_t> next_connection_id{1};

// One client connection: requests with ids, and the pushes it received.
struct ws_client {
  std::shared_ptr<fake_connection> connection;
  std::shared_ptr<ws_handler> handler;
  std::int64_t next_id = 1;

  // Sends raw text (on this thread, as the transport would) without waiting.
  void send_text(const std::string& text) const { handler->on_message(text); }

  // Sends a request with the next id and waits for its reply.
  json request(json body) {
    const std::int64_t id = next_id++;
    json message = json::object();
    message["id"] = id;
    for (auto it = body.begin(); it != body.end(); ++it) message[it.key()] = it.value();
    send_text(message.dump());
    return reply_to(json(id));
  }

  json reply_to(const json& id) const {
    json found;
    const bool ok = connection->wait_until([&](const std::vector<json>& messages) {
      for (const auto& m : messages) {
        if (m.contains("id") && m["id"] == id) {
          found = m;
          return true;
        }
      }
      return false;
    });
    if (!ok) throw std::runtime_error(std::string("no reply to request ").append(id.dump()));
    return found;
  }

  // The pushes of a type, in the order received.
  [[nodiscard]] std::vector<json> pushes(std::string_view type) const {
    std::vector<json> out;
    for (const auto& m : connection->messages()) {
      if (!m.contains("id") && m.value("type", "") == type) out.push_back(m);
    }
    return out;
  }

  // Waits until the nth record (1, 2 …) of this type has been pushed; returns it decoded.
  core::record wait_for_record(std::string_view type, std::size_t nth = 1) const {
    core::record found;
    const bool ok = connection->wait_until([&](const std::vector<json>& messages) {
      std::size_t seen = 0;
      for (const auto& m : messages) {
        if (m.contains("id") || m.value("type", "") != "record") continue;
        auto rec = core::decode(m["line"].get<std::string>());
        if (rec && core::record_type_name(rec->body) == type && ++seen == nth) {
          found = *rec;
          return true;
        }
      }
      return false;
    });
    if (!ok) throw std::runtime_error(std::string("no ").append(type).append(" record was pushed"));
    return found;
  }
};

inline std::string error_code_of(const json& reply) {
  if (reply.value("ok", true)) return "OK";
  return reply["error"]["code"].get<std::string>();
}

// ---- the client side's crypto as JSON ----------------------------------------------------------

inline json evaluation_round_json() {
  json r = json::object();
  r["title"] = "满意度测评";
  r["kind"] = "evaluation";
  r["contests"] = json::array({contest_json("d1", "县教育局", {"满意", "基本满意", "不满意"}, 1, 1),
                               contest_json("d2", "县卫生健康局", {"满意", "基本满意", "不满意"}, 1, 1)});
  r["rule"] = json::object();
  return r;
}

inline json motion_round_json() {
  json r = json::object();
  r["title"] = "表决";
  r["kind"] = "motion";
  r["contests"] = json::array({contest_json("m1", "议案", {"赞成", "反对", "弃权"}, 1, 1)});
  return r;
}

// Five members, m01 and m02 scrutineers, an evaluation round and a motion.
inline json session_request_json() {
  json members = json::array();
  const std::vector<std::pair<const char*, const char*>> roster = {
      {"m01", "张伟"}, {"m02", "王芳"}, {"m03", "李娜"}, {"m04", "刘洋"}, {"m05", "陈静"}};
  int seat = 1;
  for (const auto& [id, name] : roster) {
    json m = json::object();
    m["id"] = id;
    m["name"] = name;
    m["seat"] = std::to_string(seat++);
    members.push_back(std::move(m));
  }
  json body = json::object();
  body["title"] = "某县人大常委会2026年第十一次会议";
  body["committee"] = "某县人民代表大会常务委员会";
  body["date"] = "2026-11-23";
  body["members"] = std::move(members);
  body["scrutineers"] = json::array({"m01", "m02"});
  body["rounds"] = json::array({evaluation_round_json(), motion_round_json()});
  json quorum = json::object();
  quorum["num"] = 1;
  quorum["den"] = 2;
  body["quorum"] = std::move(quorum);
  return body;
}

// ---- the harness ------------------------------------------------------------------------------

class service_harness {
 public:
  service_harness() {
    if (!crypto::init()) throw std::runtime_error("libsodium did not initialise");
    open_store();
    for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { io_.run(); });
    std::string error;
    if (!start(error)) throw std::runtime_error("service::start: " + error);
  }

  ~service_harness() {
    stop_service();
    work_.reset();
    io_.stop();
    for (auto& t : threads_) t.join();
    clients_.clear();
  }
  service_harness(const service_harness&) = delete;
  service_harness& operator=(const service_harness&) = delete;

  [[nodiscard]] store::chain_store& store() { return *store_; }
  [[nodiscard]] request_handler& handler() { return *service_; }
  [[nodiscard]] const std::filesystem::path& directory() const { return dir_.path(); }

  // Starts a service over the current store; false with the error when it refuses.
  bool start(std::string& error) {
    service_options options;
    options.secrets_file = dir_ / "secrets";
    options.admin_token = admin_token;
    options.worker_threads = 2;
    options.progress_interval = std::chrono::milliseconds(20);
    service_ = service::start(io_, *store_, options, metrics_, error);
    return service_ != nullptr;
  }

  void stop_service() {
    if (service_) service_->stop();
    service_.reset();
  }

  // The server restarted: the service stops, the store closes and reopens, a new service starts
  // (false with the error when it refuses to).
  bool restart(std::string& error) {
    stop_service();
    store_.reset();
    open_store();
    return start(error);
  }

  void close_store() { store_.reset(); }
  void open_store() {
    auto s = store::chain_store::open(dir_ / "pingyi.db");
    if (!s) throw std::runtime_error("open store: " + store::describe(s.error()));
    store_.emplace(std::move(s).value());
  }

  // ---- HTTP ---------------------------------------------------------------------------------

  http_response http(std::string method, std::string path, std::string body = {}, std::string authorization = {},
                     std::string query = {}, std::function<void(const http_response&)> on_reply = {}) {
    http_request request{std::move(method),        std::move(path),    std::move(query),
                         std::move(authorization), "application/json", std::move(body)};
    auto promise = std::make_shared<std::promise<http_response>>();
    auto future = promise->get_future();
    auto answered = std::make_shared<std::atomic<int>>(0);
    service_->handle_http(std::move(request), [promise, answered, on_reply](http_response response) {
      if (answered->fetch_add(1) != 0) {
        ADD_FAILURE() << "a reply was sent twice";
        return;
      }
      if (on_reply) on_reply(response);
      promise->set_value(std::move(response));
    });
    if (future.wait_for(reply_timeout) != std::future_status::ready) throw std::runtime_error("no HTTP reply");
    return future.get();
  }

  json http_json(std::string method, std::string path, const json& body = nullptr, std::string authorization = {}) {
    const auto response = http(std::move(method), std::move(path), body.is_null() ? std::string() : body.dump(),
                               std::move(authorization));
    json j = json::parse(response.body);
    j["_status"] = response.status;
    return j;
  }

  json admin(std::string method, std::string path, const json& body = nullptr) {
    return http_json(std::move(method), std::move(path), body, std::string("Bearer ").append(admin_token));
  }

  // ---- WebSocket ----------------------------------------------------------------------------

  ws_client& connect() {
    auto connection = std::make_shared<fake_connection>(next_connection_id++);
    http_request upgrade{"GET", "/ws", "", "", "", ""};
    auto handler = service_->open_websocket(upgrade, connection);
    if (!handler) throw std::runtime_error("/ws refused");
    clients_.push_back(std::make_unique<ws_client>(ws_client{connection, handler, 1}));
    return *clients_.back();
  }

  // nullptr when the service refuses the upgrade.
  ws_client* observe(const std::string& query) {
    auto connection = std::make_shared<fake_connection>(next_connection_id++);
    http_request upgrade{"GET", "/observe", query, "", "", ""};
    auto handler = service_->open_websocket(upgrade, connection);
    if (!handler) return nullptr;
    clients_.push_back(std::make_unique<ws_client>(ws_client{connection, handler, 1}));
    return clients_.back().get();
  }

  // ---- the chain, as a verifier would read it ------------------------------------------------

  std::vector<store::chain_line> lines(const crypto::session_id& sid) {
    auto l = store_->load_chain(sid);
    if (!l) throw std::runtime_error("load_chain: " + store::describe(l.error()));
    return *l;
  }

  core::session_state replay(const crypto::session_id& sid) {
    core::session_state s;
    for (const auto& l : lines(sid)) {
      auto st = core::apply_line(s, l.line);
      if (!st) throw std::runtime_error("record " + std::to_string(l.seq) + ": " + core::describe(st.error()));
    }
    return s;
  }

 private:
  store::test::temp_directory dir_;
  std::optional<store::chain_store> store_;
  boost::asio::io_context io_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_{io_.get_executor()};
  std::vector<std::thread> threads_;
  std::shared_ptr<metrics> metrics_ = std::make_shared<metrics>();
  std::shared_ptr<service> service_;
  std::vector<std::unique_ptr<ws_client>> clients_;
};

// ---- a session played through the service -----------------------------------------------------

inline crypto::session_id session_id_of(const std::string& hex) {
  auto b = crypto::from_hex_fixed<32>(hex);
  if (!b) throw std::runtime_error("bad session id " + hex);
  return *b;
}

// A member's tablet: its device key, its printed code, its device secret, its connection.
struct tablet {
  std::string member;
  std::string code;
  crypto::signing_key device = crypto::signing_key::generate(crypto::os_random());
  std::string device_secret;
  ws_client* ws = nullptr;
};

// A tablet's ballot key and its unblinded token for one round.
struct voter {
  crypto::signing_key ske;
  crypto::point token;
};

class live_committee {
 public:
  explicit live_committee(service_harness& h, const json& request = session_request_json()) : h_(h) {
    const json created = h_.admin("POST", "/api/sessions", request);
    if (!created.value("ok", false)) throw std::runtime_error("create: " + created.dump());
    hex_ = created["session"].get<std::string>();
    sid_ = session_id_of(hex_);
    chair_code_ = created["chair_code"].get<std::string>();
    const json& codes = created["codes"];
    for (auto it = codes.begin(); it != codes.end(); ++it) codes_[it.key()] = it.value().get<std::string>();
  }

  [[nodiscard]] const std::string& hex() const { return hex_; }
  [[nodiscard]] const crypto::session_id& sid() const { return sid_; }
  [[nodiscard]] const std::string& code_of(const std::string& member) const { return codes_.at(member); }
  [[nodiscard]] const std::string& chair_code() const { return chair_code_; }
  [[nodiscard]] std::string path(std::string_view what) const {
    return std::string("/api/sessions/").append(hex_).append("/").append(what);
  }

  json hello_with_code(ws_client& ws, const std::string& member, const std::string& code,
                       const crypto::signing_key& device) {
    json h = json::object();
    h["type"] = "hello";
    h["session"] = hex_;
    h["code"] = code;
    h["device_key"] = device.public_key().hex();
    h["sig"] = crypto::sign_checkin(device, sid_, member).hex();
    return ws.request(h);
  }

  tablet& check_in(const std::string& member) {
    auto& t = tablets_[member];
    t.member = member;
    t.code = codes_.at(member);
    t.ws = &h_.connect();
    const json reply = hello_with_code(*t.ws, member, t.code, t.device);
    if (!reply.value("ok", false)) throw std::runtime_error("hello " + member + ": " + reply.dump());
    t.device_secret = reply["device"].get<std::string>();
    return t;
  }

  [[nodiscard]] tablet& tablet_of(const std::string& member) { return tablets_.at(member); }

  ws_client& chair() {
    if (chair_ == nullptr) {
      chair_ = &h_.connect();
      json h = json::object();
      h["type"] = "hello";
      h["session"] = hex_;
      h["code"] = chair_code_;
      const json reply = chair_->request(h);
      if (reply.value("role", "") != "chair") throw std::runtime_error("chair hello: " + reply.dump());
    }
    return *chair_;
  }

  json chair_request(const char* type, std::optional<std::uint32_t> round = std::nullopt) {
    json r = json::object();
    r["type"] = type;
    if (round) r["round"] = *round;
    return chair().request(r);
  }

  // Scrutineers publish their keys from their paper codes.
  void publish_trustee_key(const std::string& member, const std::string& recovery_code) {
    auto key = crypto::trustee_key_from_code(sid_, recovery_code);
    if (!key) throw std::runtime_error("trustee key");
    trustees_.insert_or_assign(member, *key);
    json r = json::object();
    r["type"] = "trustee_key";
    r["key"] = key->key.hex();
    r["proof"] = proof_json(crypto::prove_trustee_key(sid_, member, *key, crypto::os_random()));
    const json reply = tablet_of(member).ws->request(r);
    if (!reply.value("ok", false)) throw std::runtime_error("trustee_key: " + reply.dump());
  }

  // The decoded records of the chain so far.
  std::vector<core::record> records() {
    std::vector<core::record> out;
    for (const auto& l : h_.lines(sid_)) out.push_back(core::decode(l.line).value());
    return out;
  }

  template <class Body>
  std::optional<std::pair<Body, crypto::chain_hash>> last_record_of() {
    std::optional<std::pair<Body, crypto::chain_hash>> found;
    for (const auto& l : h_.lines(sid_)) {
      auto rec = core::decode(l.line).value();
      if (auto* b = std::get_if<Body>(&rec.body)) found.emplace(*b, l.hash);
    }
    return found;
  }

  [[nodiscard]] crypto::point token_key() { return last_record_of<core::genesis_body>()->first.token_key; }
  [[nodiscard]] crypto::verify_key server_key() { return last_record_of<core::genesis_body>()->first.server_key; }
  [[nodiscard]] crypto::point election_key() { return last_record_of<core::election_key_body>()->first.key; }
  [[nodiscard]] std::vector<crypto::contest_spec> specs(std::uint32_t round) {
    for (const auto& rec : records()) {
      if (const auto* r = std::get_if<core::round_body>(&rec.body); r != nullptr && r->round == round) {
        return core::specs_of(*r);
      }
    }
    throw std::runtime_error("no round " + std::to_string(round));
  }

  // §3.2 steps 1–2 on the member's authenticated connection.
  json request_token(const std::string& member, std::uint32_t round, voter& v,
                     std::optional<crypto::voprf::blinded_input>& blinded) {
    auto& t = tablet_of(member);
    blinded = crypto::blind_token(sid_, round, v.ske.public_key(), crypto::os_random()).value();
    json r = json::object();
    r["type"] = "token";
    r["round"] = round;
    r["blinded"] = blinded->element.hex();
    r["request_sig"] = crypto::sign_token_request(t.device, sid_, round, blinded->element).hex();
    return t.ws->request(r);
  }

  voter take_token(const std::string& member, std::uint32_t round) {
    voter v{crypto::signing_key::generate(crypto::os_random()), crypto::point{}};
    std::optional<crypto::voprf::blinded_input> blinded;
    const json reply = request_token(member, round, v, blinded);
    if (!reply.value("ok", false)) throw std::runtime_error("token: " + reply.dump());
    const auto evaluated = crypto::point::from_hex(reply["evaluated"].get<std::string>()).value();
    const crypto::proof p{crypto::scalar::from_hex(reply["proof"]["c"].get<std::string>()).value(),
                          crypto::scalar::from_hex(reply["proof"]["s"].get<std::string>()).value()};
    v.token = crypto::unblind_token(token_key(), *blinded, evaluated, p).value();
    return v;
  }

  crypto::ballot build(const voter& v, std::uint32_t round, const crypto::ballot_choices& choices) {
    return crypto::build_ballot(sid_, round, v.ske, v.token, election_key(), specs(round), choices, crypto::os_random())
        .value();
  }

  // §3.2 step 3: anonymous, over HTTP.
  json cast(const crypto::ballot& b) { return h_.http_json("POST", path("ballots"), ballot_json(b)); }

  json declare(const std::string& member, std::uint32_t round) {
    auto& t = tablet_of(member);
    json r = json::object();
    r["type"] = "voted";
    r["round"] = round;
    r["sig"] = crypto::sign_voted(t.device, sid_, round).hex();
    return t.ws->request(r);
  }

  // A scrutineer's console: shares of the round's sums from its round_closed record (§3.4).
  json decrypt(const std::string& member, std::uint32_t round) {
    std::optional<std::pair<core::round_closed_body, crypto::chain_hash>> closed;
    for (const auto& l : h_.lines(sid_)) {
      auto rec = core::decode(l.line).value();
      if (auto* c = std::get_if<core::round_closed_body>(&rec.body); c != nullptr && c->round == round) {
        closed.emplace(*c, l.hash);
      }
    }
    if (!closed) throw std::runtime_error("round not closed");
    json shares = json::array();
    for (const auto& sums : closed->first.sums) {
      json contest = json::object();
      contest["id"] = sums.id;
      json options = json::array();
      for (std::size_t i = 0; i < sums.options.size(); ++i) {
        const crypto::share_context ctx{sid_, closed->second, round, sums.id, static_cast<std::uint16_t>(i), member};
        const auto share = crypto::make_share(ctx, trustees_.at(member), sums.options[i].alpha, crypto::os_random());
        json o = json::object();
        o["share"] = share.share.hex();
        o["proof"] = proof_json(share.dleq);
        options.push_back(std::move(o));
      }
      contest["options"] = std::move(options);
      shares.push_back(std::move(contest));
    }
    json r = json::object();
    r["type"] = "decryption";
    r["round"] = round;
    r["shares"] = std::move(shares);
    return tablet_of(member).ws->request(r);
  }

 private:
  service_harness& h_;
  std::string hex_;
  crypto::session_id sid_{};
  std::string chair_code_;
  std::map<std::string, std::string> codes_;
  std::map<std::string, tablet> tablets_;
  std::map<std::string, crypto::trustee_key> trustees_;
  ws_client* chair_ = nullptr;
};

}  // namespace pingyi::net::test
