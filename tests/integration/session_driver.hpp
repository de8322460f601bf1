// A committee session driven over real sockets against a running pingyi-server, as the web client
// would: the secretariat creates it (HTTP), tablets check in and the chair acts on /ws, ballots
// are cast anonymously over HTTP, each step waiting for its reply. Steps throw std::runtime_error
// when the server refuses them, so that a test fails at the step that went wrong. The session has
// no scrutineers: the server's own decryption and result follow each close at once.
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
#include "pingyi/crypto/ballot.hpp"
#include "pingyi/crypto/bytes.hpp"
#include "pingyi/crypto/device.hpp"
#include "pingyi/crypto/random.hpp"
#include "pingyi/crypto/token.hpp"
#include "test_client.hpp"

namespace pingyi::test {

// Tls: every call over https and wss (the server's certificate is not checked here; pingyi-verify
// --cacert is what checks it).
template <bool Tls>
class basic_session_driver {
 public:
  using json = nlohmann::ordered_json;
  using client = basic_ws_client<Tls>;

  basic_session_driver(std::uint16_t port, std::string admin_token)
      : port_(port), admin_token_(std::move(admin_token)) {}

  // The server was restarted (on the same port, or another): every connection is gone.
  void reconnect(std::uint16_t port) {
    port_ = port;
    tablets_.clear();
    chair_.reset();
  }

  // `members` members m01 …, quorum 1/2, one evaluation round of one target and a motion.
  void create(std::size_t members = 5) {
    json body = json::object();
    body["title"] = "某县人大常委会第十二次会议";
    body["committee"] = "某县人民代表大会常务委员会";
    body["date"] = "2026-11-23";
    json roster = json::array();
    for (std::size_t i = 1; i <= members; ++i) {
      json m = json::object();
      m["id"] = member_id(i);
      m["name"] = "委员" + std::to_string(i);
      m["seat"] = std::to_string(i);
      roster.push_back(std::move(m));
    }
    body["members"] = std::move(roster);
    json evaluation = json::object();
    evaluation["title"] = "满意度测评";
    evaluation["kind"] = "evaluation";
    evaluation["contests"] = json::array({contest_json("d1", "县教育局", {"满意", "基本满意", "不满意"}, 1, 1)});
    json motion = json::object();
    motion["title"] = "表决";
    motion["kind"] = "motion";
    motion["contests"] = json::array({contest_json("m1", "议案", {"赞成", "反对", "弃权"}, 1, 1)});
    body["rounds"] = json::array({evaluation, motion});
    const auto r = call(port_, "POST", "/api/sessions", body.dump(),
                             {{"Authorization", "Bearer " + admin_token_}, {"Content-Type", "application/json"}}, timeout);
    if (r.status != 200) throw std::runtime_error("create session: " + r.body);
    const json created = json::parse(r.body);
    session_ = created["session"].get<std::string>();
    sid_ = crypto::from_hex_fixed<32>(session_).value();
    chair_code_ = created["chair_code"].get<std::string>();
    for (const auto& [member, code] : created["codes"].items()) codes_[member] = code.template get<std::string>();
  }

  static std::string member_id(std::size_t i) { return (i < 10 ? "m0" : "m") + std::to_string(i); }

  [[nodiscard]] const std::string& session() const noexcept { return session_; }
  [[nodiscard]] std::string path(const std::string& what) const { return "/api/sessions/" + session_ + "/" + what; }

  // The first check-in of a member's tablet, with its printed code.
  void check_in(const std::string& member) {
    auto& t = tablets_[member];
    t.device = std::make_unique<crypto::signing_key>(crypto::signing_key::generate(crypto::os_random()));
    t.ws = std::make_unique<client>(port_, "/ws", timeout);
    json hello = json::object();
    hello["type"] = "hello";
    hello["session"] = session_;
    hello["code"] = codes_.at(member);
    hello["device_key"] = t.device->public_key().hex();
    hello["sig"] = crypto::sign_checkin(*t.device, sid_, member).hex();
    expect_ok(request(*t.ws, hello), "check in " + member);
  }

  void chair(const std::string& type, std::optional<std::uint32_t> round = std::nullopt) {
    if (!chair_) {
      chair_ = std::make_unique<client>(port_, "/ws", timeout);
      json hello = json::object();
      hello["type"] = "hello";
      hello["session"] = session_;
      hello["code"] = chair_code_;
      expect_ok(request(*chair_, hello), "chair hello");
    }
    json r = json::object();
    r["type"] = type;
    if (round) r["round"] = *round;
    expect_ok(request(*chair_, r), type);
  }

