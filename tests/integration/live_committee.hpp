// A committee session played against a running pingyi-server over loopback sockets, as the
// tablets, the chair and the scrutineers would play it: the secretariat creates the session
// (HTTP), members check in and ask for tokens on /ws, ballots go anonymously to POST …/ballots on
// fresh connections, scrutineers publish keys and decryption shares. Shared by the fault, crash,
// bad-network and hostile-input tests so that all of them speak exactly the protocol the web
// client speaks. A step the server refuses throws std::runtime_error naming the step.
#pragma once

// clang-format off
#include <utility>  // first: Boost 1.74's Asio (test_client.hpp) needs it before its awaitable header
// clang-format on

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "../support/client_json.hpp"
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
#include "test_client.hpp"

namespace pingyi::test {

using committee_json = nlohmann::ordered_json;
using namespace std::chrono_literals;

inline constexpr std::chrono::milliseconds committee_timeout = 20s;

// The code of an error reply ("OK" for success), for tables of expected outcomes.
inline std::string error_code_of(const committee_json& reply) {
  if (!reply.is_object()) return "NOT-JSON";
  if (reply.value("ok", false)) return "OK";
  if (!reply.contains("error") || !reply["error"].is_object()) return "NO-ERROR";
  return reply["error"].value("code", "");
}

inline std::string type_of_line(const std::string& line) {
  const auto j = committee_json::parse(line, nullptr, false);
  return j.is_object() ? j.value("type", "") : "";
}

// Splits GET …/chain's body into its lines.
inline std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  for (std::size_t end = text.find('\n'); end != std::string::npos; end = text.find('\n', start)) {
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

// A /ws or /observe connection: requests with ids, the pushes before each reply kept in order.
class ws_connection {
 public:
  ws_connection(std::uint16_t port, const std::string& target)
      : ws_(std::make_unique<ws_client>(port, target, committee_timeout)) {}

  // Sends `text` as it is and returns the first reply (a message with an "id").
  committee_json send_raw(const std::string& text) {
    if (!ws_->send(text, committee_timeout)) throw std::runtime_error("ws send failed");
    return next_reply();
  }

  committee_json request(const committee_json& body) {
    committee_json message = committee_json::object();
    message["id"] = next_id_++;
    for (auto it = body.begin(); it != body.end(); ++it) message[it.key()] = it.value();
    if (!ws_->send(message.dump(), committee_timeout)) throw std::runtime_error("ws send failed");
    for (;;) {
      committee_json reply = next_reply();
      if (reply["id"] == message["id"]) return reply;
    }
  }

  [[nodiscard]] const std::vector<committee_json>& pushes() const noexcept { return pushes_; }
  ws_client& ws() { return *ws_; }

 private:
  committee_json next_reply() {
    const auto deadline = std::chrono::steady_clock::now() + committee_timeout;
    for (;;) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left <= 0ms) throw std::runtime_error("no ws reply in time");
      auto text = ws_->receive(left);
      if (!text) throw std::runtime_error("no ws reply (timeout or closed)");
      committee_json m = committee_json::parse(*text, nullptr, false);
      if (m.is_object() && m.contains("id")) return m;
      pushes_.push_back(std::move(m));
    }
  }

  std::unique_ptr<ws_client> ws_;
  std::vector<committee_json> pushes_;
  std::int64_t next_id_ = 1;
};

// A member's one-time voting key and unblinded token for one round.
struct voter {
  crypto::signing_key ske;
  crypto::point token;
};

class live_committee {
 public:
  using json = committee_json;

  live_committee(std::uint16_t port, std::string admin_token) : port_(port), admin_token_(std::move(admin_token)) {}

  // The server was restarted: every connection is gone (tablets keep their device secrets).
  void restarted(std::uint16_t port) {
    port_ = port;
    chair_.reset();
    for (auto& [m, t] : tablets_) t.conn.reset();
  }

  static std::string member_id(std::size_t i) {
    std::string id = std::to_string(i);
    while (id.size() < 3) id.insert(0, "0");
    return "m" + id;
  }

  // An evaluation round of one target on the 满意 / 基本满意 / 不满意 scale.
  static json evaluation_round(const char* title = "满意度测评") {
    json r = json::object();
    r["title"] = title;
    r["kind"] = "evaluation";
    r["contests"] = json::array({contest_json("d1", "县教育局", {"满意", "基本满意", "不满意"}, 1, 1)});
    return r;
  }

