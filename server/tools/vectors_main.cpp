// pingyi-vectors: writes tests/vectors/pingyi-v1.json, the cross-implementation test vectors
// (DESIGN.md §6: the C++ and TypeScript code MUST agree on shared vectors). Everything is
// derived from one fixed seed, so the file is byte-for-byte reproducible; each item carries its
// own seed so that another implementation can replay any single operation on its own.
//
// The file plays one small session end to end: genesis, key ceremony (the server and two
// scrutineers), check-ins, an evaluation round and a selection round with tokens, ballots,
// declarations, sums, joint decryption and results, then the signed chain lines. It also lists
// known-bad inputs that every implementation must reject.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <functional>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "pingyi/core/record.hpp"
#include "pingyi/core/rules.hpp"
#include "pingyi/core/session_state.hpp"
#include "pingyi/crypto/ballot.hpp"
#include "pingyi/crypto/chain.hpp"
#include "pingyi/crypto/crockford.hpp"
#include "pingyi/crypto/decryption.hpp"
#include "pingyi/crypto/device.hpp"
#include "pingyi/crypto/hash.hpp"
#include "pingyi/crypto/init.hpp"
#include "pingyi/crypto/tally.hpp"
#include "pingyi/crypto/token.hpp"
#include "pingyi/crypto/trustee.hpp"

namespace {

using namespace pingyi::crypto;
using json = nlohmann::ordered_json;

// The master seed: SHA-256("pingyi-v1 test vectors").
byte_array<32> master_seed() { return sha256(as_bytes("pingyi-v1 test vectors")); }

// Each operation draws from its own stream, seeded by SHA-256(master ‖ label).
struct labelled_rng {
  byte_array<32> seed;
  deterministic_random rng;
  explicit labelled_rng(std::string_view label)
      : seed(sha256(transcript{}.raw(master_seed()).raw(label).view())), rng(seed) {}
};

template <class T>
const T& must(const result<T>& r, const char* what) {
  if (!r) {
    std::fprintf(stderr, "pingyi-vectors: %s failed: %s %s\n", what, to_string(r.error().code),
                 r.error().field.c_str());
    std::exit(2);
  }
  return *r;
}

void must(const status& s, const char* what) {
  if (!s) {
    std::fprintf(stderr, "pingyi-vectors: %s failed: %s %s\n", what, to_string(s.error().code),
                 s.error().field.c_str());
    std::exit(2);
  }
}

template <class T>
T must_core(pingyi::core::result<T> r, const char* what) {
  if (!r) {
    std::fprintf(stderr, "pingyi-vectors: %s failed: %s\n", what, pingyi::core::describe(r.error()).c_str());
    std::exit(2);
  }
  return std::move(r).value();
}

json proof_json(const proof& p) { return json{{"c", p.c.hex()}, {"s", p.s.hex()}}; }

json range_json(const range_proof& p) {
  json c = json::array(), s = json::array();
  for (const auto& x : p.c) c.push_back(x.hex());
  for (const auto& x : p.s) s.push_back(x.hex());
  return json{{"c", c}, {"s", s}};
}

// The chain being written: every record is one compact JSON line, hashed as written.
class chain_writer {
 public:
  // Times advance by 1.5 s a record from a fixed start, so the file does not depend on the clock.
  std::string append(const std::string& type, json body) {
    json line;
    line["seq"] = lines_.size();
    line["prev"] = to_hex(prev_);
    line["time"] = time_for(lines_.size());
    line["type"] = type;
    for (auto& [k, v] : body.items()) line[k] = v;
    std::string text = line.dump();
    // Built from crypto/ by hand, so it is a second implementation of the chain: core's codec
    // must write the same bytes and apply must accept every record, or no vectors are written.
    auto decoded = pingyi::core::decode(text);
    if (!decoded || pingyi::core::encode(*decoded) != text) {
      std::fprintf(stderr, "pingyi-vectors: record %zu does not round-trip through core's codec\n", lines_.size());
      std::exit(2);
    }
    if (auto st = pingyi::core::apply(state_, *decoded, line_hash(text)); !st) {
      std::fprintf(stderr, "pingyi-vectors: apply refuses record %zu: %s\n", lines_.size(),
                   pingyi::core::describe(st.error()).c_str());
      std::exit(2);
    }
    prev_ = line_hash(text);
    lines_.push_back(text);
    return text;
  }
  [[nodiscard]] const std::vector<std::string>& lines() const { return lines_; }
  [[nodiscard]] const chain_hash& head() const { return prev_; }