  // A member takes a token, casts a ballot for `option` of every contest on a fresh connection,
  // and declares it.
  void vote(const std::string& member, std::uint32_t round, std::size_t option) {
    auto& t = tablets_.at(member);
    const auto ske = crypto::signing_key::generate(crypto::os_random());
    const auto blinded = crypto::blind_token(sid_, round, ske.public_key(), crypto::os_random()).value();
    json token = json::object();
    token["type"] = "token";
    token["round"] = round;
    token["blinded"] = blinded.element.hex();
    token["request_sig"] = crypto::sign_token_request(*t.device, sid_, round, blinded.element).hex();
    const json reply = request(*t.ws, token);
    expect_ok(reply, "token for " + member);
    const auto evaluated = crypto::point::from_hex(reply["evaluated"].get<std::string>()).value();
    const crypto::proof proof{crypto::scalar::from_hex(reply["proof"]["c"].get<std::string>()).value(),
                              crypto::scalar::from_hex(reply["proof"]["s"].get<std::string>()).value()};
    const auto chain = chain_lines();
    const auto genesis = std::get<core::genesis_body>(core::decode(chain.front()).value().body);
    std::optional<crypto::point> election_key;
    std::vector<crypto::contest_spec> specs;
    for (const auto& line : chain) {
      const auto rec = core::decode(line).value();
      if (const auto* e = std::get_if<core::election_key_body>(&rec.body)) election_key = e->key;
      if (const auto* d = std::get_if<core::round_body>(&rec.body); d && d->round == round) specs = core::specs_of(*d);
    }
    if (!election_key || specs.empty()) throw std::runtime_error("vote: no election key or no such round");
    const auto n = crypto::unblind_token(genesis.token_key, blinded, evaluated, proof).value();
    crypto::ballot_choices choices;
    for (const auto& s : specs) {
      std::vector<std::uint8_t> c(s.options, 0);
      c[option % s.options] = 1;
      choices.push_back(std::move(c));
    }
    const auto ballot =
        crypto::build_ballot(sid_, round, ske, n, *election_key, specs, choices, crypto::os_random()).value();
    const auto cast = call(port_, "POST", path("ballots"), ballot_json(ballot).dump(),
                                {{"Content-Type", "application/json"}}, timeout);
    if (cast.status != 200) throw std::runtime_error("ballot of " + member + ": " + cast.body);
    json voted = json::object();
    voted["type"] = "voted";
    voted["round"] = round;
    voted["sig"] = crypto::sign_voted(*t.device, sid_, round).hex();
    expect_ok(request(*t.ws, voted), "voted of " + member);
  }

  // Waits (bounded) until the chain has a record of `type` for `round`: the server's own
  // decryption and result come after close_round's reply.
  void wait_for_record(const std::string& type, std::uint32_t round) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      for (const auto& line : chain_lines()) {
        const auto j = json::parse(line);
        if (j["type"] == type && j.contains("round") && j["round"] == round) return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    throw std::runtime_error("no " + type + " record for round " + std::to_string(round));
  }

  // GET …/chain as served: the exact bytes.
  [[nodiscard]] std::string chain_text() const {
    const auto r = call(port_, "GET", path("chain"), {}, {}, timeout);
    if (r.status != 200) throw std::runtime_error("chain: " + r.body);
    return r.body;
  }

  [[nodiscard]] std::vector<std::string> chain_lines() const {
    std::vector<std::string> lines;
    const std::string text = chain_text();
    std::size_t start = 0;
    for (std::size_t end = text.find('\n'); end != std::string::npos; end = text.find('\n', start)) {
      lines.push_back(text.substr(start, end - start));
      start = end + 1;
    }
    return lines;
  }

  static constexpr std::chrono::milliseconds timeout{std::chrono::seconds(20)};

  static http_result call(std::uint16_t port, std::string_view method, std::string_view target, std::string_view body,
                          const header_list& headers, std::chrono::milliseconds wait) {
    if constexpr (Tls) {
      return https_call(port, method, target, body, headers, wait);
    } else {
      return http_call(port, method, target, body, headers, wait);
    }
  }

 private:
  struct tablet {
    std::unique_ptr<crypto::signing_key> device;
    std::unique_ptr<client> ws;
  };

  // Sends a request with the next id and returns its reply, skipping the pushes before it.
  json request(client& ws, json body) {
    json message = json::object();
    message["id"] = next_id_++;
    for (auto it = body.begin(); it != body.end(); ++it) message[it.key()] = it.value();
    if (!ws.send(message.dump(), timeout)) throw std::runtime_error("ws send failed");
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left <= std::chrono::milliseconds(0)) throw std::runtime_error("no reply to " + message.dump());
      const auto text = ws.receive(left);
      if (!text) throw std::runtime_error("no reply to " + message.dump() + " (closed or timed out)");
      json reply = json::parse(*text, nullptr, false);
      if (reply.is_object() && reply.contains("id") && reply["id"] == message["id"]) return reply;
    }
  }

  static void expect_ok(const json& reply, const std::string& what) {
    if (!reply.value("ok", false)) throw std::runtime_error(what + ": " + reply.dump());
  }

  std::uint16_t port_;
  std::string admin_token_;
  std::string session_;
  crypto::session_id sid_{};
  std::string chair_code_;
  std::map<std::string, std::string> codes_;
  std::map<std::string, tablet> tablets_;
  std::unique_ptr<client> chair_;
  std::int64_t next_id_ = 1;
};

using session_driver = basic_session_driver<false>;
using tls_session_driver = basic_session_driver<true>;

}  // namespace pingyi::test
