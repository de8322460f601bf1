// Credentials: codes, device secrets, their keyed hashes, the admin token check and the session
// keys in the secrets file (DESIGN.md §2, §5). Nothing here logs or prints a credential.
#include "credentials.hpp"

#include <array>
#include <span>
#include <utility>

#include "pingyi/crypto/crockford.hpp"
#include "pingyi/crypto/hash.hpp"
#include "pingyi/crypto/point.hpp"
#include "pingyi/crypto/scalar.hpp"

namespace pingyi::net {

namespace {

constexpr std::string_view crockford_alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

// The transcript holds key material while it is built: wipe it afterwards.
void wipe(crypto::bytes& b) noexcept {
  volatile crypto::byte* p = b.data();
  for (std::size_t i = 0; i < b.size(); ++i) p[i] = 0;
}

}  // namespace

std::string generate_code(crypto::random_source& rng) {
  std::array<crypto::byte, code_length> draw{};
  rng.fill(draw);
  std::string code;
  code.reserve(code_length);
  for (const auto b : draw) code.push_back(crockford_alphabet[b % 32]);
  draw.fill(0);
  return code;
}

std::string format_code(std::string_view code) { return crypto::group_by_four(code); }

credentials::credentials(store::secret key) : key_(std::move(key)) {}

store::credential_hash credentials::hash(store::credential_kind kind, const crypto::session_id& session,
                                         crypto::byte_view code) const {
  crypto::transcript t;
  t.raw("pingyi-credential").raw(store::to_string(kind)).raw(session).raw(code);
  crypto::bytes msg = std::move(t).take();
  const auto mac = crypto::hmac_sha256(key_.bytes(), msg);
  wipe(msg);
  return store::credential_hash{mac};
}

store::credential_hash credentials::hash(store::credential_kind kind, const crypto::session_id& session,
                                         std::string_view code) const {
  return hash(kind, session, crypto::as_bytes(code));
}

device_secret credentials::derive_device_secret(const crypto::session_id& session, std::string_view member,
                                                const crypto::verify_key& device_key,
                                                std::uint64_t check_in_seq) const {
  crypto::transcript t;
  t.raw("pingyi-device-secret").raw(session).lp(member).raw(device_key.bytes()).u64(check_in_seq);
  return crypto::hmac_sha256(key_.bytes(), t.view());
}

store::result<store::secret> load_credential_key(const std::filesystem::path& secrets_file,
                                                 crypto::random_source& rng) {
  auto file = store::read_secrets_file(secrets_file);
  store::secrets values;
  if (file) {
    if (const auto* key = (*file).find(credential_key_name); key != nullptr) {
      if (key->size() != 32) {
        return store::fail(store::error_code::corrupt,
                           std::string(credential_key_name).append(" in the secrets file is not 32 bytes"));
      }
      return store::secret(key->bytes());
    }
    values = std::move(*file);
  } else if (file.error().code != store::error_code::not_found) {
    return file.error();
  }
  // First start (or a file written by another tool without the entry): create the key.
  if (auto s = values.set(credential_key_name, store::secret::generate(32, rng)); !s) return s.error();
  if (auto s = store::write_secrets_file(secrets_file, values); !s) return s.error();
  return store::secret(values.find(credential_key_name)->bytes());
}

std::string session_secret_name(const crypto::session_id& session, std::string_view what) {
  return std::string("session.").append(crypto::to_hex(session)).append(".").append(what);
}

store::result<core::server_keys> read_session_keys(const store::secrets& file, const crypto::session_id& session) {
  auto entry = [&](std::string_view what) -> store::result<crypto::byte_array<32>> {
    const std::string name = session_secret_name(session, what);
    const auto* s = file.find(name);
    if (s == nullptr) return store::fail(store::error_code::not_found, std::string("missing ").append(name));
    if (s->size() != 32) return store::fail(store::error_code::corrupt, name + " is not 32 bytes");
    crypto::byte_array<32> out{};
    for (std::size_t i = 0; i < 32; ++i) out[i] = s->bytes()[i];
    return out;
  };
  auto seed = entry("signing_key");
  if (!seed) return seed.error();
  auto token = entry("token_key");
  if (!token) return token.error();
  auto trustee = entry("trustee_key");
  if (!trustee) return trustee.error();

  auto sk = crypto::scalar::decode_non_zero(*token);
  auto x = crypto::scalar::decode_non_zero(*trustee);
  token->fill(0);
  trustee->fill(0);
  if (!sk)
    return store::fail(store::error_code::corrupt, session_secret_name(session, "token_key") + " is not a scalar");
  if (!x)
    return store::fail(store::error_code::corrupt, session_secret_name(session, "trustee_key") + " is not a scalar");
  core::server_keys keys{crypto::signing_key::from_seed(*seed),
                         crypto::voprf::key_pair{*sk, crypto::point::mul_base(*sk)},
                         crypto::trustee_key{*x, crypto::point::mul_base(*x)}};
  seed->fill(0);
  return keys;
}

store::status write_session_keys(const std::filesystem::path& secrets_file, const crypto::session_id& session,
                                 const core::server_keys& keys) {
  auto file = store::read_secrets_file(secrets_file);
  if (!file) return file.error();
  auto seed = keys.signing.seed();
  const std::array<std::pair<std::string_view, crypto::byte_view>, 3> entries{{
      {"signing_key", seed},
      {"token_key", keys.token.sk.bytes()},
      {"trustee_key", keys.trustee.x.bytes()},
  }};
  for (const auto& [what, value] : entries) {
    if (auto s = (*file).set(session_secret_name(session, what), store::secret(value)); !s) {
      seed.fill(0);
      return s;
    }
  }
  seed.fill(0);
  return store::write_secrets_file(secrets_file, *file);
}

bool admin_token_matches(std::string_view expected, std::string_view presented) noexcept {
  if (expected.empty()) return false;
  const auto a = crypto::sha256(crypto::as_bytes(expected));
  const auto b = crypto::sha256(crypto::as_bytes(presented));
  unsigned diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned>(a[i] ^ b[i]);
  return diff == 0;
}

}  // namespace pingyi::net
