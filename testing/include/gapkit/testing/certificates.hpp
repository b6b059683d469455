#pragma once

/// @file
/// Self-signed TLS material for tests: a CA and a server certificate it signed, valid for
/// `localhost` and `127.0.0.1`. Generated with the `openssl` command (ECDSA P-256, 2 days).

#include <filesystem>
#include <string>

#include "gapkit/common/result.hpp"
#include "gapkit/testing/temp_dir.hpp"

namespace gapkit::testing {

/// Paths of the PEM files, all in one private folder, plus the CA certificate's text.
struct TestCertificates {
    std::filesystem::path ca_file;           ///< CA certificate (what clients trust).
    std::filesystem::path server_cert_file;  ///< Server certificate signed by the CA.
    std::filesystem::path server_key_file;   ///< The server certificate's private key.
    std::string ca_pem;                      ///< Contents of `ca_file`.
};

/// Generates a new CA and server certificate into `dir`.
common::Result<TestCertificates> GenerateTestCertificates(const std::filesystem::path& dir);

/// The process-wide set, generated on first use and cached (thread-safe); its folder is removed at
/// exit. An error (e.g. no `openssl` command) is cached as well.
const common::Result<TestCertificates>& SharedTestCertificates();

/// A second, unrelated set (also cached): a client trusting this CA must reject servers using the
/// shared set. For "wrong CA" tests.
const common::Result<TestCertificates>& OtherTestCertificates();

}  // namespace gapkit::testing
