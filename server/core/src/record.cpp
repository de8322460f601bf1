// The chain record codec (DESIGN.md §3.6): encode writes the one compact line of a record;
// decode checks a line field by field and names the first field that is wrong.
#include "pingyi/core/record.hpp"

#include "pingyi/core/strict_json.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <exception>
#include <functional>
#include <initializer_list>
#include <new>
#include <span>
#include <string>
#include <utility>

namespace pingyi::core {
namespace {

using json = nlohmann::ordered_json;

constexpr std::array<std::string_view, 14> type_names = {
    "genesis",    "trustee", "election_key", "round",        "check_in",   "check_out", "round_opened",
    "token",      "ballot",  "round_closed", "decryption",   "result",     "revealed",  "adjourned"};

// Inside this file a rejection unwinds to decode() as this exception, so that every field reader
// can stay a plain function; decode() turns it back into a result and nothing escapes.
struct rejected {
  error e;
};

[[noreturn]] void reject(error_code code, std::string field, std::string message) {
  throw rejected{fail(code, std::move(field), std::move(message))};
}

[[noreturn]] void bad(std::string field, std::string message) {
  reject(error_code::bad_request, std::move(field), std::move(message));
}

std::string path_of(const std::string& base, std::string_view key) {
  if (base.empty()) return std::string(key);
  return std::string(base).append(".").append(key);
}

std::string path_of(const std::string& base, std::size_t index) {
  return std::string(base).append("[").append(std::to_string(index)).append("]");
}

std::string at_most(std::size_t n) { return std::string("must have at most ").append(std::to_string(n)).append(" entries"); }

// ---- leaf values ----------------------------------------------------------------------------

std::uint64_t read_unsigned(const json& v, const std::string& path, std::uint64_t max) {
  if (v.is_number_float()) bad(path, "must be an integer (no fraction, exponent or excess magnitude)");
  if (v.is_number_integer() && !v.is_number_unsigned()) bad(path, "must not be negative");
  if (!v.is_number_unsigned()) bad(path, "must be an integer");
  const auto n = v.get<std::uint64_t>();
  if (n > max) bad(path, std::string("must be at most ").append(std::to_string(max)));
  return n;
}

std::uint32_t read_u32(const json& v, const std::string& path) {
  return static_cast<std::uint32_t>(read_unsigned(v, path, 0xFFFFFFFFu));
}

std::int64_t read_signed(const json& v, const std::string& path, std::int64_t bound) {
  if (v.is_number_float()) bad(path, "must be an integer (no fraction, exponent or excess magnitude)");
  if (!v.is_number_integer()) bad(path, "must be an integer");
  if (v.is_number_unsigned()) {
    const auto n = v.get<std::uint64_t>();
    if (n > static_cast<std::uint64_t>(bound)) bad(path, "is out of range");
    return static_cast<std::int64_t>(n);
  }
  const auto n = v.get<std::int64_t>();
  if (n < -bound || n > bound) bad(path, "is out of range");
  return n;
}

bool read_bool(const json& v, const std::string& path) {
  if (!v.is_boolean()) bad(path, "must be true or false");
  return v.get<bool>();
}

const std::string& read_string(const json& v, const std::string& path) {
  if (!v.is_string()) bad(path, "must be a string");
  return v.get_ref<const std::string&>();
}

// Ids: 1 … 64 UTF-8 bytes (the JSON parser has already checked the UTF-8).
std::string read_id(const json& v, const std::string& path) {
  const auto& s = read_string(v, path);
  if (s.empty() || s.size() > max_id_bytes) bad(path, "must be 1 to 64 bytes");
  return s;
}

// Titles, names, labels, seats: at most 1024 bytes.
std::string read_text(const json& v, const std::string& path) {
  const auto& s = read_string(v, path);
  if (s.size() > max_text_bytes) bad(path, "must be at most 1024 bytes");
  return s;
}

// Lower-case hex of exactly `bytes` bytes: the chain writes lower case, and a line is never
// re-serialised, so upper case would be a second spelling of the same record.
const std::string& read_hex(const json& v, const std::string& path, std::size_t bytes) {
  const auto& s = read_string(v, path);
  for (char ch : s) {
    if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'))) bad(path, "must be lower-case hex");
  }
  if (s.size() != 2 * bytes) bad(path, std::string("must be ").append(std::to_string(bytes)).append(" bytes of hex"));
  return s;
}

enum class identity { allowed, refused };

crypto::point read_point(const json& v, const std::string& path, identity id) {
  auto p = crypto::point::from_hex(read_hex(v, path, crypto::point::size));
  if (!p) reject(error_code::invalid_point, path, "is not a canonical ristretto255 point");
  if (id == identity::refused && p->is_identity()) reject(error_code::invalid_point, path, "must not be the identity");
  return *p;
}

crypto::scalar read_scalar(const json& v, const std::string& path) {
  auto s = crypto::scalar::from_hex(read_hex(v, path, crypto::scalar::size));
  if (!s) bad(path, "is not a canonical scalar (must be below the group order)");
  return *s;
}

crypto::verify_key read_verify_key(const json& v, const std::string& path) {
  auto k = crypto::verify_key::from_hex(read_hex(v, path, crypto::verify_key::size));
  if (!k) reject(error_code::invalid_point, path, "is not a valid Ed25519 public key");
  return *k;
}

crypto::signature read_signature(const json& v, const std::string& path) {
  auto s = crypto::signature::from_hex(read_hex(v, path, crypto::signature::size));
  if (!s) bad(path, "is not a 64-byte signature");
  return *s;
}

crypto::byte_array<32> read_bytes32(const json& v, const std::string& path) {
  auto b = crypto::from_hex_fixed<32>(read_hex(v, path, 32));
  if (!b) bad(path, "must be 32 bytes of hex");
  return *b;
}

// ---- objects and arrays ---------------------------------------------------------------------

// An object with exactly the given keys, in that order: the first missing one, then the first
// unknown one, then the first out of place, is named. (Duplicates never get here: the parser callback refuses them.)
class fields {
 public:
  fields(const json& j, std::string path, std::initializer_list<std::string_view> keys)
      : fields(j, std::move(path), std::span<const std::string_view>(keys.begin(), keys.size())) {}
  fields(const json& j, std::string path, std::span<const std::string_view> keys) : j_(j), path_(std::move(path)) {
    if (!j.is_object()) bad(path_, "must be an object");
    for (auto k : keys) {
      if (j.find(std::string(k)) == j.end()) bad(path_of(path_, k), "is missing");
    }
    if (j.size() != keys.size()) {
      for (const auto& [k, v] : j.items()) {
        bool known = false;
        for (auto e : keys) known = known || e == k;
        if (!known) bad(path_of(path_, k), "is not a field of this object");
      }
    }
    // In the order DESIGN.md §3.6 lists them: the server writes no other, and two verifiers
    // must not disagree on whether a reordered line is a record.
    std::size_t i = 0;
    for (const auto& [k, v] : j.items()) {
      if (k != keys[i]) {
        std::size_t at = 0;
        while (keys[at] != k) ++at;
        bad(path_of(path_, k), std::string("is out of order: must be field number ").append(std::to_string(at + 1)));
      }
      ++i;
    }
  }

