#include "gapkit/server/certificate.hpp"

#include <memory>
#include <vector>

#include <fmt/core.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "gapkit/netcode/address.hpp"

namespace gapkit::server {

using common::ErrorCode;
using common::Result;

namespace {

struct Free {
    void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
    void operator()(X509* cert) const { X509_free(cert); }
    void operator()(BIO* bio) const { BIO_free(bio); }
    void operator()(X509_EXTENSION* ext) const { X509_EXTENSION_free(ext); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, Free>;
using CertPtr = std::unique_ptr<X509, Free>;
using BioPtr = std::unique_ptr<BIO, Free>;
using ExtensionPtr = std::unique_ptr<X509_EXTENSION, Free>;

// Takes OpenSSL's queued reason so the message says why, and leaves the queue empty for others.
common::Error OpenSslError(std::string_view step) {
    const unsigned long code = ERR_get_error();
    ERR_clear_error();
    char reason[256] = "unknown reason";
    if (code != 0) ERR_error_string_n(code, reason, sizeof(reason));
    return common::Error(ErrorCode::kInternal, fmt::format("self-signed certificate: {}: {}", step, reason));
}

Result<std::string> ToPem(const auto& write) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || write(bio.get()) != 1) return common::Fail(OpenSslError("writing PEM"));
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(size));
}

bool SetName(X509* cert, std::string_view common_name) {
    X509_NAME* name = X509_get_subject_name(cert);
    const std::string cn(common_name);
    return X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(cn.c_str()), -1,
                                      -1, 0) == 1 &&
           X509_set_issuer_name(cert, name) == 1;
}

bool AddAltName(X509* cert, std::string_view common_name) {
    const bool is_ip = netcode::Address::FromIp(common_name, 1).has_value();
    const std::string value = fmt::format("{}:{}", is_ip ? "IP" : "DNS", common_name);
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
    ExtensionPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, NID_subject_alt_name, value.c_str()));
    return ext && X509_add_ext(cert, ext.get(), -1) == 1;
}

Result<CertPtr> BuildCertificate(EVP_PKEY* key, std::string_view common_name, std::chrono::seconds validity) {
    CertPtr cert(X509_new());
    std::uint8_t serial[16];
    if (!cert || RAND_bytes(serial, sizeof(serial)) != 1) return common::Fail(OpenSslError("allocating"));
    serial[0] &= 0x7f;  // A positive serial number, as RFC 5280 requires.
    BIGNUM* serial_bn = BN_bin2bn(serial, sizeof(serial), nullptr);
    const bool serial_ok = serial_bn && BN_to_ASN1_INTEGER(serial_bn, X509_get_serialNumber(cert.get()));
    BN_free(serial_bn);
    // Chromium refuses a pinned certificate unless its clock is past notBefore, and a player's clock
    // may run behind the server's: the validity starts in the past, its span stays `validity`.
    const long not_before = -static_cast<long>(kCertificateBackdate.count());
    const bool ok = serial_ok && X509_set_version(cert.get(), 2) == 1 &&
                    X509_gmtime_adj(X509_getm_notBefore(cert.get()), not_before) &&
                    X509_gmtime_adj(X509_getm_notAfter(cert.get()), not_before + static_cast<long>(validity.count())) &&
                    X509_set_pubkey(cert.get(), key) == 1 && SetName(cert.get(), common_name) &&
                    (common_name.empty() || AddAltName(cert.get(), common_name)) &&
                    X509_sign(cert.get(), key, EVP_sha256()) > 0;
    if (!ok) return common::Fail(OpenSslError("building the certificate"));
    return cert;
}

Result<std::string> DerDigest(X509* cert) {
    unsigned char* der = nullptr;
    const int size = i2d_X509(cert, &der);
    if (size <= 0) return common::Fail(OpenSslError("encoding DER"));
    std::uint8_t digest[EVP_MAX_MD_SIZE];
    unsigned int digest_size = 0;
    const int hashed = EVP_Digest(der, static_cast<std::size_t>(size), digest, &digest_size, EVP_sha256(), nullptr);
    OPENSSL_free(der);
    if (hashed != 1) return common::Fail(OpenSslError("hashing"));
    return FormatDigest(std::span<const std::uint8_t>(digest, digest_size));
}

}  // namespace

Result<SelfSignedCertificate> CreateSelfSignedCertificate(std::string_view common_name, std::chrono::seconds validity) {
    KeyPtr key(EVP_EC_gen("P-256"));
    if (!key) return common::Fail(OpenSslError("generating the P-256 key"));
    auto cert = BuildCertificate(key.get(), common_name, validity);
    if (!cert) return common::Fail(cert.error());
    auto cert_pem = ToPem([&](BIO* bio) { return PEM_write_bio_X509(bio, cert->get()); });
    auto key_pem = ToPem(
        [&](BIO* bio) { return PEM_write_bio_PrivateKey(bio, key.get(), nullptr, nullptr, 0, nullptr, nullptr); });
    auto digest = DerDigest(cert->get());
    if (!cert_pem || !key_pem || !digest) {
        return common::Fail(!cert_pem ? cert_pem.error() : (!key_pem ? key_pem.error() : digest.error()));
    }
    return SelfSignedCertificate{std::move(*cert_pem), std::move(*key_pem), std::move(*digest)};
}

std::string FormatDigest(std::span<const std::uint8_t> bytes) {
    std::string text;
    text.reserve(bytes.size() * 3);
    for (std::uint8_t byte : bytes) {
        if (!text.empty()) text += ':';
        text += fmt::format("{:02x}", byte);
    }
    return text;
}

}  // namespace gapkit::server