  // Members m001 … m<members>, the first `scrutineers` of them scrutineers, quorum 1/2.
  void create(std::size_t members, std::size_t scrutineers, const json& rounds) {
    json body = json::object();
    body["title"] = "某县人大常委会第十三次会议";
    body["committee"] = "某县人民代表大会常务委员会";
    body["date"] = "2026-11-23";
    json roster = json::array();
    json trustees = json::array();
    for (std::size_t i = 1; i <= members; ++i) {
      json m = json::object();
      m["id"] = member_id(i);
      m["name"] = "委员" + std::to_string(i);
      m["seat"] = std::to_string(i);
      roster.push_back(std::move(m));
      if (i <= scrutineers) trustees.push_back(member_id(i));
    }
    body["members"] = std::move(roster);
    body["scrutineers"] = std::move(trustees);
    body["rounds"] = rounds;
    const auto r = http_call(port_, "POST", "/api/sessions", body.dump(), admin_headers(), committee_timeout);
    if (r.status != 200) throw std::runtime_error("create session: " + r.body);
    const json created = json::parse(r.body);
    session_ = created["session"].get<std::string>();
    sid_ = crypto::from_hex_fixed<32>(session_).value();
    chair_code_ = created["chair_code"].get<std::string>();
    for (const auto& [member, code] : created["codes"].items()) tablets_[member].code = code.get<std::string>();
  }

  [[nodiscard]] header_list admin_headers() const {
    return {{"Authorization", "Bearer " + admin_token_}, {"Content-Type", "application/json"}};
  }
  [[nodiscard]] std::uint16_t port() const noexcept { return port_; }
  [[nodiscard]] const std::string& session() const noexcept { return session_; }
  [[nodiscard]] const crypto::session_id& sid() const noexcept { return sid_; }
  [[nodiscard]] const std::string& chair_code() const noexcept { return chair_code_; }
  [[nodiscard]] std::string path(const std::string& what) const { return "/api/sessions/" + session_ + "/" + what; }

  struct tablet {
    std::string code;
    crypto::signing_key device = crypto::signing_key::generate(crypto::os_random());
    std::string device_secret;
    std::unique_ptr<ws_connection> conn;
  };
  tablet& tablet_of(const std::string& member) { return tablets_.at(member); }

  json hello_with_code(ws_connection& c, const std::string& member, const std::string& code,
                       const crypto::signing_key& device) {
    json h = json::object();
    h["type"] = "hello";
    h["session"] = session_;
    h["code"] = code;
    h["device_key"] = device.public_key().hex();
    h["sig"] = crypto::sign_checkin(device, sid_, member).hex();
    return c.request(h);
  }

  // The first check-in of a member's tablet with its printed code; the connection stays open.
  void check_in(const std::string& member) {
    auto& t = tablets_.at(member);
    t.conn = std::make_unique<ws_connection>(port_, "/ws");
    const json reply = hello_with_code(*t.conn, member, t.code, t.device);
    expect_ok(reply, "check in " + member);
    t.device_secret = reply["device"].get<std::string>();
  }

  json reconnect_hello(ws_connection& c, const std::string& member) {
    json h = json::object();
    h["type"] = "hello";
    h["session"] = session_;
    h["device"] = tablets_.at(member).device_secret;
    return c.request(h);
  }

  // The tablet reconnects with its device secret on a new connection.
  void reconnect(const std::string& member) {
    auto& t = tablets_.at(member);
    t.conn = std::make_unique<ws_connection>(port_, "/ws");
    const json reply = reconnect_hello(*t.conn, member);
    expect_ok(reply, "reconnect " + member);
    if (reply.value("member", "") != member) throw std::runtime_error("reconnect answered " + reply.dump());
    t.device_secret = reply["device"].get<std::string>();
  }

  ws_connection& member_connection(const std::string& member) {
    auto& t = tablets_.at(member);
    if (!t.conn) reconnect(member);
    return *t.conn;
  }

  json chair_request(const std::string& type, std::optional<std::uint32_t> round = std::nullopt) {
    if (!chair_) {
      chair_ = std::make_unique<ws_connection>(port_, "/ws");
      json h = json::object();
      h["type"] = "hello";
      h["session"] = session_;
      h["code"] = chair_code_;
      expect_ok(chair_->request(h), "chair hello");
    }
    json r = json::object();
    r["type"] = type;
    if (round) r["round"] = *round;
    return chair_->request(r);
  }

  // A scrutineer's tablet publishes its key share (the recovery code's key).
  json publish_trustee_key(const std::string& member) {
    if (!trustees_.contains(member)) {
      trustees_.emplace(
          member, crypto::trustee_key_from_code(sid_, crypto::generate_recovery_code(crypto::os_random())).value());
    }
    const auto& key = trustees_.at(member);
    json r = json::object();
    r["type"] = "trustee_key";
    r["key"] = key.key.hex();
    r["proof"] = proof_json(crypto::prove_trustee_key(sid_, member, key, crypto::os_random()));
    return member_connection(member).request(r);
  }

  json token_request(const std::string& member, std::uint32_t round, const crypto::point& blinded) {
    json r = json::object();
    r["type"] = "token";
    r["round"] = round;
    r["blinded"] = blinded.hex();
    r["request_sig"] = crypto::sign_token_request(tablets_.at(member).device, sid_, round, blinded).hex();
    return member_connection(member).request(r);
  }

