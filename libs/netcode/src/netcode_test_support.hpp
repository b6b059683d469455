#pragma once

// Helpers shared by the netcode tests: hex and SHA-256 of byte buffers.

#include <sodium.h>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace gapkit::netcode::testing {

inline std::string Hex(std::span<const std::uint8_t> bytes) {
    std::string text(2 * bytes.size() + 1, '\0');
    sodium_bin2hex(text.data(), text.size(), bytes.data(), bytes.size());
    text.pop_back();
    return text;
}

inline std::string Sha256Hex(std::span<const std::uint8_t> bytes) {
    std::uint8_t digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, bytes.data(), bytes.size());
    return Hex(digest);
}

}  // namespace gapkit::netcode::testing
