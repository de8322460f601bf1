// The tablet's long-term device-key signatures (DESIGN.md §2, §3.2, §3.6): the check-in, each
// token request, and each "I have voted" declaration. The server cannot invent any of them.
#pragma once

#include <cstdint>
#include <string_view>

#include "pingyi/crypto/bytes.hpp"
#include "pingyi/crypto/ed25519.hpp"
#include "pingyi/crypto/point.hpp"
#include "pingyi/crypto/result.hpp"
#include "pingyi/crypto/session_id.hpp"

namespace pingyi::crypto {

// "pingyi-v1-checkin" ‖ session_id ‖ lp(member) ‖ device_key
[[nodiscard]] bytes checkin_message(const session_id& sid, std::string_view member, const verify_key& device_key);
// "pingyi-v1-token-request" ‖ session_id ‖ I2OSP(round, 4) ‖ B
[[nodiscard]] bytes token_request_message(const session_id& sid, std::uint32_t round, const point& blinded);
// "pingyi-v1-voted" ‖ session_id ‖ I2OSP(round, 4)
[[nodiscard]] bytes voted_message(const session_id& sid, std::uint32_t round);

// verify_checkin fails with out_of_range ("member") for a member id of 65,536 bytes or more
// (lp cannot encode it; a signature made for such an id never verifies); every verify_* fails
// with invalid_signature otherwise.
[[nodiscard]] signature sign_checkin(const signing_key& device, const session_id& sid, std::string_view member);
[[nodiscard]] status verify_checkin(const verify_key& device_key, const session_id& sid, std::string_view member,
                                    const signature& sig);

[[nodiscard]] signature sign_token_request(const signing_key& device, const session_id& sid, std::uint32_t round,
                                           const point& blinded);
[[nodiscard]] status verify_token_request(const verify_key& device_key, const session_id& sid, std::uint32_t round,
                                          const point& blinded, const signature& sig);

[[nodiscard]] signature sign_voted(const signing_key& device, const session_id& sid, std::uint32_t round);
[[nodiscard]] status verify_voted(const verify_key& device_key, const session_id& sid, std::uint32_t round,
                                  const signature& sig);

}  // namespace pingyi::crypto