  voter take_token(const std::string& member, std::uint32_t round) {
    voter v{crypto::signing_key::generate(crypto::os_random()), crypto::point{}};
    const auto blinded = crypto::blind_token(sid_, round, v.ske.public_key(), crypto::os_random()).value();
    const json reply = token_request(member, round, blinded.element);
    expect_ok(reply, "token of " + member);
    const auto evaluated = crypto::point::from_hex(reply["evaluated"].get<std::string>()).value();
    const crypto::proof p{crypto::scalar::from_hex(reply["proof"]["c"].get<std::string>()).value(),
                          crypto::scalar::from_hex(reply["proof"]["s"].get<std::string>()).value()};
    v.token = crypto::unblind_token(keys().token_key, blinded, evaluated, p).value();
    return v;
  }

  // A ballot for `option` in every contest of `round`.
  crypto::ballot build(const voter& v, std::uint32_t round, std::size_t option) {
    const auto& k = keys();
    const auto& specs = k.specs.at(round);
    crypto::ballot_choices choices;
    for (const auto& s : specs) {
      std::vector<std::uint8_t> c(s.options, 0);
      c[option % s.options] = 1;
      choices.push_back(std::move(c));
    }
    return crypto::build_ballot(sid_, round, v.ske, v.token, *k.election_key, specs, choices, crypto::os_random())
        .value();
  }

  // Anonymous: a fresh connection, no credential.
  http_result cast_raw(const std::string& body) {
    return http_call(port_, "POST", path("ballots"), body, {{"Content-Type", "application/json"}}, committee_timeout);
  }

  json declare(const std::string& member, std::uint32_t round) {
    json r = json::object();
    r["type"] = "voted";
    r["round"] = round;
    r["sig"] = crypto::sign_voted(tablets_.at(member).device, sid_, round).hex();
    return member_connection(member).request(r);
  }

  // A scrutineer's shares of the sums of the round's round_closed record, read from the chain.
  json decrypt(const std::string& member, std::uint32_t round) {
    std::optional<std::string> closed_line;
    for (const auto& line : chain_lines()) {
      const auto rec = core::decode(line).value();
      if (const auto* c = std::get_if<core::round_closed_body>(&rec.body); c != nullptr && c->round == round)
        closed_line = line;
    }
    if (!closed_line) throw std::runtime_error("decrypt: round not closed");
    const auto closed_hash = crypto::line_hash(*closed_line);
    const auto closed = std::get<core::round_closed_body>(core::decode(*closed_line).value().body);
    json shares = json::array();
    for (const auto& sums : closed.sums) {
      json contest = json::object();
      contest["id"] = sums.id;
      json options = json::array();
      for (std::size_t i = 0; i < sums.options.size(); ++i) {
        const crypto::share_context ctx{sid_, closed_hash, round, sums.id, static_cast<std::uint16_t>(i), member};
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
    return member_connection(member).request(r);
  }

  // GET …/chain: the exact bytes served.
  [[nodiscard]] std::string chain_text() const {
    const auto r = http_call(port_, "GET", path("chain"), {}, {}, committee_timeout);
    if (r.status != 200) throw std::runtime_error("chain: " + r.body);
    return r.body;
  }
  [[nodiscard]] std::vector<std::string> chain_lines() const { return lines_of(chain_text()); }
  [[nodiscard]] json head() const {
    return json::parse(http_call(port_, "GET", path("head"), {}, {}, committee_timeout).body, nullptr, false);
  }

  // The records of `type` on the chain, parsed.
  [[nodiscard]] std::vector<json> records_of(const std::string& type) const {
    std::vector<json> found;
    for (const auto& line : chain_lines()) {
      json j = json::parse(line);
      if (j["type"] == type) found.push_back(std::move(j));
    }
    return found;
  }

  static void expect_ok(const json& reply, const std::string& what) {
    if (!reply.value("ok", false)) throw std::runtime_error(what + ": " + reply.dump());
  }

  struct session_keys {
    crypto::point token_key;
    crypto::verify_key server_key;
    std::optional<crypto::point> election_key;
    std::map<std::uint32_t, std::vector<crypto::contest_spec>> specs;
  };

  // The session's public keys and round specs, read from the chain once the key is sealed.
  const session_keys& keys() {
    if (keys_ && keys_->election_key) return *keys_;
    session_keys k;
    for (const auto& line : chain_lines()) {
      const auto rec = core::decode(line).value();
      if (const auto* g = std::get_if<core::genesis_body>(&rec.body)) {
        k.token_key = g->token_key;
        k.server_key = g->server_key;
      }
      if (const auto* e = std::get_if<core::election_key_body>(&rec.body)) k.election_key = e->key;
      if (const auto* r = std::get_if<core::round_body>(&rec.body)) k.specs[r->round] = core::specs_of(*r);
    }
    keys_ = std::move(k);
    return *keys_;
  }

 private:
  std::uint16_t port_;
  std::string admin_token_;
  std::string session_;
  crypto::session_id sid_{};
  std::string chair_code_;
  std::map<std::string, tablet> tablets_;
  std::map<std::string, crypto::trustee_key> trustees_;
  std::unique_ptr<ws_connection> chair_;
  std::optional<session_keys> keys_;
};

}  // namespace pingyi::test
