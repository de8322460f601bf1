// The device-key signatures of a member's tablet (DESIGN.md §2, §3.2, §3.6; see device.hpp).
// Each message starts with its own domain tag, so no signature made for one purpose verifies
// for another, and each carries the session id, so none is valid in another session.
#include "pingyi/crypto/device.hpp"

namespace pingyi::crypto {

namespace {
// lp() carries a two-byte length: a longer member id would be ambiguous, so it never verifies
// (the roster refuses such ids long before; this is the crypto layer's own guard).
constexpr std::size_t max_member_bytes = 0xFFFF;
}  // namespace

// §3.6 check_in: the key is bound to the member, so the server cannot move a check-in to
// another member or another device key.
bytes checkin_message(const session_id& sid, std::string_view member, const verify_key& device_key) {
  transcript t;
  t.raw("pingyi-v1-checkin").raw(sid).lp(member).raw(device_key.bytes());
  return std::move(t).take();
}

// §3.2 step 2: the server cannot issue a token the member did not ask for.
bytes token_request_message(const session_id& sid, std::uint32_t round, const point& blinded) {
  transcript t;
  t.raw("pingyi-v1-token-request").raw(sid).u32(round).raw(blinded.bytes());
  return std::move(t).take();
}

// §3.2 step 4: the declaration that bounds ballot stuffing (undeclared = ballots − declarations).
bytes voted_message(const session_id& sid, std::uint32_t round) {
  transcript t;
  t.raw("pingyi-v1-voted").raw(sid).u32(round);
  return std::move(t).take();
}

signature sign_checkin(const signing_key& device, const session_id& sid, std::string_view member) {
  return device.sign(checkin_message(sid, member, device.public_key()));
}

status verify_checkin(const verify_key& device_key, const session_id& sid, std::string_view member,
                      const signature& sig) {
  if (member.size() > max_member_bytes) return fail(error::out_of_range, "member");
  return verify(device_key, checkin_message(sid, member, device_key), sig);
}

signature sign_token_request(const signing_key& device, const session_id& sid, std::uint32_t round,
                             const point& blinded) {
  return device.sign(token_request_message(sid, round, blinded));
}

status verify_token_request(const verify_key& device_key, const session_id& sid, std::uint32_t round,
                            const point& blinded, const signature& sig) {
  return verify(device_key, token_request_message(sid, round, blinded), sig);
}

signature sign_voted(const signing_key& device, const session_id& sid, std::uint32_t round) {
  return device.sign(voted_message(sid, round));
}

status verify_voted(const verify_key& device_key, const session_id& sid, std::uint32_t round, const signature& sig) {
  return verify(device_key, voted_message(sid, round), sig);
}

}  // namespace pingyi::crypto