 private:
  static std::string time_for(std::size_t seq) {
    const std::size_t ms = seq * 1500;
    const std::size_t total_s = 9 * 3600 + ms / 1000;  // 09:00:00 UTC
    char buf[64];
    std::snprintf(buf, sizeof buf, "2026-11-23T%02zu:%02zu:%02zu.%03zuZ", total_s / 3600, (total_s / 60) % 60,
                  total_s % 60, ms % 1000);
    return buf;
  }
  std::vector<std::string> lines_;
  chain_hash prev_ = genesis_prev;
  pingyi::core::session_state state_;
};

struct member {
  std::string id, name, seat;
};

struct round_plan {
  std::uint32_t number;
  std::string title;
  pingyi::core::round_kind kind;
  json rule;
  std::vector<contest_spec> specs;
  std::vector<std::string> contest_titles;
  std::vector<std::string> labels;
  std::map<std::string, ballot_choices> votes;  // member → choices (members who cast)
  std::vector<std::string> token_holders;      // members who obtain a token
};

std::vector<pingyi::core::contest_shape> shapes_of(const round_plan& r) {
  std::vector<pingyi::core::contest_shape> shapes;
  for (const auto& spec : r.specs) {
    std::vector<std::string> labels(r.labels.begin(), r.labels.begin() + spec.options);
    shapes.push_back({spec.id, labels, spec.min, spec.max});
  }
  return shapes;
}

json hashing_vectors() {
  json out;
  json xmd = json::array();
  const std::string dst = "pingyi-v1-test";
  for (const char* msg : {"", "abc", "委员会"}) {
    for (std::size_t len : {32u, 64u, 130u}) {
      const auto o = must(expand_message_xmd_sha512(as_bytes(msg), as_bytes(dst), len), "expand_message_xmd");
      xmd.push_back({{"msg", to_hex(as_bytes(msg))}, {"dst", dst}, {"len", len}, {"output", to_hex(o)}});
    }
  }
  out["expand_message_xmd_sha512"] = xmd;
  json h2g = json::array(), h2s = json::array();
  for (const char* msg : {"", "abc", "pingyi"}) {
    h2g.push_back({{"msg", to_hex(as_bytes(msg))},
                   {"dst", "HashToGroup-OPRFV1-\\x01-ristretto255-SHA512 (bytes in dst_hex)"},
                   {"dst_hex", to_hex(voprf::suite(voprf::mode::voprf).context_string())},
                   {"point", voprf::suite(voprf::mode::voprf).hash_to_group(as_bytes(msg)).hex()}});
    for (const char* name : {"range", "decrypt", "trustee"}) {
      h2s.push_back({{"msg", to_hex(as_bytes(msg))},
                     {"dst", std::string("pingyi-v1-") + name},
                     {"scalar", challenge(name, as_bytes(msg)).hex()}});
    }
  }
  // The context string is recorded above for clarity; the DST itself is its prefix + context.
  for (auto& v : h2g) {
    v["dst_hex"] = to_hex(transcript{}.raw("HashToGroup-").raw(voprf::suite(voprf::mode::voprf).context_string()).view());
    v.erase("dst");
  }
  out["hash_to_group"] = h2g;
  out["challenge"] = h2s;
  return out;
}

json codes_vectors() {
  json out = json::array();
  for (const char* label : {"a", "b", "c"}) {
    const chain_hash h = sha256(as_bytes(label));
    out.push_back({{"hash", to_hex(h)}, {"receipt_code", receipt_code(h)}, {"comparison_code", comparison_code(h)}});
  }
  json entries = json::array();
  for (const char* typed : {"abcd-efgh-jkmn-pqrs-tvwx", "ABCD EFGH JKMN PQRS TVWX", "ilo0-1234-5678-9abc-defg",
                            "IL00-1234-5678-9ABC-DEFG"}) {
    const auto n = normalize_recovery_code(typed);
    entries.push_back({{"typed", typed}, {"normalized", n ? json(*n) : json(nullptr)}});
  }
  for (const char* bad : {"UUUU-0000-0000-0000-0000", "0000-0000-0000-0000", "0000-0000-0000-0000-0000-0"}) {
    entries.push_back({{"typed", bad}, {"normalized", nullptr}});
  }
  return json{{"short_codes", out}, {"recovery_code_entry", entries}};
}

json cast_json(const ballot& b) {
  json contests = json::array();
  for (const auto& c : b.contests) {
    json sels = json::array();
    for (const auto& sel : c.selections)
      sels.push_back({{"alpha", sel.ct.alpha.hex()}, {"beta", sel.ct.beta.hex()}, {"proof", range_json(sel.proof)}});
    contests.push_back({{"id", c.id}, {"selections", sels}, {"limit_proof", range_json(c.limit_proof)}});
  }
  return json{{"round", b.round}, {"vk", b.vk.hex()}, {"token", b.token.hex()}, {"contests", contests},
              {"sig", b.sig.hex()}};
}

// Known-bad ballots: each a single defect in a valid ballot, with the error and field that
// verify_ballot must report. Generated, never hand-edited, so that the defect is exactly one.
json invalid_ballots(const session_id& sid, const point& x, const std::vector<contest_spec>& specs, const ballot& good) {
  struct tamper {
    const char* what;
    std::function<void(ballot&)> apply;
  };
  const scalar one = scalar::one();
  const std::vector<tamper> tampers = {
      {"signature byte flipped",
       [](ballot& b) {
         auto raw = b.sig.bytes();
         raw[10] ^= 0x01;
         b.sig = signature(raw);
       }},
      {"0/1 proof challenge changed", [&](ballot& b) { b.contests[0].selections[0].proof.c[0] += one; }},
      {"0/1 proof response changed", [&](ballot& b) { b.contests[0].selections[1].proof.s[1] += one; }},
      {"limit proof response changed", [&](ballot& b) { b.contests[0].limit_proof.s[0] += one; }},
      {"selections of two options swapped",
       [](ballot& b) { std::swap(b.contests[0].selections[0], b.contests[0].selections[1]); }},
      {"beta moved by G (a 0 made a 1)",
       [](ballot& b) { b.contests[0].selections[0].ct.beta += point::generator(); }},
      {"alpha repeated within a contest",
       [](ballot& b) { b.contests[0].selections[2] = b.contests[0].selections[0]; }},
      {"identity alpha", [](ballot& b) { b.contests[0].selections[0].ct.alpha = point::identity(); }},
      {"contest id changed", [](ballot& b) { b.contests[0].id = "d9"; }},
      {"a selection missing", [](ballot& b) { b.contests[0].selections.pop_back(); }},
      {"a contest missing", [](ballot& b) { b.contests.pop_back(); }},
      {"proof list too short", [](ballot& b) { b.contests[0].limit_proof.c.pop_back(); }},
      {"cast for another round", [](ballot& b) { b.round += 1; }},
  };
  json out = json::array();
  for (const auto& t : tampers) {
    ballot bad = good;
    t.apply(bad);
    const status s = verify_ballot(sid, x, specs, bad);
    if (s) {
      std::fprintf(stderr, "pingyi-vectors: tampered ballot verified: %s\n", t.what);
      std::exit(2);
    }
    out.push_back({{"defect", t.what}, {"cast", cast_json(bad)}, {"error", to_string(s.error().code)},
                   {"field", s.error().field}});
  }
  return out;
}

json invalid_encodings() {
  json points = json::array();
  for (const char* hex : {
           // RFC 9496 A.2: non-canonical, negative, non-square, negative xy, s = −1
           "00ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
           "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
           "f3ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
           "0100000000000000000000000000000000000000000000000000000000000000",
           "26948d35ca62e643e26a83177332e6b6afeb9d08e4268b650f1f5bbd8d81d371",
           "3eb858e78f5a7254d8c9731174a94f76755fd3941c0ac93735c07ba14579630e",
           "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
       }) {
    points.push_back({{"hex", hex}, {"error", "invalid_point"}});
  }
  points.push_back({{"hex", "00"}, {"error", "invalid_encoding"}});
  points.push_back({{"hex", std::string(64, 'g')}, {"error", "invalid_encoding"}});
  json scalars = json::array();
  for (const char* hex : {"edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010",   // ℓ
                          "eed3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010",   // ℓ + 1
                          "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"}) {  // 2^256 − 1
    scalars.push_back({{"hex", hex}, {"error", "invalid_scalar"}});
  }
  return json{{"points", points},
              {"identity", std::string(64, '0')},
              {"identity_note",
               "the identity decodes (sums and shares may be it) but is refused for ballot points, token elements "
               "and public keys"},
              {"scalars", scalars}};
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"pingyi-vectors: write the cross-implementation test vectors (pingyi-v1.json)"};
  std::string out_path = "tests/vectors/pingyi-v1.json";
  app.add_option("--out", out_path, "where to write the vectors");
  CLI11_PARSE(app, argc, argv);
  if (!init()) {
    std::fprintf(stderr, "pingyi-vectors: libsodium failed to initialise\n");
    return 1;
  }