  [[nodiscard]] const json& operator[](std::string_view key) const { return *j_.find(std::string(key)); }
  [[nodiscard]] std::string path(std::string_view key) const { return path_of(path_, key); }

  [[nodiscard]] std::uint32_t u32(std::string_view k) const { return read_u32((*this)[k], path(k)); }
  [[nodiscard]] std::string id(std::string_view k) const { return read_id((*this)[k], path(k)); }
  [[nodiscard]] std::string text(std::string_view k) const { return read_text((*this)[k], path(k)); }
  [[nodiscard]] bool boolean(std::string_view k) const { return read_bool((*this)[k], path(k)); }
  [[nodiscard]] crypto::point point(std::string_view k, identity i) const { return read_point((*this)[k], path(k), i); }
  [[nodiscard]] crypto::scalar scalar(std::string_view k) const { return read_scalar((*this)[k], path(k)); }
  [[nodiscard]] crypto::verify_key verify_key(std::string_view k) const { return read_verify_key((*this)[k], path(k)); }
  [[nodiscard]] crypto::signature signature(std::string_view k) const { return read_signature((*this)[k], path(k)); }

 private:
  const json& j_;
  std::string path_;
};

template <class F>
auto read_array(const json& v, const std::string& path, std::size_t max, F&& element) {
  using T = decltype(element(v, path));
  if (!v.is_array()) bad(path, "must be an array");
  if (v.size() > max) bad(path, at_most(max));
  std::vector<T> out;
  out.reserve(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) out.push_back(element(v[i], path_of(path, i)));
  return out;
}

crypto::proof read_proof(const json& v, const std::string& path) {
  const fields f(v, path, {"c", "s"});
  return crypto::proof{f.scalar("c"), f.scalar("s")};
}

// A range proof's c and s: the same length, 1 … max_range_values (one per value of the range).
crypto::range_proof read_range_proof(const json& v, const std::string& path) {
  const fields f(v, path, {"c", "s"});
  crypto::range_proof p;
  p.c = read_array(f["c"], f.path("c"), crypto::max_range_values, read_scalar);
  p.s = read_array(f["s"], f.path("s"), crypto::max_range_values, read_scalar);
  if (p.c.empty()) bad(f.path("c"), "must not be empty");
  if (p.s.size() != p.c.size()) bad(f.path("s"), "must have as many entries as c");
  return p;
}

std::optional<std::uint64_t> read_optional(const json& v, const std::string& path, std::uint64_t max) {
  if (v.is_null()) return std::nullopt;
  return read_unsigned(v, path, max);
}

std::vector<std::uint32_t> read_u32s(const json& v, const std::string& path) {
  return read_array(v, path, max_options, read_u32);
}

// ---- bodies ---------------------------------------------------------------------------------

genesis_body read_genesis(const fields& f) {
  genesis_body b;
  b.protocol = read_string(f["protocol"], f.path("protocol"));
  if (b.protocol != "pingyi/1") bad(f.path("protocol"), "must be \"pingyi/1\"");
  b.title = f.text("title");
  b.committee = f.text("committee");
  b.date = f.text("date");
  b.nonce = read_bytes32(f["nonce"], f.path("nonce"));
  b.server_key = f.verify_key("server_key");
  b.token_key = f.point("token_key", identity::refused);
  b.members = read_array(f["members"], f.path("members"), max_members, [](const json& v, const std::string& p) {
    const fields m(v, p, {"id", "name", "seat"});
    return member{m.id("id"), m.text("name"), m.text("seat")};
  });
  const fields q(f["quorum"], f.path("quorum"), {"num", "den"});
  b.quorum = quorum{q.u32("num"), q.u32("den")};
  b.scrutineers = read_array(f["scrutineers"], f.path("scrutineers"), max_members, read_id);
  return b;
}

trustee_body read_trustee(const fields& f) {
  return trustee_body{f.id("id"), f.text("name"), f.point("key", identity::refused),
                      read_proof(f["proof"], f.path("proof"))};
}

election_key_body read_election_key(const fields& f) {
  return election_key_body{read_array(f["trustees"], f.path("trustees"), max_trustees, read_id),
                           f.point("key", identity::refused)};
}

round_body read_round(const fields& f) {
  round_body b;
  b.round = f.u32("round");
  b.title = f.text("title");
  const auto& kind = read_string(f["kind"], f.path("kind"));
  const auto k = parse_round_kind(kind);
  if (!k) bad(f.path("kind"), "must be evaluation, motion or selection");
  b.kind = *k;
  b.contests = read_array(f["contests"], f.path("contests"), max_contests, [](const json& v, const std::string& p) {
    const fields c(v, p, {"id", "title", "options", "min", "max"});
    round_contest out{c.id("id"), c.text("title"), read_array(c["options"], c.path("options"), max_options, read_text),
                      c.u32("min"), c.u32("max")};
    if (out.max > out.options.size()) bad(c.path("max"), "must not exceed the number of options");
    if (out.min > out.max) bad(c.path("min"), "must not exceed max");
    return out;
  });
  std::vector<contest_shape> shapes;
  shapes.reserve(b.contests.size());
  for (const auto& c : b.contests) shapes.push_back(contest_shape{c.id, c.options, c.min, c.max});
  // Every key of a rule is optional (§3.7), but those present come in the order the encoder
  // writes them, as every other object of a line. (A request's rule may come in any order: this
  // is the chain's decoder only.)
  if (f["rule"].is_object()) {
    static constexpr std::array<std::array<std::string_view, 4>, 3> rule_keys = {{
        {"pass_grades", "weights", "", ""}, {"base", "num", "den", "inclusive"}, {"num", "den", "inclusive", ""}}};
    const auto& order = rule_keys[static_cast<std::size_t>(b.kind)];
    std::size_t last = 0;
    for (const auto& [key, v] : f["rule"].items()) {
      std::size_t at = 0;
      while (at < order.size() && (order[at].empty() || order[at] != key)) ++at;
      if (at == order.size()) continue;  // an unknown key: rule_from_json names it
      if (at < last) bad(f.path("rule").append(".").append(key), "is out of order");
      last = at;
    }
  }
  auto r = rule_from_json(b.kind, f["rule"], shapes);  // fields named relative to the round: "rule.num"
  if (!r) throw rejected{r.error()};
  b.rule = *r;
  return b;
}

check_in_body read_check_in(const fields& f) {
  return check_in_body{f.id("member"), f.verify_key("device_key"), f.signature("sig")};
}

token_body read_token(const fields& f) {
  token_body b;
  b.round = f.u32("round");
  b.member = f.id("member");
  b.blinded = f.point("blinded", identity::refused);
  b.request_sig = f.signature("request_sig");
  b.evaluated = f.point("evaluated", identity::refused);
  b.proof = read_proof(f["proof"], f.path("proof"));
  return b;
}

ballot_body read_ballot(const fields& f) {
  ballot_body b;
  b.round = f.u32("round");
  b.vk = f.verify_key("vk");
  b.token = f.point("token", identity::refused);
  b.token_proof = read_proof(f["token_proof"], f.path("token_proof"));
  b.contests = read_array(f["contests"], f.path("contests"), max_contests, [](const json& v, const std::string& p) {
    const fields c(v, p, {"id", "selections", "limit_proof"});
    ballot_contest out;
    out.id = c.id("id");
    out.selections = read_array(c["selections"], c.path("selections"), max_options, [](const json& sv, const std::string& sp) {
      const fields s(sv, sp, {"alpha", "beta", "proof"});
      return ballot_selection{crypto::ciphertext{s.point("alpha", identity::refused), s.point("beta", identity::refused)},
                              read_range_proof(s["proof"], s.path("proof"))};
    });
    out.limit_proof = read_range_proof(c["limit_proof"], c.path("limit_proof"));
    return out;
  });
  b.sig = f.signature("sig");
  return b;
}

round_closed_body read_round_closed(const fields& f) {
  round_closed_body b;
  b.round = f.u32("round");
  b.present = f.u32("present");
  b.tokens = f.u32("tokens");
  b.ballots = f.u32("ballots");
  b.voted = read_array(f["voted"], f.path("voted"), max_members, [](const json& v, const std::string& p) {
    const fields d(v, p, {"member", "sig"});
    return declaration{d.id("member"), d.signature("sig")};
  });
  b.sums = read_array(f["sums"], f.path("sums"), max_contests, [](const json& v, const std::string& p) {
    const fields c(v, p, {"id", "options"});
    contest_sums out;
    out.id = c.id("id");
    out.options = read_array(c["options"], c.path("options"), max_options, [](const json& ov, const std::string& op) {
      const fields o(ov, op, {"alpha", "beta"});
      return crypto::ciphertext{o.point("alpha", identity::allowed), o.point("beta", identity::allowed)};
    });
    return out;
  });
  return b;
}

decryption_body read_decryption(const fields& f) {
  decryption_body b;
  b.round = f.u32("round");
  b.trustee = f.id("trustee");
  b.shares = read_array(f["shares"], f.path("shares"), max_contests, [](const json& v, const std::string& p) {
    const fields c(v, p, {"id", "options"});
    contest_shares out;
    out.id = c.id("id");
    out.options = read_array(c["options"], c.path("options"), max_options, [](const json& ov, const std::string& op) {
      const fields o(ov, op, {"share", "proof"});
      return decryption_share{o.point("share", identity::allowed), read_proof(o["proof"], o.path("proof"))};
    });
    return out;
  });
  return b;
}

// A result contest's kind is not in the record (it is the round's); its keys tell it: only an
// evaluation has "grade", only a selection has "selected".
contest_result read_contest_result(const json& v, const std::string& p) {
  if (!v.is_object()) bad(p, "must be an object");
  if (v.contains("grade")) {
    const fields c(v, p, {"id", "counts", "grade", "passed", "rate_bp", "score_x100", "rank"});
    evaluation_result e;
    e.id = c.id("id");
    e.counts = read_u32s(c["counts"], c.path("counts"));
    if (auto g = read_optional(c["grade"], c.path("grade"), 0xFFFFFFFFu)) e.grade = static_cast<std::uint32_t>(*g);
    e.passed = c.boolean("passed");
    if (auto r = read_optional(c["rate_bp"], c.path("rate_bp"), 10'000)) e.rate_bp = static_cast<std::uint32_t>(*r);
    e.score_x100 = read_optional(c["score_x100"], c.path("score_x100"), max_seq);
    if (auto r = read_optional(c["rank"], c.path("rank"), 0xFFFFFFFFu)) e.rank = static_cast<std::uint32_t>(*r);
    return e;
  }
  if (v.contains("selected")) {
    const fields c(v, p, {"id", "counts", "selected", "tied"});
    return selection_result{c.id("id"), read_u32s(c["counts"], c.path("counts")),
                            read_u32s(c["selected"], c.path("selected")), read_u32s(c["tied"], c.path("tied"))};
  }
  const fields c(v, p, {"id", "counts", "passed"});
  return motion_result{c.id("id"), read_u32s(c["counts"], c.path("counts")), c.boolean("passed")};
}

result_body read_result(const fields& f) {
  result_body b;
  b.round = f.u32("round");
  b.ballots = f.u32("ballots");
  b.present = f.u32("present");
  b.undeclared = read_signed(f["undeclared"], f.path("undeclared"), 0xFFFFFFFFll);
  b.contests = read_array(f["contests"], f.path("contests"), max_contests, read_contest_result);
  return b;
}

// The body keys of each type, in §3.6 order (index = variant index).
const std::array<std::vector<std::string_view>, 14>& body_keys() {
  static const std::array<std::vector<std::string_view>, 14> keys = {{
      {"protocol", "title", "committee", "date", "nonce", "server_key", "token_key", "members", "quorum", "scrutineers"},
      {"id", "name", "key", "proof"},
      {"trustees", "key"},
      {"round", "title", "kind", "contests", "rule"},
      {"member", "device_key", "sig"},
      {"member"},
      {"round", "present"},
      {"round", "member", "blinded", "request_sig", "evaluated", "proof"},
      {"round", "vk", "token", "token_proof", "contests", "sig"},
      {"round", "present", "tokens", "ballots", "voted", "sums"},
      {"round", "trustee", "shares"},
      {"round", "ballots", "present", "undeclared", "contests"},
      {"round"},
      {},
  }};
  return keys;
}

record_body read_body(std::size_t type, const fields& f) {
  switch (type) {
    case 0: return read_genesis(f);
    case 1: return read_trustee(f);
    case 2: return read_election_key(f);
    case 3: return read_round(f);
    case 4: return read_check_in(f);
    case 5: return check_out_body{f.id("member")};
    case 6: return round_opened_body{f.u32("round"), f.u32("present")};
    case 7: return read_token(f);
    case 8: return read_ballot(f);
    case 9: return read_round_closed(f);
    case 10: return read_decryption(f);
    case 11: return read_result(f);
    case 12: return revealed_body{f.u32("round")};
    default: return adjourned_body{};
  }
}

// ---- encoding -------------------------------------------------------------------------------

json proof_json(const crypto::proof& p) {
  json j = json::object();
  j["c"] = p.c.hex();
  j["s"] = p.s.hex();
  return j;
}

json range_proof_json(const crypto::range_proof& p) {
  json j = json::object();
  j["c"] = json::array();
  j["s"] = json::array();
  for (const auto& c : p.c) j["c"].push_back(c.hex());
  for (const auto& s : p.s) j["s"].push_back(s.hex());
  return j;
}

struct body_writer {
  json& j;

  void operator()(const genesis_body& b) const {
    j["protocol"] = b.protocol;
    j["title"] = b.title;
    j["committee"] = b.committee;
    j["date"] = b.date;
    j["nonce"] = crypto::to_hex(b.nonce);
    j["server_key"] = b.server_key.hex();
    j["token_key"] = b.token_key.hex();
    j["members"] = json::array();
    for (const auto& m : b.members) {
      json mj = json::object();
      mj["id"] = m.id;
      mj["name"] = m.name;
      mj["seat"] = m.seat;
      j["members"].push_back(std::move(mj));
    }
    j["quorum"] = json::object();
    j["quorum"]["num"] = b.quorum.num;
    j["quorum"]["den"] = b.quorum.den;
    j["scrutineers"] = b.scrutineers;
  }
  void operator()(const trustee_body& b) const {
    j["id"] = b.id;
    j["name"] = b.name;
    j["key"] = b.key.hex();
    j["proof"] = proof_json(b.proof);
  }
  void operator()(const election_key_body& b) const {
    j["trustees"] = b.trustees;
    j["key"] = b.key.hex();
  }
  void operator()(const round_body& b) const {
    j["round"] = b.round;
    j["title"] = b.title;
    j["kind"] = std::string(to_string(b.kind));
    j["contests"] = json::array();
    for (const auto& c : b.contests) {
      json cj = json::object();
      cj["id"] = c.id;
      cj["title"] = c.title;
      cj["options"] = c.options;
      cj["min"] = c.min;
      cj["max"] = c.max;
      j["contests"].push_back(std::move(cj));
    }
    j["rule"] = to_json(b.rule);
  }
  void operator()(const check_in_body& b) const {
    j["member"] = b.member;
    j["device_key"] = b.device_key.hex();
    j["sig"] = b.sig.hex();
  }
  void operator()(const check_out_body& b) const { j["member"] = b.member; }
  void operator()(const round_opened_body& b) const {
    j["round"] = b.round;
    j["present"] = b.present;
  }
  void operator()(const token_body& b) const {
    j["round"] = b.round;
    j["member"] = b.member;
    j["blinded"] = b.blinded.hex();
    j["request_sig"] = b.request_sig.hex();
    j["evaluated"] = b.evaluated.hex();
    j["proof"] = proof_json(b.proof);
  }
  void operator()(const ballot_body& b) const {
    j["round"] = b.round;
    j["vk"] = b.vk.hex();
    j["token"] = b.token.hex();
    j["token_proof"] = proof_json(b.token_proof);
    j["contests"] = json::array();
    for (const auto& c : b.contests) {
      json cj = json::object();
      cj["id"] = c.id;
      cj["selections"] = json::array();
      for (const auto& s : c.selections) {
        json sj = json::object();
        sj["alpha"] = s.ct.alpha.hex();
        sj["beta"] = s.ct.beta.hex();
        sj["proof"] = range_proof_json(s.proof);
        cj["selections"].push_back(std::move(sj));
      }
      cj["limit_proof"] = range_proof_json(c.limit_proof);
      j["contests"].push_back(std::move(cj));
    }
    j["sig"] = b.sig.hex();
  }
  void operator()(const round_closed_body& b) const {
    j["round"] = b.round;
    j["present"] = b.present;
    j["tokens"] = b.tokens;
    j["ballots"] = b.ballots;
    j["voted"] = json::array();
    for (const auto& d : b.voted) {
      json dj = json::object();
      dj["member"] = d.member;
      dj["sig"] = d.sig.hex();
      j["voted"].push_back(std::move(dj));
    }
    j["sums"] = json::array();
    for (const auto& c : b.sums) {
      json cj = json::object();
      cj["id"] = c.id;
      cj["options"] = json::array();
      for (const auto& o : c.options) {
        json oj = json::object();
        oj["alpha"] = o.alpha.hex();
        oj["beta"] = o.beta.hex();
        cj["options"].push_back(std::move(oj));
      }
      j["sums"].push_back(std::move(cj));
    }
  }
  void operator()(const decryption_body& b) const {
    j["round"] = b.round;
    j["trustee"] = b.trustee;
    j["shares"] = json::array();
    for (const auto& c : b.shares) {
      json cj = json::object();
      cj["id"] = c.id;
      cj["options"] = json::array();
      for (const auto& o : c.options) {
        json oj = json::object();
        oj["share"] = o.share.hex();
        oj["proof"] = proof_json(o.proof);
        cj["options"].push_back(std::move(oj));
      }
      j["shares"].push_back(std::move(cj));
    }
  }
  void operator()(const result_body& b) const {
    j["round"] = b.round;
    j["ballots"] = b.ballots;
    j["present"] = b.present;
    j["undeclared"] = b.undeclared;
    j["contests"] = contests_to_json(b.contests);
  }
  void operator()(const revealed_body& b) const { j["round"] = b.round; }
  void operator()(const adjourned_body&) const {}
};

bool all_digits(std::string_view s, std::size_t from, std::size_t n) {
  for (std::size_t i = from; i < from + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

int number_at(std::string_view s, std::size_t from, std::size_t n) {
  int v = 0;
  for (std::size_t i = from; i < from + n; ++i) v = v * 10 + (s[i] - '0');
  return v;
}

}  // namespace

std::string_view record_type_name(const record_body& b) noexcept { return type_names[b.index()]; }

bool is_record_time(std::string_view s) noexcept {
  // 0123456789012345678901234
  // YYYY-MM-DDTHH:MM:SS.mmmZ
  if (s.size() != 24) return false;
  if (s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != '.' || s[23] != 'Z')
    return false;
  if (!all_digits(s, 0, 4) || !all_digits(s, 5, 2) || !all_digits(s, 8, 2) || !all_digits(s, 11, 2) ||
      !all_digits(s, 14, 2) || !all_digits(s, 17, 2) || !all_digits(s, 20, 3))
    return false;
  const int year = number_at(s, 0, 4);
  const int month = number_at(s, 5, 2);
  const int day = number_at(s, 8, 2);
  if (month < 1 || month > 12 || day < 1) return false;
  static constexpr std::array<int, 12> days = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  const int month_days = days[static_cast<std::size_t>(month - 1)] + ((month == 2 && leap) ? 1 : 0);
  return day <= month_days && number_at(s, 11, 2) < 24 && number_at(s, 14, 2) < 60 && number_at(s, 17, 2) < 60;
}

std::string encode(const record& r) {
  json j = json::object();
  j["seq"] = r.seq;
  j["prev"] = crypto::to_hex(r.prev);
  j["time"] = r.time;
  j["type"] = std::string(record_type_name(r.body));
  std::visit(body_writer{j}, r.body);
  return j.dump(-1, ' ', false);
}

result<record> decode(std::string_view line) {
  if (line.size() > max_line_bytes) {
    return fail(error_code::payload_too_large, "", "a record line must be at most 16 MiB");
  }
  try {
    auto parsed = parse_strict_json(line, max_json_depth);
    if (!parsed) return parsed.error();
    json j = std::move(parsed).value();
    if (!j.is_object()) return fail(error_code::bad_request, "", "a record must be a JSON object");

    // The envelope comes first, in this order (§3.6).
    static constexpr std::array<std::string_view, 4> envelope = {"seq", "prev", "time", "type"};
    std::size_t k = 0;
    for (const auto& [key, v] : j.items()) {
      if (k == envelope.size()) break;
      if (key != envelope[k]) bad(std::string(envelope[k]), std::string("must be the record's field number ").append(std::to_string(k + 1)));
      ++k;
    }
    if (k < envelope.size()) bad(std::string(envelope[k]), "is missing");

    const auto& type_name = read_string(j["type"], "type");
    std::size_t type = type_names.size();
    for (std::size_t i = 0; i < type_names.size(); ++i) {
      if (type_names[i] == type_name) type = i;
    }
    if (type == type_names.size()) bad("type", "is not a record type of pingyi/1");

    std::vector<std::string_view> keys(envelope.begin(), envelope.end());
    const auto& body = body_keys()[type];
    keys.insert(keys.end(), body.begin(), body.end());
    // fields takes an initializer_list; check presence and unknown keys by hand for the union.
    for (auto key : keys) {
      if (j.find(std::string(key)) == j.end()) bad(std::string(key), "is missing");
    }
    for (const auto& [key, v] : j.items()) {
      bool known = false;
      for (auto e : keys) known = known || e == key;
      if (!known) bad(key, std::string("is not a field of a ").append(type_name).append(" record"));
    }

    record r;
    r.seq = read_unsigned(j["seq"], "seq", max_seq);
    r.prev = read_bytes32(j["prev"], "prev");
    r.time = read_string(j["time"], "time");
    if (!is_record_time(r.time)) bad("time", "must be YYYY-MM-DDTHH:MM:SS.mmmZ");

    // Body fields are read from a view that knows only the body keys.
    json body_json = json::object();
    for (const auto& [key, v] : j.items()) {
      bool envelope_key = false;
      for (auto e : envelope) envelope_key = envelope_key || e == key;
      if (!envelope_key) body_json[key] = v;
    }
    const fields f(body_json, "", body);
    r.body = read_body(type, f);
    return r;
  } catch (const rejected& r) {
    return r.e;
  } catch (const std::bad_alloc&) {
    return fail(error_code::payload_too_large, "", "the record is too large");
  } catch (const std::exception& e) {
    return fail(error_code::bad_request, "", std::string("malformed record: ").append(e.what()));
  }
}

}  // namespace pingyi::core
