// The cross-implementation vectors (tests/vectors/pingyi-v1*.json): every value in them is
// recomputed or verified here from its inputs. pingyi-v1.json is written by pingyi-vectors;
// files written by other implementations (the browser client's, pingyi-v1-client*.json) are
// checked the same way, so both sides are held to the same bytes.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "pingyi/crypto/ballot.hpp"
#include "pingyi/crypto/chain.hpp"
#include "pingyi/crypto/crockford.hpp"
#include "pingyi/crypto/decryption.hpp"
#include "pingyi/crypto/device.hpp"
#include "pingyi/crypto/hash.hpp"
#include "pingyi/crypto/init.hpp"
#include "pingyi/crypto/token.hpp"
#include "pingyi/crypto/trustee.hpp"

namespace pingyi::crypto {
namespace {

using json = nlohmann::json;

template <class T>
T ok(result<T> r) {
  if (!r) ADD_FAILURE() << "failed: " << to_string(r.error().code) << " " << r.error().field;
  return std::move(r).value();
}

point pt(const json& j) { return ok(point::from_hex(j.get<std::string>())); }
scalar sc(const json& j) { return ok(scalar::from_hex(j.get<std::string>())); }
bytes hx(const json& j) { return ok(from_hex(j.get<std::string>())); }
template <std::size_t N>
byte_array<N> hxn(const json& j) {
  return ok(from_hex_fixed<N>(j.get<std::string>()));
}
proof pf(const json& j) { return proof{sc(j.at("c")), sc(j.at("s"))}; }
range_proof rpf(const json& j) {
  range_proof p;
  for (const auto& c : j.at("c")) p.c.push_back(sc(c));
  for (const auto& s : j.at("s")) p.s.push_back(sc(s));
  return p;
}

// The ballot as cast: {round, vk, token, contests [{id, selections [{alpha, beta, proof}],
// limit_proof}], sig}.
ballot parse_ballot(const json& j) {
  ballot b;
  b.round = j.at("round").get<std::uint32_t>();
  b.vk = ok(verify_key::from_hex(j.at("vk").get<std::string>()));
  b.token = pt(j.at("token"));
  for (const auto& c : j.at("contests")) {
    contest_ballot cb;
    cb.id = c.at("id").get<std::string>();
    for (const auto& s : c.at("selections")) cb.selections.push_back({{pt(s.at("alpha")), pt(s.at("beta"))}, rpf(s.at("proof"))});
    cb.limit_proof = rpf(c.at("limit_proof"));
    b.contests.push_back(std::move(cb));
  }
  b.sig = ok(signature::from_hex(j.at("sig").get<std::string>()));
  return b;
}

std::vector<std::filesystem::path> vector_files() {
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(PINGYI_TEST_DATA_DIR "/vectors")) {
    const auto name = e.path().filename().string();
    if (name.rfind("pingyi-v1", 0) == 0 && e.path().extension() == ".json") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

class VectorFileTest : public ::testing::TestWithParam<std::filesystem::path> {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(init()); }
  void SetUp() override {
    std::ifstream in(GetParam());
    ASSERT_TRUE(in) << GetParam();
    doc_ = json::parse(in);
    sid_ = hxn<32>(doc_.at("session").at("session_id"));
  }
  json doc_;
  session_id sid_{};
};

TEST_P(VectorFileTest, HashingMatches) {
  const auto& h = doc_.at("hashing");
  for (const auto& v : h.at("expand_message_xmd_sha512")) {
    const auto out = ok(expand_message_xmd_sha512(hx(v.at("msg")), as_bytes(v.at("dst").get<std::string>()),
                                                  v.at("len").get<std::size_t>()));
    EXPECT_EQ(to_hex(out), v.at("output").get<std::string>());
  }
  for (const auto& v : h.at("hash_to_group")) {
    EXPECT_EQ(hash_to_group(hx(v.at("msg")), hx(v.at("dst_hex"))).hex(), v.at("point").get<std::string>());
  }
  for (const auto& v : h.at("challenge")) {
    EXPECT_EQ(hash_to_scalar(hx(v.at("msg")), as_bytes(v.at("dst").get<std::string>())).hex(),
              v.at("scalar").get<std::string>());
  }
}

TEST_P(VectorFileTest, CodesMatch) {
  for (const auto& v : doc_.at("codes").at("short_codes")) {
    const auto h = hxn<32>(v.at("hash"));
    EXPECT_EQ(receipt_code(h), v.at("receipt_code").get<std::string>());
    EXPECT_EQ(comparison_code(h), v.at("comparison_code").get<std::string>());
  }
  for (const auto& v : doc_.at("codes").at("recovery_code_entry")) {
    const auto n = normalize_recovery_code(v.at("typed").get<std::string>());
    if (v.at("normalized").is_null()) {
      EXPECT_FALSE(n.ok()) << v.at("typed");
    } else {
      ASSERT_TRUE(n.ok()) << v.at("typed");
      EXPECT_EQ(*n, v.at("normalized").get<std::string>());
    }
  }
}

TEST_P(VectorFileTest, SessionKeysDeriveFromTheirSeeds) {
  const auto& s = doc_.at("session");
  EXPECT_EQ(to_hex(line_hash(s.at("genesis_line").get<std::string>())), s.at("session_id").get<std::string>());
  EXPECT_EQ(signing_key::from_seed(hxn<32>(s.at("server_key_seed"))).public_key().hex(),
            s.at("server_key").get<std::string>());
  const auto& tk = s.at("token_key");
  const auto key = ok(voprf::suite(voprf::mode::voprf).derive_key_pair(hxn<32>(tk.at("seed")), hx(tk.at("info"))));
  EXPECT_EQ(key.sk.hex(), tk.at("sk").get<std::string>());
  EXPECT_EQ(key.pk.hex(), tk.at("pk").get<std::string>());
}

TEST_P(VectorFileTest, TrusteeKeysDeriveFromTheirCodes) {
  const auto& t = doc_.at("trustees");
  std::vector<point> keys{pt(t.at("server_key"))};
  EXPECT_EQ(point::mul_base(sc(t.at("server_x"))), keys[0]);
  for (const auto& s : t.at("scrutineers")) {
    deterministic_random rng(hxn<32>(s.at("code_seed")));
    EXPECT_EQ(generate_recovery_code(rng), s.at("code").get<std::string>());
    EXPECT_EQ(format_recovery_code(s.at("code").get<std::string>()), s.at("code_display").get<std::string>());
    const auto key = ok(trustee_key_from_code(sid_, s.at("code").get<std::string>()));
    EXPECT_EQ(key.x.hex(), s.at("x").get<std::string>());
    EXPECT_EQ(key.key.hex(), s.at("key").get<std::string>());
    deterministic_random pop_rng(hxn<32>(s.at("proof_seed")));
    const proof pop = prove_trustee_key(sid_, s.at("id").get<std::string>(), key, pop_rng);
    EXPECT_TRUE(verify_trustee_key(sid_, s.at("id").get<std::string>(), key.key, pop).ok());
    keys.push_back(key.key);
  }
  EXPECT_EQ(election_key(keys).hex(), t.at("election_key").get<std::string>());
}

TEST_P(VectorFileTest, CheckInsAreSignedByTheirDeviceKeys) {
  for (const auto& c : doc_.at("check_ins")) {
    const signing_key device = signing_key::from_seed(hxn<32>(c.at("device_seed")));
    const std::string member = c.at("member").get<std::string>();
    EXPECT_EQ(device.public_key().hex(), c.at("device_key").get<std::string>());
    EXPECT_EQ(to_hex(checkin_message(sid_, member, device.public_key())), c.at("message").get<std::string>());
    // Ed25519 is deterministic: the signature is reproduced, not only verified.
    EXPECT_EQ(sign_checkin(device, sid_, member).hex(), c.at("sig").get<std::string>());
  }
}

TEST_P(VectorFileTest, TokensAreReproducedStepByStep) {
  const point pk = pt(doc_.at("session").at("token_key").at("pk"));
  const scalar sk = sc(doc_.at("session").at("token_key").at("sk"));
  for (const auto& r : doc_.at("rounds")) {
    const auto round = r.at("round").get<std::uint32_t>();
    for (const auto& t : r.at("tokens")) {
      deterministic_random eph(hxn<32>(t.at("ephemeral_seed")));
      const signing_key ske = signing_key::generate(eph);
      EXPECT_EQ(ske.public_key().hex(), t.at("vk").get<std::string>());
      EXPECT_EQ(to_hex(token_input(sid_, round, ske.public_key())), t.at("input").get<std::string>());
      deterministic_random blind_rng(hxn<32>(t.at("blind_seed")));
      const auto request = ok(blind_token(sid_, round, ske.public_key(), blind_rng));
      EXPECT_EQ(request.blind.hex(), t.at("blind").get<std::string>());
      EXPECT_EQ(request.element.hex(), t.at("blinded").get<std::string>());
      EXPECT_EQ(to_hex(token_request_message(sid_, round, request.element)), t.at("request_message").get<std::string>());
      deterministic_random issue_rng(hxn<32>(t.at("issue_seed")));
      const auto ev = issue_token(voprf::key_pair{sk, pk}, request.element, issue_rng);
      EXPECT_EQ(ev.elements.at(0).hex(), t.at("evaluated").get<std::string>());
      EXPECT_EQ(ev.dleq.c.hex(), t.at("proof").at("c").get<std::string>());
      EXPECT_EQ(ev.dleq.s.hex(), t.at("proof").at("s").get<std::string>());
      EXPECT_EQ(ok(unblind_token(pk, request, ev.elements[0], ev.dleq)).hex(), t.at("token").get<std::string>());
    }
  }
}

TEST_P(VectorFileTest, BallotsVerifyAndAreReproducedFromTheirSeeds) {
  const point pk = pt(doc_.at("session").at("token_key").at("pk"));
  const point x = pt(doc_.at("trustees").at("election_key"));
  const auto& server_key = doc_.at("session").at("server_key");
  const verify_key server = ok(verify_key::from_hex(server_key.get<std::string>()));
  for (const auto& r : doc_.at("rounds")) {
    const auto round = r.at("round").get<std::uint32_t>();
    std::vector<contest_spec> specs;
    for (const auto& c : r.at("contests")) {
      specs.push_back({c.at("id").get<std::string>(), c.at("options").get<std::uint16_t>(),
                       c.at("min").get<std::uint32_t>(), c.at("max").get<std::uint32_t>()});
    }
    for (const auto& v : r.at("ballots")) {
      const ballot b = parse_ballot(v.at("cast"));
      EXPECT_TRUE(verify_ballot(sid_, x, specs, b).ok());
      EXPECT_EQ(to_hex(ballot_digest(sid_, b)), v.at("digest").get<std::string>());
      const point t = token_point(sid_, round, b.vk);
      EXPECT_EQ(t.hex(), v.at("token_point").get<std::string>());
      EXPECT_TRUE(verify_token(pk, t, b.token, pf(v.at("token_proof"))).ok());

      // Rebuild from the same ephemeral key, token and seed: the same bytes.
      const std::string member = v.at("member").get<std::string>();
      for (const auto& tok : r.at("tokens")) {
        if (tok.at("member") != member) continue;
        deterministic_random eph(hxn<32>(tok.at("ephemeral_seed")));
        const signing_key ske = signing_key::generate(eph);
        deterministic_random rng(hxn<32>(v.at("ballot_seed")));
        const auto choices = v.at("choices").get<ballot_choices>();
        const ballot rebuilt = ok(build_ballot(sid_, round, ske, b.token, x, specs, choices, rng));
        EXPECT_EQ(rebuilt, b);
      }
      const auto& receipt = v.at("receipt");
      EXPECT_TRUE(verify_head(server, sid_, receipt.at("seq").get<std::uint64_t>(), hxn<32>(receipt.at("hash")),
                              ok(signature::from_hex(receipt.at("sig").get<std::string>())))
                      .ok());
      EXPECT_EQ(receipt_code(hxn<32>(receipt.at("hash"))), v.at("receipt_code").get<std::string>());
    }
  }
}

TEST_P(VectorFileTest, ChainLinksHashesAndSignedHeads) {
  const verify_key server = ok(verify_key::from_hex(doc_.at("session").at("server_key").get<std::string>()));
  chain_hash prev = genesis_prev;
  std::uint64_t seq = 0;
  for (const auto& entry : doc_.at("chain")) {
    const std::string line = entry.at("line").get<std::string>();
    const json record = json::parse(line);
    EXPECT_EQ(record.at("seq").get<std::uint64_t>(), seq);
    EXPECT_EQ(record.at("prev").get<std::string>(), to_hex(prev));
    const chain_hash h = line_hash(line);
    EXPECT_EQ(to_hex(h), entry.at("hash").get<std::string>());
    EXPECT_TRUE(verify_head(server, sid_, seq, h, ok(signature::from_hex(entry.at("head_sig").get<std::string>()))).ok());
    prev = h;
    ++seq;
  }
  EXPECT_EQ(to_hex(line_hash(doc_.at("chain").at(0).at("line").get<std::string>())), to_hex(sid_));
}

// Every trustee record and decryption record on the chain verifies, and the shares combine to
// the counts the vectors state.
TEST_P(VectorFileTest, DecryptionSharesOnTheChainVerifyAndGiveTheCounts) {
  std::map<std::string, point> trustee_keys;
  std::map<std::uint32_t, json> closed;
  std::map<std::uint32_t, chain_hash> closed_hash;
  std::map<std::uint32_t, std::vector<json>> decryptions;
  for (const auto& entry : doc_.at("chain")) {
    const json rec = json::parse(entry.at("line").get<std::string>());
    const std::string type = rec.at("type").get<std::string>();
    if (type == "trustee") {
      const std::string id = rec.at("id").get<std::string>();
      EXPECT_TRUE(verify_trustee_key(sid_, id, pt(rec.at("key")), pf(rec.at("proof"))).ok()) << id;
      trustee_keys.emplace(id, pt(rec.at("key")));
    } else if (type == "round_closed") {
      closed[rec.at("round").get<std::uint32_t>()] = rec;
      closed_hash[rec.at("round").get<std::uint32_t>()] = hxn<32>(entry.at("hash"));
    } else if (type == "decryption") {
      decryptions[rec.at("round").get<std::uint32_t>()].push_back(rec);
    }
  }
  for (const auto& r : doc_.at("rounds")) {
    const auto round = r.at("round").get<std::uint32_t>();
    const json& sums = closed.at(round).at("sums");
    for (std::size_t k = 0; k < sums.size(); ++k) {
      const std::string cid = sums[k].at("id").get<std::string>();
      for (std::size_t i = 0; i < sums[k].at("options").size(); ++i) {
        const point a = pt(sums[k]["options"][i].at("alpha"));
        const point b = pt(sums[k]["options"][i].at("beta"));
        std::vector<point> shares;
        for (const auto& d : decryptions.at(round)) {
          const std::string tid = d.at("trustee").get<std::string>();
          const auto& opt = d.at("shares")[k].at("options")[i];
          const decryption_share share{pt(opt.at("share")), pf(opt.at("proof"))};
          const share_context ctx{sid_, closed_hash.at(round), round, cid, static_cast<std::uint16_t>(i), tid};
          EXPECT_TRUE(verify_share(ctx, trustee_keys.at(tid), a, share).ok()) << tid;
          shares.push_back(share.share);
        }
        const auto expected = r.at("counts")[k].at("counts")[i].get<std::uint64_t>();
        EXPECT_EQ(combine_shares(b, shares), point::mul_base(scalar::from_u64(expected)));
      }
    }
  }
}

// The known-bad inputs: every implementation rejects each with the same error (and, for
// ballots, names the same field).
TEST_P(VectorFileTest, KnownBadInputsAreRejectedWithTheirError) {
  const auto& bad = doc_.at("invalid");
  for (const auto& v : bad.at("points")) {
    auto p = point::from_hex(v.at("hex").get<std::string>());
    ASSERT_FALSE(p.ok()) << v.at("hex");
    EXPECT_EQ(to_string(p.error().code), v.at("error").get<std::string>()) << v.at("hex");
  }
  EXPECT_TRUE(point::from_hex(bad.at("identity").get<std::string>()).ok());
  EXPECT_FALSE(point::from_hex_non_identity(bad.at("identity").get<std::string>()).ok());
  for (const auto& v : bad.at("scalars")) {
    auto s = scalar::from_hex(v.at("hex").get<std::string>());
    ASSERT_FALSE(s.ok()) << v.at("hex");
    EXPECT_EQ(to_string(s.error().code), v.at("error").get<std::string>());
  }
  const point x = pt(doc_.at("trustees").at("election_key"));
  std::vector<contest_spec> specs;
  for (const auto& r : doc_.at("rounds")) {
    if (r.at("round") != bad.at("ballots_round")) continue;
    for (const auto& c : r.at("contests")) {
      specs.push_back({c.at("id").get<std::string>(), c.at("options").get<std::uint16_t>(),
                       c.at("min").get<std::uint32_t>(), c.at("max").get<std::uint32_t>()});
    }
  }
  ASSERT_FALSE(specs.empty());
  ASSERT_GE(bad.at("ballots").size(), 10u);
  for (const auto& v : bad.at("ballots")) {
    const status s = verify_ballot(sid_, x, specs, parse_ballot(v.at("cast")));
    ASSERT_FALSE(s.ok()) << v.at("defect");
    EXPECT_EQ(to_string(s.error().code), v.at("error").get<std::string>()) << v.at("defect");
    EXPECT_EQ(s.error().field, v.at("field").get<std::string>()) << v.at("defect");
  }
}

INSTANTIATE_TEST_SUITE_P(Files, VectorFileTest, ::testing::ValuesIn(vector_files()),
                         [](const auto& info) {
                           std::string n = info.param.stem().string();
                           for (auto& ch : n)
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = 'x';
                           return n;
                         });

}  // namespace
}  // namespace pingyi::crypto
