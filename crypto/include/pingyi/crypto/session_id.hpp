// The session identifier: the SHA-256 hash of the session's genesis line (DESIGN.md §3.6).
// Inside every hash and signature input it is these raw 32 bytes, never its hex text.
#pragma once

#include "pingyi/crypto/bytes.hpp"

namespace pingyi::crypto {

using session_id = byte_array<32>;

}  // namespace pingyi::crypto
