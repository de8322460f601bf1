// The service (service.hpp): start-up (secrets, replay, resume), the HTTP routes — health,
// metrics, the admin API, anonymous ballots, chain export and signed heads — and the WebSocket
// endpoints, each handing its work to the session's live_session.
// clang-format off
#include <utility>  // first: Boost 1.74's Asio needs it before its awaitable header
// clang-format on

#include "pingyi/net/service.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <charconv>
#include <chrono>
#include <initializer_list>
#include <map>
#include <optional>
#include <thread>
#include <vector>

#include "credentials.hpp"
#include "live_session.hpp"
#include "member_connection.hpp"
#include "observer_connection.hpp"
#include "pingyi/core/record.hpp"
#include "pingyi/crypto/random.hpp"
#include "pingyi/store/replay.hpp"
#include "service_context.hpp"
#include "session_registry.hpp"
#include "wire.hpp"

namespace pingyi::net {

namespace {

using json = wire::json;
using core::error_code;

// How long stop() waits for writes in flight to be reported.
constexpr std::chrono::seconds stop_timeout{30};

// ---- responses ------------------------------------------------------------------------------

http_response json_response(unsigned status, std::string body) {
  http_response r;
  r.status = status;
  r.content_type = "application/json";
  r.body = std::move(body);
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

void send_error(const http_reply& reply, const core::error& e) {
  auto r = json_response(wire::http_status(e.code), wire::error_body(e));
  if (e.code == error_code::unauthorized) r.headers.emplace_back("WWW-Authenticate", "Bearer");
  reply(std::move(r));
}

void send_ok(const http_reply& reply, const json& fields) { reply(json_response(200, wire::ok_body(fields))); }

reply_fn http_answer(http_reply reply) {
  return [reply = std::move(reply)](core::result<json> outcome) {
    if (!outcome) return send_error(reply, outcome.error());
    send_ok(reply, *outcome);
  };
}

core::error not_found(std::string what) { return core::fail(error_code::not_found, "", std::move(what)); }

void method_not_allowed(const http_reply& reply, std::string_view allow) {
  auto r = json_response(405, wire::error_body(core::fail(error_code::bad_request, "",
                                                          std::string("method not allowed; use ").append(allow))));
  r.headers.emplace_back("Allow", std::string(allow));
  reply(std::move(r));
}

// ---- paths and queries --------------------------------------------------------------------

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> parts;
  std::size_t start = 1;  // after the leading '/'
  while (start <= path.size()) {
    const auto end = path.find('/', start);
    const auto stop = end == std::string_view::npos ? path.size() : end;
    parts.push_back(path.substr(start, stop - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return parts;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// A path segment as the client meant it: member ids are UTF-8 (张伟), percent-encoded in URLs.
std::optional<std::string> percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out.push_back(s[i]);
      continue;
    }
    if (i + 2 >= s.size()) return std::nullopt;
    const int hi = hex_value(s[i + 1]);
    const int lo = hex_value(s[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

// "from=12&session=ab…" → the value of each allowed key; anything else refuses the query.
core::result<std::map<std::string, std::string, std::less<>>> parse_query(
    std::string_view query, std::initializer_list<std::string_view> allowed) {
  std::map<std::string, std::string, std::less<>> values;
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    const std::string_view key = pair.substr(0, eq);
    const std::string_view value = eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      return core::fail(error_code::bad_request, std::string(key), "is not a parameter of this request");
    }
    if (!values.emplace(std::string(key), std::string(value)).second) {
      return core::fail(error_code::bad_request, std::string(key), "appears twice");
    }
  }
  return values;
}

core::result<std::uint64_t> parse_seq(const std::map<std::string, std::string, std::less<>>& query,
                                      std::string_view key) {
  const auto it = query.find(key);
  if (it == query.end()) return std::uint64_t{0};
  std::uint64_t n = 0;
  const auto& s = it->second;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size() || n > core::max_seq) {
    return core::fail(error_code::bad_request, std::string(key), "must be a record number");
  }
  return n;
}

// ---- start-up -----------------------------------------------------------------------------

// Each member's latest check_in signature, to check a tablet's member in again when it
// reconnects after leaving. Only the check_in lines are decoded: the envelope puts "type" first
// after seq, prev and time, so a prefix of the line tells.
bool latest_check_in_signatures(const store::chain_store& store, const crypto::session_id& id,
                                std::map<std::string, crypto::signature, std::less<>>& sigs, std::string& error) {
  static constexpr std::string_view marker = "\"type\":\"check_in\"";
  std::string failure;
  const auto read = store.read_chain(id, 0, [&](const store::chain_line_view& l) {
    if (l.line.substr(0, 160).find(marker) == std::string_view::npos) return true;
    auto rec = core::decode(l.line);
    if (!rec) {
      failure = std::string("record ").append(std::to_string(l.seq)).append(": ").append(core::describe(rec.error()));
      return false;
    }
    if (const auto* c = std::get_if<core::check_in_body>(&rec->body)) sigs.insert_or_assign(c->member, c->sig);
    return true;
  });
  if (!read) failure = store::describe(read.error());
  if (failure.empty()) return true;
  error = std::string("session ").append(crypto::to_hex(id)).append(": ").append(failure);
  return false;
}

// ---- the service --------------------------------------------------------------------------

class service_impl final : public service, public std::enable_shared_from_this<service_impl> {
 public:
  service_impl(std::shared_ptr<service_context> context, std::shared_ptr<session_registry> sessions)
      : context_(std::move(context)), sessions_(std::move(sessions)) {}

  ~service_impl() override { stop(); }

  void handle_http(http_request request, http_reply reply) override {
    if (context_->stopping.load()) {
      return reply(
          json_response(503, wire::error_body(core::fail(error_code::internal, "", "the server is stopping"))));
    }
    if (request.body.size() > max_message_bytes) {
      return send_error(reply, core::fail(error_code::payload_too_large, "", "a request body must be at most 1 MiB"));
    }
    route(std::move(request), std::move(reply));
  }

  std::shared_ptr<ws_handler> open_websocket(const http_request& request,
                                             std::shared_ptr<ws_connection> connection) override {
    if (context_->stopping.load()) return nullptr;
    if (request.path == "/ws") return make_member_connection(context_, sessions_, std::move(connection));
    if (request.path == "/observe") {
      auto query = parse_query(request.query, {"session", "from"});
      if (!query) return nullptr;
      const auto it = query->find("session");
      if (it == query->end()) return nullptr;
      auto session = sessions_->find(it->second);
      if (!session) return nullptr;
      auto from = parse_seq(*query, "from");
      if (!from) return nullptr;
      return make_observer_connection(std::move(session), std::move(connection), *from);
    }
    return nullptr;
  }

  void stop() override {
    if (stopped_.exchange(true)) return;
    context_->stopping.store(true);
    // Replies to requests whose records are committing go out once their commit returns.
    const auto deadline = std::chrono::steady_clock::now() + stop_timeout;
    auto busy = [this] { return context_->in_flight.load() > 0 || context_->store_callbacks->load() > 0; };
    while (busy() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    if (busy()) spdlog::warn("service: stopping with {} writes not yet reported", context_->in_flight.load());
    context_->close_pool();
  }

  void release_connections() override {
    for (const auto& session : sessions_->list()) session->drop_subscribers_after_stop();
  }

 private:
  // ---- routing ------------------------------------------------------------------------------

  void route(http_request request, http_reply reply) {
    const std::string_view path = request.path;
    const std::string_view method = request.method;
    if (path == "/healthz") {
      if (method != "GET") return method_not_allowed(reply, "GET");
      json f = json::object();
      return send_ok(reply, f);
    }
    if (path == "/metrics") {
      if (method != "GET") return method_not_allowed(reply, "GET");
      http_response r;
      r.content_type = "text/plain; version=0.0.4";
      r.body = context_->counters->render();
      r.headers.emplace_back("Cache-Control", "no-store");
      return reply(std::move(r));
    }

    const auto parts = split_path(path);
    if (parts.size() < 2 || parts[0] != "api" || parts[1] != "sessions") {
      return send_error(reply, not_found("no such resource"));
    }
    if (parts.size() == 2) {
      if (method == "GET") return list_sessions(reply);
      if (method == "POST") return create_session(std::move(request), std::move(reply));
      return method_not_allowed(reply, "GET, POST");
    }

    auto session = sessions_->find(parts[2]);
    if (!session) return send_error(reply, not_found("no such session"));
    if (parts.size() == 4) {
      const auto what = parts[3];
      if (what == "ballots") {
        // A cast leaves no trace in the log, whatever its answer (http_response::logged).
        http_reply unlogged = [reply = std::move(reply)](http_response r) {
          r.logged = false;
          reply(std::move(r));
        };
        if (method != "POST") return method_not_allowed(unlogged, "POST");
        return cast_ballot(*session, request, std::move(unlogged));
      }
      if (what == "chain") {
        if (method != "GET") return method_not_allowed(reply, "GET");
        return read_chain(*session, request, std::move(reply));
      }
      if (what == "head") {
        if (method != "GET") return method_not_allowed(reply, "GET");
        return session->head(http_answer(std::move(reply)));
      }
      if (what == "rounds") {
        if (method != "POST") return method_not_allowed(reply, "POST");
        return define_rounds(*session, request, std::move(reply));
      }
    }
    if (parts.size() == 6 && parts[3] == "members" && (parts[5] == "reset" || parts[5] == "check_out")) {
      if (method != "POST") return method_not_allowed(reply, "POST");
      if (auto refused = check_admin(request)) return send_error(reply, *refused);
      auto member = percent_decode(parts[4]);
      if (!member || member->empty()) return send_error(reply, not_found("no such member"));
      if (parts[5] == "reset") return session->reset_member(std::move(*member), http_answer(std::move(reply)));
      return session->check_out(std::move(*member), http_answer(std::move(reply)));
    }
    send_error(reply, not_found("no such resource"));
  }

  // UNAUTHORIZED without a bearer token, FORBIDDEN with a wrong one.
  [[nodiscard]] std::optional<core::error> check_admin(const http_request& request) const {
    const auto& token = context_->options.admin_token;
    if (token.empty()) return core::fail(error_code::forbidden, "", "the admin API is disabled on this server");
    std::string_view header = request.authorization;
    constexpr std::string_view scheme = "bearer ";
    bool bearer = header.size() > scheme.size();
    for (std::size_t i = 0; bearer && i < scheme.size(); ++i) {
      bearer = static_cast<char>(std::tolower(static_cast<unsigned char>(header[i]))) == scheme[i];
    }
    if (!bearer) {
      return core::fail(error_code::unauthorized, "Authorization", "must be \"Bearer <admin token>\"");
    }
    header.remove_prefix(scheme.size());
    while (!header.empty() && header.front() == ' ') header.remove_prefix(1);
    while (!header.empty() && header.back() == ' ') header.remove_suffix(1);
    if (!admin_token_matches(token, header)) {
      return core::fail(error_code::forbidden, "Authorization", "is not the admin token");
    }
    return std::nullopt;
  }

  // ---- sessions -----------------------------------------------------------------------------

  void list_sessions(const http_reply& reply) {
    json list = json::array();
    for (const auto& s : sessions_->list()) {
      json entry = json::object();
      entry["session"] = s->hex_id();
      entry["title"] = s->title();
      entry["committee"] = s->committee();
      entry["date"] = s->date();
      entry["length"] = s->durable_length();
      list.push_back(std::move(entry));
    }
    json f = json::object();
    f["sessions"] = std::move(list);
    send_ok(reply, f);
  }

  void create_session(http_request request, http_reply reply) {
    if (auto refused = check_admin(request)) return send_error(reply, *refused);
    auto body = wire::parse(request.body);
    if (!body) return send_error(reply, body.error());
    auto decoded = wire::decode_session_request(*body);
    if (!decoded) return send_error(reply, decoded.error());

    // Keys, genesis and codes on the pool; the secrets file on its strand; then one batch.
    context_->post_to_pool(
        [self = shared_from_this(), setup = std::move(*decoded), reply = std::move(reply)]() mutable {
          auto& rng = crypto::os_random();
          core::server_keys keys = core::server_keys::generate(rng);
          auto created = core::session_engine::create(setup.setup, setup.rounds, keys, core::system_clock_ms, rng);
          if (!created) return send_error(reply, created.error());
          std::vector<std::pair<std::string, std::string>> codes;  // member → code; the chair first
          codes.emplace_back("chair", generate_code(rng));
          for (const auto& m : setup.setup.members) codes.emplace_back(m.id, generate_code(rng));

          self->context_->post_to_secrets([self, keys, engine = std::move(created->first),
                                           records = std::move(created->second), codes = std::move(codes),
                                           reply]() mutable {
            self->store_new_session(keys, std::move(engine), std::move(records), std::move(codes), reply);
          });
        });
  }

  // Secrets strand: the session's keys reach the secrets file before its genesis is written,
  // so that a session on disk always has its keys.
  void store_new_session(const core::server_keys& keys, core::session_engine engine,
                         std::vector<core::appended> records, std::vector<std::pair<std::string, std::string>> codes,
                         const http_reply& reply) {
    const crypto::session_id id = engine.id();
    if (auto s = write_session_keys(context_->options.secrets_file, id, keys); !s) {
      spdlog::error("session {}: its keys could not be written to the secrets file: {}",
                    crypto::to_hex(id).substr(0, 8), store::describe(s.error()));
      return send_error(reply, core::fail(error_code::internal, "", "the session's keys could not be saved"));
    }
    auto live = std::make_shared<live_session>(context_, std::move(engine), keys.signing, 0,
                                               std::map<std::string, crypto::signature, std::less<>>{});
    auto credentials = [context = context_, id, codes](store::write_batch& b) {
      for (std::size_t i = 0; i < codes.size(); ++i) {
        const auto kind = i == 0 ? store::credential_kind::chair_code : store::credential_kind::checkin_code;
        b.put_credential(id, kind, codes[i].first, context->creds.hash(kind, id, codes[i].second));
      }
    };
    live->create(std::move(records), std::move(credentials), [self = shared_from_this(), live, codes, reply](bool ok) {
      if (!ok) return send_error(reply, core::fail(error_code::internal, "", "the session could not be stored"));
      self->sessions_->add(live);
      self->context_->counters->sessions(static_cast<std::int64_t>(self->sessions_->size()));
      spdlog::info("session {}: created", live->short_id());
      json f = json::object();
      f["session"] = live->hex_id();
      f["chair_code"] = format_code(codes.front().second);
      json members = json::object();
      for (std::size_t i = 1; i < codes.size(); ++i) members[codes[i].first] = format_code(codes[i].second);
      f["codes"] = std::move(members);
      send_ok(reply, f);
    });
  }

  void define_rounds(live_session& session, const http_request& request, http_reply reply) {
    if (auto refused = check_admin(request)) return send_error(reply, *refused);
    auto body = wire::parse(request.body);
    if (!body) return send_error(reply, body.error());
    auto rounds = wire::decode_rounds_request(*body);
    if (!rounds) return send_error(reply, rounds.error());
    session.define_rounds(std::move(*rounds), http_answer(std::move(reply)));
  }

  // ---- anonymous ----------------------------------------------------------------------------

  void cast_ballot(live_session& session, const http_request& request, http_reply reply) {
    auto decoded = [&]() -> core::result<crypto::ballot> {
      auto body = wire::parse(request.body);
      if (!body) return body.error();
      return wire::decode_ballot(*body);
    }();
    if (!decoded) {
      context_->counters->ballot_rejected(core::to_string(decoded.error().code));
      return send_error(reply, decoded.error());
    }
    session.cast_ballot(std::move(*decoded), http_answer(std::move(reply)));
  }

  void read_chain(live_session& session, const http_request& request, http_reply reply) {
    auto query = parse_query(request.query, {"from"});
    if (!query) return send_error(reply, query.error());
    auto from = parse_seq(*query, "from");
    if (!from) return send_error(reply, from.error());
    session.read_chain(*from, [reply = std::move(reply)](core::result<std::string> lines) {
      if (!lines) return send_error(reply, lines.error());
      http_response r;
      r.content_type = "application/x-ndjson";
      r.body = std::move(*lines);
      r.headers.emplace_back("Cache-Control", "no-store");
      reply(std::move(r));
    });
  }

  const std::shared_ptr<service_context> context_;
  const std::shared_ptr<session_registry> sessions_;
  std::atomic<bool> stopped_{false};
};

}  // namespace

std::shared_ptr<service> service::start(boost::asio::io_context& io, store::chain_store& store,
                                        const service_options& options, std::shared_ptr<metrics> counters,
                                        std::string& error) {
  if (!counters) counters = std::make_shared<metrics>();
  const std::string secrets_path = options.secrets_file.string();
  auto key = load_credential_key(options.secrets_file, crypto::os_random());
  if (!key) {
    error = std::string("secrets file ").append(secrets_path).append(": ").append(store::describe(key.error()));
    return nullptr;
  }
  auto secrets = store::read_secrets_file(options.secrets_file);
  if (!secrets) {
    error = std::string("secrets file ").append(secrets_path).append(": ").append(store::describe(secrets.error()));
    return nullptr;
  }
  // A chain that does not replay is not served (docs/STORE.md invariant 8).
  auto states = store::replay_all(store);
  if (!states) {
    error = states.error().message();
    return nullptr;
  }

  auto context = std::make_shared<service_context>(io, store, options, counters, credentials(std::move(*key)));
  auto sessions = std::make_shared<session_registry>();
  for (auto& state : *states) {
    const crypto::session_id id = state.id;
    const std::string hex = crypto::to_hex(id);
    auto keys = read_session_keys(*secrets, id);
    if (!keys) {
      error = std::string("session ")
                  .append(hex)
                  .append(": ")
                  .append(keys.error().message)
                  .append(" (secrets file ")
                  .append(secrets_path)
                  .append(")");
      return nullptr;
    }
    std::map<std::string, crypto::signature, std::less<>> sigs;
    if (!latest_check_in_signatures(store, id, sigs, error)) return nullptr;
    const crypto::signing_key signing = keys->signing;
    const std::uint64_t length = state.length;
    auto engine =
        core::session_engine::resume(std::move(state), std::move(*keys), core::system_clock_ms, crypto::os_random());
    if (!engine) {
      error = std::string("session ")
                  .append(hex)
                  .append(": its keys in the secrets file do not match its chain: ")
                  .append(core::describe(engine.error()));
      return nullptr;
    }
    auto live = std::make_shared<live_session>(context, std::move(*engine), signing, length, std::move(sigs));
    sessions->add(live);
    spdlog::info("session {}: started ({} records)", live->short_id(), length);
    live->resume_rounds();
  }
  counters->sessions(static_cast<std::int64_t>(sessions->size()));
  return std::make_shared<service_impl>(std::move(context), std::move(sessions));
}

}  // namespace pingyi::net