  json doc;
  doc["description"] =
      "pingyi/1 cross-implementation test vectors (DESIGN.md §3), generated by pingyi-vectors. Hex is lower case; "
      "points and scalars are 32 bytes; session_id is the SHA-256 of the genesis line.";
  doc["protocol"] = "pingyi/1";
  doc["rng"] = {
      {"master_seed", to_hex(master_seed())},
      {"item_seed", "SHA-256(master_seed ‖ UTF-8 label)"},
      {"draw", "draw i (0, 1, …) of n bytes = randombytes_buf_deterministic(n, SHA-512(seed ‖ I2OSP(i, 8))[0..32])"},
      {"scalar", "one 64-byte draw reduced mod ℓ (scalar_reduce); a non-zero scalar draws again on zero"},
      {"ed25519_key", "one 32-byte draw used as the crypto_sign_seed_keypair seed"},
      {"order",
       "range proof: w, then c_j and s_j for each j ≠ v in lo..hi; ballot: per contest, per option r_i (non-zero) "
       "then that selection's proof, then the limit proof; trustee and decryption proofs: w (non-zero); VOPRF: "
       "blind (non-zero), proof nonce r (non-zero)"}};
  doc["hashing"] = hashing_vectors();
  doc["codes"] = codes_vectors();

  // --- Session keys and genesis (§3.6) ---
  labelled_rng server_rng("server-signing-key");
  const signing_key server_key = signing_key::generate(server_rng.rng);
  const voprf::suite suite(voprf::mode::voprf);
  const byte_array<32> token_seed = sha256(as_bytes("pingyi-v1 token key seed"));
  const voprf::key_pair token_key = must(suite.derive_key_pair(token_seed, as_bytes("pingyi token key")), "token key");

