// Credentials (DESIGN.md §2): the printed codes of the chair and the members, the device secret a
// tablet gets at check-in, their keyed hashes (the only form the store keeps), the admin token
// check, and the session keys as the secrets file holds them.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "pingyi/core/session_engine.hpp"
#include "pingyi/crypto/bytes.hpp"
#include "pingyi/crypto/ed25519.hpp"
#include "pingyi/crypto/random.hpp"
#include "pingyi/crypto/session_id.hpp"
#include "pingyi/store/credential.hpp"
#include "pingyi/store/error.hpp"
#include "pingyi/store/secrets_file.hpp"

namespace pingyi::net {

// A printed code: 12 Crockford base32 characters (60 bits), shown as XXXX-XXXX-XXXX.
inline constexpr std::size_t code_length = 12;

// One draw of 12 random bytes, each mod 32 (uniform: 256 is a multiple of 32).
[[nodiscard]] std::string generate_code(crypto::random_source& rng);
// "XXXX-XXXX-XXXX".
[[nodiscard]] std::string format_code(std::string_view code);

using device_secret = crypto::byte_array<32>;

// The server-wide credential key (secrets file entry "credential_key") and what is keyed with it.
// A copy of the database alone does not allow guessing a printed code offline.
class credentials {
 public:
  explicit credentials(store::secret key);

  // HMAC-SHA-256(credential_key, "pingyi-credential" ‖ kind ‖ session id ‖ code). The code is
  // the canonical text of a printed code, or the raw 32 bytes of a device secret.
  [[nodiscard]] store::credential_hash hash(store::credential_kind kind, const crypto::session_id& session,
                                            crypto::byte_view code) const;
  [[nodiscard]] store::credential_hash hash(store::credential_kind kind, const crypto::session_id& session,
                                            std::string_view code) const;

  // HMAC-SHA-256(credential_key, "pingyi-device-secret" ‖ session id ‖ lp(member) ‖ device_key ‖
  // I2OSP(check_in_seq, 8)): derived rather than drawn, so that a tablet repeating its check-in
  // (its reply lost) is answered exactly as the first time. check_in_seq is the seq of the
  // member's latest check_in record, so every check_in record rotates the secret.
  [[nodiscard]] device_secret derive_device_secret(const crypto::session_id& session, std::string_view member,
                                                   const crypto::verify_key& device_key,
                                                   std::uint64_t check_in_seq) const;

 private:
  store::secret key_;
};

// The secrets file entry of the credential key.
inline constexpr std::string_view credential_key_name = "credential_key";

// Reads the credential key from the secrets file, creating the file (0600) or adding the entry
// when either is missing. Fails with a message for the operator.
[[nodiscard]] store::result<store::secret> load_credential_key(const std::filesystem::path& secrets_file,
                                                               crypto::random_source& rng);

// "session.<64 hex>.signing_key" (the Ed25519 seed), ".token_key" (skT), ".trustee_key" (x).
[[nodiscard]] std::string session_secret_name(const crypto::session_id& session, std::string_view what);

// Rebuilds a session's server keys from the secrets file; the message names the missing or bad
// entry (never its value).
[[nodiscard]] store::result<core::server_keys> read_session_keys(const store::secrets& file,
                                                                 const crypto::session_id& session);
// Adds a session's keys to the secrets file (read, extended, replaced atomically). Called from
// one thread at a time (the service's secrets strand), before the session's genesis is written.
[[nodiscard]] store::status write_session_keys(const std::filesystem::path& secrets_file,
                                               const crypto::session_id& session, const core::server_keys& keys);

// Compares the presented admin token with the configured one without leaking, through timing,
// how much of it matched (both are hashed first, so even the length is not revealed).
[[nodiscard]] bool admin_token_matches(std::string_view expected, std::string_view presented) noexcept;

}  // namespace pingyi::net
