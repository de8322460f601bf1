// Fork evidence as a file anyone can check, and the check itself.
#include "fork_evidence.hpp"

#include <variant>

#include "pingyi/core/record.hpp"
#include "pingyi/crypto/bytes.hpp"

namespace pingyi::verify {
namespace {

using json = nlohmann::ordered_json;

constexpr std::string_view format_name = "pingyi-fork-evidence/1";

std::string_view kind_name(fork_kind k) {
  return k == fork_kind::same_seq ? "same_seq" : "broken_link";
}

core::error bad(std::string field, std::string message) {
  return core::fail(core::error_code::bad_request, std::move(field), std::move(message));
}

json record_json(const signed_record& r) {
  json j;
  j["seq"] = r.head.seq;
  j["hash"] = crypto::to_hex(r.head.hash);
  j["sig"] = r.head.sig.hex();
  j["line"] = r.line ? json(*r.line) : json(nullptr);
  return j;
}

core::result<signed_record> record_from(const nlohmann::json& j, const std::string& field) {
  if (!j.is_object()) return bad(field, "must be an object");
  if (!j.contains("seq") || !j["seq"].is_number_unsigned()) return bad(field + ".seq", "must be a record number");
  if (!j.contains("hash") || !j["hash"].is_string()) return bad(field + ".hash", "must be 64 hex digits");
  if (!j.contains("sig") || !j["sig"].is_string()) return bad(field + ".sig", "must be 128 hex digits");
  auto hash = crypto::from_hex_fixed<32>(j["hash"].get<std::string>());
  if (!hash) return bad(field + ".hash", "must be 64 hex digits");
  auto sig = crypto::signature::from_hex(j["sig"].get<std::string>());
  if (!sig) return bad(field + ".sig", "must be 128 hex digits");
  signed_record r{crypto::signed_head{j["seq"].get<std::uint64_t>(), *hash, *sig}, std::nullopt};
  if (j.contains("line") && !j["line"].is_null()) {
    if (!j["line"].is_string()) return bad(field + ".line", "must be a string or null");
    r.line = j["line"].get<std::string>();
  }
  return r;
}

}  // namespace

json to_json(const fork_evidence& e) {
  json j;
  j["format"] = format_name;
  j["kind"] = kind_name(e.kind);
  const auto genesis = core::decode(e.genesis);
  const auto* g = genesis ? std::get_if<core::genesis_body>(&genesis->body) : nullptr;
  j["session"] = crypto::to_hex(crypto::line_hash(e.genesis));
  j["server_key"] = g != nullptr ? json(g->server_key.hex()) : json(nullptr);
  const auto a = std::to_string(e.first.head.seq);
  const auto b = std::to_string(e.second.head.seq);
  json explanation;
  if (e.kind == fork_kind::same_seq) {
    explanation["zh"] = "服务器对同一条记录（第 " + a + " 条）签发了两个不同的哈希：已签名的历史被改写。";
    explanation["en"] = "The server signed two different hashes for the same record (seq " + a +
                        "): a history it had signed was rewritten.";
  } else {
    explanation["zh"] = "服务器签发的第 " + b + " 条记录的 prev 不是它为第 " + a + " 条记录签发的哈希：此前的历史被改写或分叉。";
    explanation["en"] = "The server signed record " + b + " whose prev is not the hash it had signed for record " + a +
                        ": the history before it was rewritten or forked.";
  }
  explanation["check"] =
      "Ed25519 over \"pingyi-v1-head\" || session || I2OSP(seq, 8) || hash with genesis' server_key "
      "(DESIGN.md §3.6); session = SHA-256(genesis); hash = SHA-256(line). pingyi-verify --check-evidence FILE.";
  j["explanation"] = explanation;
  j["genesis"] = e.genesis;
  j["first"] = record_json(e.first);
  j["second"] = record_json(e.second);
  return j;
}

core::result<fork_evidence> parse_fork_evidence(std::string_view text) {
  const auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object()) return bad("", "is not a JSON object");
  if (!j.contains("format") || j["format"] != format_name) {
    return bad("format", std::string("must be \"").append(format_name).append("\""));
  }
  fork_evidence e;
  if (!j.contains("kind") || !j["kind"].is_string()) return bad("kind", "must be same_seq or broken_link");
  if (j["kind"] == "same_seq") {
    e.kind = fork_kind::same_seq;
  } else if (j["kind"] == "broken_link") {
    e.kind = fork_kind::broken_link;
  } else {
    return bad("kind", "must be same_seq or broken_link");
  }
  if (!j.contains("genesis") || !j["genesis"].is_string()) return bad("genesis", "must be the genesis line");
  e.genesis = j["genesis"].get<std::string>();
  auto first = record_from(j.contains("first") ? j["first"] : nlohmann::json(), "first");
  if (!first) return first.error();
  auto second = record_from(j.contains("second") ? j["second"] : nlohmann::json(), "second");
  if (!second) return second.error();
  e.first = std::move(first).value();
  e.second = std::move(second).value();
  return e;
}

core::status check_fork_evidence(const fork_evidence& e) {
  const auto genesis = core::decode(e.genesis);
  if (!genesis) return core::nest("genesis", genesis.error());
  const auto* g = std::get_if<core::genesis_body>(&genesis->body);
  if (g == nullptr || genesis->seq != 0) return bad("genesis", "is not a genesis record");
  const crypto::session_id session = crypto::line_hash(e.genesis);

  for (const auto& [r, name] : {std::pair{&e.first, "first"}, std::pair{&e.second, "second"}}) {
    const std::string field(name);
    if (!crypto::verify_head(g->server_key, session, r->head.seq, r->head.hash, r->head.sig)) {
      return core::fail(core::error_code::invalid_signature, field + ".sig",
                        "is not the server's signature of this seq and hash in this session");
    }
    if (r->line && crypto::line_hash(*r->line) != r->head.hash) return bad(field + ".line", "does not hash to hash");
  }

  if (e.kind == fork_kind::same_seq) {
    if (e.first.head.seq != e.second.head.seq) return bad("second.seq", "must be first's seq");
    if (e.first.head.hash == e.second.head.hash) return bad("second.hash", "is first's: no contradiction");
    return {};
  }
  if (e.second.head.seq != e.first.head.seq + 1) return bad("second.seq", "must follow first's seq");
  if (!e.second.line) return bad("second.line", "must be given: its prev is the contradiction");
  const auto second = core::decode(*e.second.line);
  if (!second) return core::nest("second.line", second.error());
  if (second->seq != e.second.head.seq) return bad("second.line", "is not the record at second.seq");
  if (second->prev == e.first.head.hash) return bad("second.line", "links to first's hash: no contradiction");
  return {};
}

}  // namespace pingyi::verify