  const std::vector<member> members = {
      {"m01", "张伟", "1"}, {"m02", "王芳", "2"}, {"m03", "李娜", "3"}, {"m04", "刘洋", "4"}, {"m05", "陈静", "5"}};
  const std::vector<std::string> scrutineers = {"m01", "m02"};

  chain_writer chain;
  labelled_rng nonce_rng("genesis-nonce");
  byte_array<32> nonce{};
  nonce_rng.rng.fill(nonce);
  json members_json = json::array();
  for (const auto& m : members) members_json.push_back({{"id", m.id}, {"name", m.name}, {"seat", m.seat}});
  chain.append("genesis", json{{"protocol", "pingyi/1"},
                               {"title", "某县人大常委会2026年第十一次会议 述职评议"},
                               {"committee", "某县人民代表大会常务委员会"},
                               {"date", "2026-11-23"},
                               {"nonce", to_hex(nonce)},
                               {"server_key", server_key.public_key().hex()},
                               {"token_key", token_key.pk.hex()},
                               {"members", members_json},
                               {"quorum", {{"num", 1}, {"den", 2}}},
                               {"scrutineers", scrutineers}});
  const session_id sid = line_hash(chain.lines()[0]);

  json session;
  session["server_key_seed"] = to_hex(server_key.seed());
  session["server_key"] = server_key.public_key().hex();
  session["token_key"] = {{"seed", to_hex(token_seed)},
                          {"info", to_hex(as_bytes("pingyi token key"))},
                          {"sk", token_key.sk.hex()},
                          {"pk", token_key.pk.hex()}};
  session["genesis_line"] = chain.lines()[0];
  session["session_id"] = to_hex(sid);
  doc["session"] = session;

