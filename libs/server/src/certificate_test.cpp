#include "gapkit/server/certificate.hpp"

#include <ctime>
#include <memory>

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

namespace gapkit::server {
namespace {

// "xx:xx:...:xx" with `pairs` lower-case hex pairs.
bool IsColonHex(const std::string& text, std::size_t pairs) {
    if (text.size() != pairs * 3 - 1) return false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        const bool ok = i % 3 == 2 ? c == ':' : ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
        if (!ok) return false;
    }
    return true;
}

TEST(Certificate, FormatDigestIsLowercaseColonSeparatedHex) {
    const std::uint8_t bytes[] = {0xab, 0xcd, 0x01, 0x00, 0xff};
    EXPECT_EQ(FormatDigest(bytes), "ab:cd:01:00:ff");
    EXPECT_EQ(FormatDigest({}), "");
}

TEST(Certificate, SelfSignedP256ValidForFourteenDaysWithMatchingDigest) {
    auto cert = CreateSelfSignedCertificate("203.0.113.7");
    ASSERT_TRUE(cert) << cert.error().ToString();
    EXPECT_TRUE(IsColonHex(cert->sha256_digest, 32)) << cert->sha256_digest;
    EXPECT_NE(cert->private_key_pem.find("BEGIN PRIVATE KEY"), std::string::npos);

    std::unique_ptr<BIO, decltype(&BIO_free)> bio(
        BIO_new_mem_buf(cert->certificate_pem.data(), static_cast<int>(cert->certificate_pem.size())), BIO_free);
    std::unique_ptr<X509, decltype(&X509_free)> x509(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr),
                                                     X509_free);
    ASSERT_TRUE(x509);
    std::uint8_t digest[32];
    unsigned int size = 0;
    ASSERT_EQ(X509_digest(x509.get(), EVP_sha256(), digest, &size), 1);
    EXPECT_EQ(FormatDigest(std::span<const std::uint8_t>(digest, size)), cert->sha256_digest);

    int days = 0;
    int seconds = 0;
    ASSERT_EQ(ASN1_TIME_diff(&days, &seconds, X509_get0_notBefore(x509.get()), X509_get0_notAfter(x509.get())), 1);
    EXPECT_EQ(days, 14);
    EXPECT_EQ(seconds, 0);
    // Valid from an hour ago, for a player whose clock runs behind.
    ASSERT_EQ(X509_cmp_time(X509_get0_notBefore(x509.get()), nullptr), -1);
    std::time_t hour_ago_and_a_minute = std::time(nullptr) - 3660;
    EXPECT_EQ(X509_cmp_time(X509_get0_notBefore(x509.get()), &hour_ago_and_a_minute), 1);
    EVP_PKEY* key = X509_get0_pubkey(x509.get());
    ASSERT_NE(key, nullptr);
    EXPECT_TRUE(EVP_PKEY_is_a(key, "EC"));
    EXPECT_EQ(EVP_PKEY_get_bits(key), 256);
    EXPECT_EQ(X509_verify(x509.get(), key), 1);
    char cn[64] = {};
    X509_NAME_get_text_by_NID(X509_get_subject_name(x509.get()), NID_commonName, cn, sizeof(cn));
    EXPECT_STREQ(cn, "203.0.113.7");
}

TEST(Certificate, EachCallMakesANewKey) {
    auto a = CreateSelfSignedCertificate("localhost");
    auto b = CreateSelfSignedCertificate("localhost");
    ASSERT_TRUE(a && b);
    EXPECT_NE(a->sha256_digest, b->sha256_digest);
}

}  // namespace
}  // namespace gapkit::server
