// Exponential ElGamal and the Chaum–Pedersen disjunctive range proof (DESIGN.md §3.3; see
// range_proof.hpp). Verification is the server's hot path, so each point is computed once:
// β − j·G takes one subtraction (j·G comes from a table built once), nothing is stored but the
// transcript, and the transcript is allocated once at its final size.
#include "pingyi/crypto/range_proof.hpp"

#include <array>
#include <cstddef>

#include "pingyi/crypto/hash.hpp"

namespace pingyi::crypto {

namespace {

// j·G for 0 ≤ j < 64: every value a selection, a plaintext or a realistic limit proof uses.
// Built once (63 additions, under 1 ms: thread-safe static initialisation) and never written
// again. Kept small because a ristretto255 addition costs about a base multiplication, so a
// larger table would cost more to build than it saves: beyond it, one base multiplication
// starts a range and then each j is one subtraction, as inside it.
constexpr std::uint32_t generator_table_size = 64;

const std::array<point, generator_table_size>& generator_multiples() {
  static const std::array<point, generator_table_size> table = [] {
    std::array<point, generator_table_size> t{};  // t[0] is the identity
    for (std::uint32_t j = 1; j < generator_table_size; ++j) t[j] = t[j - 1] + point::generator();
    return t;
  }();
  return table;
}

point multiple_of_generator(std::uint32_t j) {
  if (j < generator_table_size) return generator_multiples()[j];
  return point::mul_base(scalar::from_u64(j));
}

// β − j·G for ascending j: one subtraction per j ≠ 0 (none for j = 0), from the table, or
// beyond it by stepping the previous value down by G.
class shifted_beta {
 public:
  explicit shifted_beta(const point& beta) noexcept : beta_(beta) {}

  point at(std::uint32_t j) {
    if (j == 0) return beta_;
    if (j < generator_table_size) return beta_ - generator_multiples()[j];
    if (have_last_ && last_j_ + 1 == j) {
      last_ -= point::generator();
    } else {
      last_ = beta_ - point::mul_base(scalar::from_u64(j));
    }
    last_j_ = j;
    have_last_ = true;
    return last_;
  }