  // --- Key ceremony (§3.5) ---
  struct trustee_entry {
    std::string id, name;
    trustee_key key;
  };
  std::vector<trustee_entry> trustees;
  json trustees_json = json::array();
  {
    labelled_rng key_rng("trustee-server-key");
    trustees.push_back({"server", "server", generate_trustee_key(key_rng.rng)});
  }
  for (const auto& sid_member : scrutineers) {
    labelled_rng code_rng("recovery-code-" + sid_member);
    const std::string code = generate_recovery_code(code_rng.rng);
    const trustee_key key = must(trustee_key_from_code(sid, code), "trustee key");
    std::string name;
    for (const auto& m : members)
      if (m.id == sid_member) name = m.name;
    trustees.push_back({sid_member, name, key});
    trustees_json.push_back({{"id", sid_member},
                             {"code_seed", to_hex(code_rng.seed)},
                             {"code", code},
                             {"code_display", format_recovery_code(code)},
                             {"x", key.x.hex()},
                             {"key", key.key.hex()}});
  }
  std::vector<point> trustee_points;
  json trustee_records = json::array();
  for (auto& t : trustees) {
    labelled_rng pop_rng("trustee-proof-" + t.id);
    const proof pop = prove_trustee_key(sid, t.id, t.key, pop_rng.rng);
    must(verify_trustee_key(sid, t.id, t.key.key, pop), "trustee proof");
    trustee_points.push_back(t.key.key);
    const std::string line =
        chain.append("trustee", json{{"id", t.id}, {"name", t.name}, {"key", t.key.key.hex()}, {"proof", proof_json(pop)}});
    trustee_records.push_back({{"id", t.id}, {"proof_seed", to_hex(pop_rng.seed)}, {"line", line}});
  }
  for (auto& tj : trustees_json) {
    for (const auto& r : trustee_records)
      if (r["id"] == tj["id"]) tj["proof_seed"] = r["proof_seed"];
  }
  const point X = election_key(trustee_points);
  json trustee_ids = json::array();
  for (const auto& t : trustees) trustee_ids.push_back(t.id);
  chain.append("election_key", json{{"trustees", trustee_ids}, {"key", X.hex()}});
  doc["trustees"] = {{"server_x", trustees[0].key.x.hex()},
                     {"server_key", trustees[0].key.key.hex()},
                     {"scrutineers", trustees_json},
                     {"election_key", X.hex()}};

  // --- Rounds (§3.6, §3.7) ---
  std::vector<round_plan> plans;
  {
    round_plan r;
    r.number = 1;
    r.title = "对政府组成部门的满意度测评";
    r.kind = pingyi::core::round_kind::evaluation;
    r.rule = {{"pass_grades", 2}, {"weights", {100, 60, 0}}};
    r.labels = {"满意", "基本满意", "不满意"};
    r.specs = {{"d1", 3, 1, 1}, {"d2", 3, 1, 1}};
    r.contest_titles = {"县教育局", "县卫生健康局"};
    r.votes = {{"m01", {{1, 0, 0}, {0, 1, 0}}}, {"m02", {{1, 0, 0}, {0, 0, 1}}}, {"m03", {{0, 1, 0}, {1, 0, 0}}}};
    r.token_holders = {"m01", "m02", "m03", "m04"};  // m04 takes a token and does not vote
    plans.push_back(r);
  }
  {
    round_plan r;
    r.number = 2;
    r.title = "推选明年述职的部门负责人";
    r.kind = pingyi::core::round_kind::selection;
    r.rule = {{"num", 1}, {"den", 2}, {"inclusive", false}};
    r.labels = {"周明", "吴刚", "郑丽", "孙强"};
    r.specs = {{"s1", 4, 0, 2}};
    r.contest_titles = {"述职人选"};
    r.votes = {{"m01", {{1, 1, 0, 0}}}, {"m03", {{0, 1, 0, 0}}}, {"m05", {{0, 1, 1, 0}}}};
    r.token_holders = {"m01", "m03", "m05"};
    plans.push_back(r);
  }
  for (const auto& r : plans) {
    json contests = json::array();
    for (std::size_t k = 0; k < r.specs.size(); ++k) {
      json labels = json::array();
      for (std::size_t i = 0; i < r.specs[k].options; ++i) labels.push_back(r.labels[i]);
      contests.push_back({{"id", r.specs[k].id},
                          {"title", r.contest_titles[k]},
                          {"options", labels},
                          {"min", r.specs[k].min},
                          {"max", r.specs[k].max}});
    }
    chain.append("round", json{{"round", r.number},
                               {"title", r.title},
                               {"kind", std::string(pingyi::core::to_string(r.kind))},
                               {"contests", contests},
                               {"rule", pingyi::core::to_json(must_core(pingyi::core::rule_from_json(
                                            r.kind, r.rule, shapes_of(r)), "rule"))}});
  }

