#pragma once

/// @file
/// The game server's self-signed certificate: an ECDSA P-256 key and an X.509 certificate for its
/// public ip, whose SHA-256 digest the matchmaker hands to clients (WebTransport pins servers by
/// this digest instead of a CA chain, and allows at most 14 days of validity).
///
/// Thread-safe free functions; the returned value owns copies of everything.

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "gapkit/common/result.hpp"

namespace gapkit::server {

/// Longest validity WebTransport accepts for a certificate pinned by digest.
inline constexpr std::chrono::hours kCertificateValidity{14 * 24};
/// How far before its creation a certificate's validity starts, for players whose clock runs
/// behind: a browser refuses a pinned certificate that is not yet valid by its own clock.
inline constexpr std::chrono::seconds kCertificateBackdate{3600};

struct SelfSignedCertificate {
    std::string certificate_pem;  ///< "-----BEGIN CERTIFICATE-----..." text.
    std::string private_key_pem;  ///< PKCS#8 "-----BEGIN PRIVATE KEY-----" text. Secret: never log it.
    std::string sha256_digest;    ///< SHA-256 of the certificate's DER, as `FormatDigest` writes it.
};

/// Creates a new P-256 key and a certificate with subject and issuer CN = `common_name` (and a
/// subjectAltName for it when it is an IP address), valid for `validity` from `kCertificateBackdate`
/// before now. Errors carry
/// OpenSSL's reason.
common::Result<SelfSignedCertificate> CreateSelfSignedCertificate(std::string_view common_name,
                                                                  std::chrono::seconds validity = kCertificateValidity);

/// Lower-case hex pairs joined by ':' ("ab:cd:01"); "" for no bytes.
std::string FormatDigest(std::span<const std::uint8_t> bytes);

}  // namespace gapkit::server