 private:
  const point& beta_;
  point last_;
  std::uint32_t last_j_ = 0;
  bool have_last_ = false;
};

// Every field of the transcript is shorter than 2^16 bytes, as lp requires.
constexpr std::size_t max_lp_field = 0xFFFF;

// The statement's part of the transcript, lp(ctx) ‖ lp(X) ‖ lp(α) ‖ lp(β), with room reserved
// for the width commitments (a_j, b_j) that follow.
bytes start_transcript(byte_view ctx, const point& election_key, const ciphertext& ct, std::size_t width) {
  constexpr std::size_t lp_point = 2 + point::size;
  bytes t;
  t.reserve(2 + ctx.size() + (3 + 2 * width) * lp_point);
  const auto lp = [&t](byte_view field) {
    t.push_back(static_cast<byte>(field.size() >> 8));
    t.push_back(static_cast<byte>(field.size()));
    t.insert(t.end(), field.begin(), field.end());
  };
  lp(ctx);
  lp(election_key.bytes());
  lp(ct.alpha.bytes());
  lp(ct.beta.bytes());
  return t;
}

// The hot path builds its transcript in a plain reserved buffer: through `transcript`, GCC 12 at
// -O3 reports a false -Wstringop-overflow here (the other transcripts use `transcript`).
void append_lp_point(bytes& t, const point& p) {
  t.push_back(0);
  t.push_back(static_cast<byte>(point::size));
  t.insert(t.end(), p.bytes().begin(), p.bytes().end());
}

// A statement we refuse to look at: no values at all, more than max_range_values of them (so
// that hostile input cannot buy unbounded work), or a context too long to length-prefix.
bool statement_is_out_of_range(byte_view ctx, std::uint32_t lo, std::uint32_t hi) noexcept {
  if (lo > hi) return true;
  const std::uint64_t width = std::uint64_t{hi} - lo + 1;  // 64-bit: hi − lo + 1 may be 2^32
  return width > max_range_values || ctx.size() > max_lp_field;
}

// The branch for a j the prover does not hold, and every branch for the verifier:
// a_j = s_j·G − c_j·α, b_j = s_j·X − c_j·(β − j·G).
void append_recomputed_commitment(bytes& t, const scalar& c_j, const scalar& s_j, const point& alpha,
                                  const point& election_key, const point& beta_minus_jg) {
  append_lp_point(t, point::mul_base(s_j) - c_j * alpha);
  append_lp_point(t, s_j * election_key - c_j * beta_minus_jg);
}

}  // namespace

ciphertext encrypt(std::uint32_t v, const scalar& r, const point& election_key) {
  return ciphertext{point::mul_base(r), multiple_of_generator(v) + r * election_key};
}

ciphertext operator+(const ciphertext& a, const ciphertext& b) {
  return ciphertext{a.alpha + b.alpha, a.beta + b.beta};
}

// §3.3, prover. The loop runs over j in ascending order, which is both the transcript's order
// and the documented draw order (w first, then c_j, s_j for each j ≠ v), so one pass draws,
// computes and appends. Not constant time in v: the tablet that casts real ballots is the
// browser client; this prover serves tests, vectors and the load generator.
result<range_proof> prove_range(byte_view ctx, const point& election_key, const ciphertext& ct, std::uint32_t v,
                                const scalar& r, std::uint32_t lo, std::uint32_t hi, random_source& rng) {
  if (statement_is_out_of_range(ctx, lo, hi) || v < lo || v > hi) return fail(error::out_of_range);
  const std::size_t width = std::size_t{hi} - lo + 1;

  range_proof proof;
  proof.c.resize(width);
  proof.s.resize(width);
  bytes t = start_transcript(ctx, election_key, ct, width);

  const scalar w = scalar::random(rng);
  shifted_beta shifted(ct.beta);
  scalar simulated_sum;
  for (std::size_t k = 0; k < width; ++k) {
    const auto j = static_cast<std::uint32_t>(lo + k);
    if (j == v) {
      append_lp_point(t, point::mul_base(w));  // a_v = w·G
      append_lp_point(t, w * election_key);    // b_v = w·X
      continue;
    }
    proof.c[k] = scalar::random(rng);
    proof.s[k] = scalar::random(rng);
    simulated_sum += proof.c[k];
    append_recomputed_commitment(t, proof.c[k], proof.s[k], ct.alpha, election_key, shifted.at(j));
  }

  const std::size_t kv = v - lo;
  proof.c[kv] = challenge("range", t) - simulated_sum;  // c_v = c − Σ_{j≠v} c_j
  proof.s[kv] = w + proof.c[kv] * r;                    // s_v = w + c_v·r
  return proof;
}

// §3.3, verifier: recompute every (a_j, b_j) straight into the transcript and compare Σc_j
// with the challenge. The lengths are checked before any group operation.
status verify_range(byte_view ctx, const point& election_key, const ciphertext& ct, std::uint32_t lo, std::uint32_t hi,
                    const range_proof& proof) {
  if (statement_is_out_of_range(ctx, lo, hi)) return fail(error::out_of_range);
  const std::size_t width = std::size_t{hi} - lo + 1;
  if (proof.c.size() != width || proof.s.size() != width) return fail(error::invalid_proof);

  bytes t = start_transcript(ctx, election_key, ct, width);
  shifted_beta shifted(ct.beta);
  scalar sum;
  for (std::size_t k = 0; k < width; ++k) {
    const auto j = static_cast<std::uint32_t>(lo + k);
    append_recomputed_commitment(t, proof.c[k], proof.s[k], ct.alpha, election_key, shifted.at(j));
    sum += proof.c[k];
  }
  if (!(sum == challenge("range", t))) return fail(error::invalid_proof);
  return {};
}

}  // namespace pingyi::crypto