  // --- Check-ins (§2): every member's tablet makes a device key and signs its check-in ---
  std::map<std::string, signing_key> devices;
  json checkins = json::array();
  for (const auto& m : members) {
    labelled_rng dev_rng("device-" + m.id);
    const signing_key device = signing_key::generate(dev_rng.rng);
    const signature sig = sign_checkin(device, sid, m.id);
    must(verify_checkin(device.public_key(), sid, m.id, sig), "check-in");
    const std::string line =
        chain.append("check_in", json{{"member", m.id}, {"device_key", device.public_key().hex()}, {"sig", sig.hex()}});
    checkins.push_back({{"member", m.id},
                        {"device_seed", to_hex(device.seed())},
                        {"device_key", device.public_key().hex()},
                        {"message", to_hex(checkin_message(sid, m.id, device.public_key()))},
                        {"sig", sig.hex()}});
    devices.emplace(m.id, device);
  }
  doc["check_ins"] = checkins;

  // --- Each round: open, tokens, ballots, close, decrypt, result, reveal ---
  json rounds_json = json::array();
  for (const auto& r : plans) {
    chain.append("round_opened", json{{"round", r.number}, {"present", members.size()}});
    json round_json;
    round_json["round"] = r.number;
    json specs_json = json::array();
    for (const auto& s : r.specs)
      specs_json.push_back({{"id", s.id}, {"options", s.options}, {"min", s.min}, {"max", s.max}});
    round_json["contests"] = specs_json;

    std::map<std::string, std::pair<signing_key, point>> ephemeral;  // member → (ske, N)
    json tokens_json = json::array();
    for (const auto& mid : r.token_holders) {
      const std::string label = "round-" + std::to_string(r.number) + "-" + mid;
      labelled_rng eph_rng("ephemeral-" + label);
      const signing_key ske = signing_key::generate(eph_rng.rng);
      labelled_rng blind_rng("blind-" + label);
      const auto request = must(blind_token(sid, r.number, ske.public_key(), blind_rng.rng), "blind");
      const signature request_sig = sign_token_request(devices.at(mid), sid, r.number, request.element);
      labelled_rng issue_rng("issue-" + label);
      const auto evaluated = issue_token(token_key, request.element, issue_rng.rng);
      const point n =
          must(unblind_token(token_key.pk, request, evaluated.elements[0], evaluated.dleq), "unblind token");
      chain.append("token", json{{"round", r.number},
                                 {"member", mid},
                                 {"blinded", request.element.hex()},
                                 {"request_sig", request_sig.hex()},
                                 {"evaluated", evaluated.elements[0].hex()},
                                 {"proof", proof_json(evaluated.dleq)}});
      tokens_json.push_back({{"member", mid},
                             {"ephemeral_seed", to_hex(eph_rng.seed)},
                             {"vk", ske.public_key().hex()},
                             {"input", to_hex(token_input(sid, r.number, ske.public_key()))},
                             {"blind_seed", to_hex(blind_rng.seed)},
                             {"blind", request.blind.hex()},
                             {"blinded", request.element.hex()},
                             {"request_message", to_hex(token_request_message(sid, r.number, request.element))},
                             {"request_sig", request_sig.hex()},
                             {"issue_seed", to_hex(issue_rng.seed)},
                             {"evaluated", evaluated.elements[0].hex()},
                             {"proof", proof_json(evaluated.dleq)},
                             {"token", n.hex()}});
      ephemeral.emplace(mid, std::make_pair(ske, n));
    }
    round_json["tokens"] = tokens_json;

    // Ballots, cast in member order here (the real order is the tablets').
    std::vector<ciphertext> sums_flat;
    std::vector<std::size_t> offsets;
    for (const auto& s : r.specs) {
      offsets.push_back(sums_flat.size());
      sums_flat.resize(sums_flat.size() + s.options, ciphertext{});
    }
    json ballots_json = json::array();
    json voted = json::array();
    for (const auto& [mid, choices] : r.votes) {
      const auto& [ske, n] = ephemeral.at(mid);
      const std::string label = "round-" + std::to_string(r.number) + "-" + mid;
      labelled_rng ballot_rng("ballot-" + label);
      const ballot b = must(build_ballot(sid, r.number, ske, n, X, r.specs, choices, ballot_rng.rng), "ballot");
      must(verify_ballot(sid, X, r.specs, b), "verify ballot");
      if (r.number == 1 && !doc.contains("invalid")) {
        doc["invalid"] = invalid_encodings();
        doc["invalid"]["ballots_round"] = r.number;
        doc["invalid"]["ballots"] = invalid_ballots(sid, X, r.specs, b);
      }
      const point t = token_point(sid, r.number, b.vk);
      must(check_token(token_key.sk, t, b.token), "token check");
      labelled_rng tp_rng("token-proof-" + label);
      const proof token_proof = prove_token(token_key, t, b.token, tp_rng.rng);
      must(verify_token(token_key.pk, t, b.token, token_proof), "token proof");

      json contests = json::array();
      for (std::size_t k = 0; k < b.contests.size(); ++k) {
        json sels = json::array();
        for (std::size_t i = 0; i < b.contests[k].selections.size(); ++i) {
          const auto& sel = b.contests[k].selections[i];
          sels.push_back({{"alpha", sel.ct.alpha.hex()}, {"beta", sel.ct.beta.hex()}, {"proof", range_json(sel.proof)}});
          sums_flat[offsets[k] + i] = sums_flat[offsets[k] + i] + sel.ct;
        }
        contests.push_back({{"id", b.contests[k].id}, {"selections", sels}, {"limit_proof", range_json(b.contests[k].limit_proof)}});
      }
      json cast{{"round", r.number}, {"vk", b.vk.hex()}, {"token", b.token.hex()}, {"contests", contests}, {"sig", b.sig.hex()}};
      json record_body{{"round", r.number},      {"vk", b.vk.hex()},       {"token", b.token.hex()},
                       {"token_proof", proof_json(token_proof)}, {"contests", contests}, {"sig", b.sig.hex()}};
      const std::string line = chain.append("ballot", record_body);
      const chain_hash h = line_hash(line);
      const std::uint64_t seq = chain.lines().size() - 1;
      const signature receipt_sig = sign_head(server_key, sid, seq, h);
      ballots_json.push_back({{"member", mid},
                              {"choices", choices},
                              {"ballot_seed", to_hex(ballot_rng.seed)},
                              {"token_proof_seed", to_hex(tp_rng.seed)},
                              {"cast", cast},
                              {"digest", to_hex(ballot_digest(sid, b))},
                              {"token_point", t.hex()},
                              {"token_proof", proof_json(token_proof)},
                              {"receipt", {{"seq", seq}, {"hash", to_hex(h)}, {"sig", receipt_sig.hex()}}},
                              {"receipt_code", receipt_code(h)}});
      const signature vsig = sign_voted(devices.at(mid), sid, r.number);
      must(verify_voted(devices.at(mid).public_key(), sid, r.number, vsig), "voted");
      voted.push_back({{"member", mid}, {"sig", vsig.hex()}});
    }
    round_json["ballots"] = ballots_json;
    round_json["voted_messages"] = json::object();
    round_json["voted_messages"]["message"] = to_hex(voted_message(sid, r.number));

    // round_closed: declarations sorted by member id (the map above is sorted already).
    const std::uint64_t n_ballots = r.votes.size();
    json sums = json::array();
    for (std::size_t k = 0; k < r.specs.size(); ++k) {
      json opts = json::array();
      for (std::size_t i = 0; i < r.specs[k].options; ++i) {
        const auto& ct = sums_flat[offsets[k] + i];
        opts.push_back({{"alpha", ct.alpha.hex()}, {"beta", ct.beta.hex()}});
      }
      sums.push_back({{"id", r.specs[k].id}, {"options", opts}});
    }
    const std::string closed = chain.append("round_closed", json{{"round", r.number},
                                                                 {"present", members.size()},
                                                                 {"tokens", r.token_holders.size()},
                                                                 {"ballots", n_ballots},
                                                                 {"voted", voted},
                                                                 {"sums", sums}});
    const chain_hash closed_hash = line_hash(closed);
    round_json["closed_hash"] = to_hex(closed_hash);
    round_json["comparison_code"] = comparison_code(closed_hash);

    // Joint decryption: every trustee, every option.
    std::vector<std::vector<point>> share_points(sums_flat.size());
    json decryptions = json::array();
    for (const auto& t : trustees) {
      labelled_rng share_rng("decrypt-round-" + std::to_string(r.number) + "-" + t.id);
      json shares = json::array();
      for (std::size_t k = 0; k < r.specs.size(); ++k) {
        json opts = json::array();
        for (std::uint16_t i = 0; i < r.specs[k].options; ++i) {
          const share_context ctx{sid, closed_hash, r.number, r.specs[k].id, i, t.id};
          const auto& ct = sums_flat[offsets[k] + i];
          const decryption_share sh = make_share(ctx, t.key, ct.alpha, share_rng.rng);
          must(verify_share(ctx, t.key.key, ct.alpha, sh), "share");
          share_points[offsets[k] + i].push_back(sh.share);
          opts.push_back({{"share", sh.share.hex()}, {"proof", proof_json(sh.dleq)}});
        }
        shares.push_back({{"id", r.specs[k].id}, {"options", opts}});
      }
      chain.append("decryption", json{{"round", r.number}, {"trustee", t.id}, {"shares", shares}});
      decryptions.push_back({{"trustee", t.id}, {"share_seed", to_hex(share_rng.seed)}});
    }
    round_json["decryption_seeds"] = decryptions;

    const count_table table(static_cast<std::uint32_t>(n_ballots));
    std::vector<std::vector<std::uint32_t>> counts(r.specs.size());
    json counts_json = json::array();
    for (std::size_t k = 0; k < r.specs.size(); ++k) {
      for (std::size_t i = 0; i < r.specs[k].options; ++i) {
        const point m = combine_shares(sums_flat[offsets[k] + i].beta, share_points[offsets[k] + i]);
        counts[k].push_back(must(table.find(m), "count"));
      }
      counts_json.push_back({{"id", r.specs[k].id}, {"counts", counts[k]}});
    }
    round_json["counts"] = counts_json;

    const auto shapes = shapes_of(r);
    const auto rule = must_core(pingyi::core::rule_from_json(r.kind, r.rule, shapes), "rule");
    const auto results = must_core(
        pingyi::core::compute_results(rule, shapes,
                                      pingyi::core::round_totals{static_cast<std::uint32_t>(members.size()),
                                                                 static_cast<std::uint32_t>(members.size()),
                                                                 static_cast<std::uint32_t>(n_ballots), counts}),
        "results");
    const json result_contests = pingyi::core::contests_to_json(results);
    const std::int64_t undeclared = static_cast<std::int64_t>(n_ballots) - static_cast<std::int64_t>(voted.size());
    chain.append("result", json{{"round", r.number},
                                {"ballots", n_ballots},
                                {"present", members.size()},
                                {"undeclared", undeclared},
                                {"contests", result_contests}});
    chain.append("revealed", json{{"round", r.number}});
    rounds_json.push_back(round_json);
  }
  doc["rounds"] = rounds_json;
  chain.append("adjourned", json::object());

  json chain_json = json::array();
  for (std::size_t seq = 0; seq < chain.lines().size(); ++seq) {
    const chain_hash h = line_hash(chain.lines()[seq]);
    chain_json.push_back({{"line", chain.lines()[seq]}, {"hash", to_hex(h)},
                          {"head_sig", sign_head(server_key, sid, seq, h).hex()}});
  }
  doc["chain"] = chain_json;

  std::ofstream out(out_path, std::ios::binary | std::ios::trunc);
  if (!out) {
    std::fprintf(stderr, "pingyi-vectors: cannot write %s\n", out_path.c_str());
    return 1;
  }
  out << doc.dump(1) << '\n';
  return out.good() ? 0 : 1;
}
