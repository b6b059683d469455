#include "gapkit/netcode/connect_token.hpp"

#include <gtest/gtest.h>

#include "gapkit/netcode/private_key.hpp"

namespace gapkit::netcode {
namespace {

ConnectTokenParams Params() {
    ConnectTokenParams params;
    params.protocol_id = 80085;
    params.private_key = GenerateKey();
    params.client_id = 1234;
    params.public_server_addresses = {Address::Ipv4(127, 0, 0, 1, 6420)};
    params.user_data.fill(7);
    return params;
}

TEST(ConnectToken, GeneratedTokenReadsBackAndDecrypts) {
    const auto params = Params();
    auto bytes = GenerateConnectToken(params, 1'700'000'000);
    ASSERT_TRUE(bytes.has_value());
    auto token = ReadConnectToken(*bytes);
    ASSERT_TRUE(token.has_value());
    EXPECT_EQ(token->protocol_id, 80085u);
    EXPECT_EQ(token->create_timestamp, 1'700'000'000u);
    EXPECT_EQ(token->expire_timestamp, 1'700'000'030u);
    EXPECT_EQ(token->timeout_seconds, 15);
    EXPECT_EQ(token->server_addresses, params.public_server_addresses);

    auto sealed = token->private_token;
    ASSERT_TRUE(DecryptPrivateConnectToken(sealed, 80085, token->expire_timestamp, token->nonce, params.private_key));
    auto private_token = ReadPrivateConnectToken(sealed);
    ASSERT_TRUE(private_token.has_value());
    EXPECT_EQ(private_token->client_id, 1234u);
    EXPECT_EQ(private_token->user_data, params.user_data);
    EXPECT_EQ(private_token->client_to_server_key, token->client_to_server_key);
    EXPECT_EQ(private_token->server_addresses, params.public_server_addresses);
}

TEST(ConnectToken, NegativeExpiryNeverExpires) {
    auto params = Params();
    params.expire_seconds = -1;
    auto token = ReadConnectToken(*GenerateConnectToken(params, 5));
    EXPECT_EQ(token->expire_timestamp, UINT64_MAX);
}

TEST(ConnectToken, PrivateTokenDoesNotDecryptWithOtherInputs) {
    const auto params = Params();
    const auto token = *ReadConnectToken(*GenerateConnectToken(params, 100));
    auto attempt = [&](std::uint64_t protocol_id, std::uint64_t expire, const Key& key) {
        auto sealed = token.private_token;
        return DecryptPrivateConnectToken(sealed, protocol_id, expire, token.nonce, key).has_value();
    };
    EXPECT_TRUE(attempt(80085, token.expire_timestamp, params.private_key));
    EXPECT_FALSE(attempt(80086, token.expire_timestamp, params.private_key));
    EXPECT_FALSE(attempt(80085, token.expire_timestamp + 1, params.private_key));
    EXPECT_FALSE(attempt(80085, token.expire_timestamp, GenerateKey()));
}

TEST(ConnectToken, RejectsBadParameters) {
    auto params = Params();
    params.public_server_addresses.clear();
    EXPECT_FALSE(GenerateConnectToken(params, 0).has_value());
    params.public_server_addresses.assign(33, Address::Ipv4(1, 2, 3, 4, 5));
    EXPECT_FALSE(GenerateConnectToken(params, 0).has_value());
    params.public_server_addresses.assign(32, Address::Parse("[ffff::ffff]:65535").value());
    EXPECT_TRUE(GenerateConnectToken(params, 0).has_value()) << "32 IPv6 addresses fit";
    params.public_server_addresses = {Address{}};
    EXPECT_FALSE(GenerateConnectToken(params, 0).has_value());
}

TEST(ConnectToken, ReaderRejectsHostileTokens) {
    const auto good = *GenerateConnectToken(Params(), 100);
    auto mutate = [&](std::size_t offset, std::uint8_t value) {
        auto bytes = good;
        bytes[offset] = value;
        return ReadConnectToken(bytes).has_value();
    };
    EXPECT_FALSE(ReadConnectToken(std::span(good).first(2047)).has_value());
    EXPECT_FALSE(mutate(0, 'X'));     // version
    EXPECT_FALSE(mutate(12, 1));      // version NUL
    EXPECT_FALSE(mutate(28, 0xff));   // create after expire
    EXPECT_FALSE(mutate(1089, 0));    // zero addresses
    EXPECT_FALSE(mutate(1089, 33));   // too many addresses
    EXPECT_FALSE(mutate(1093, 3));    // unknown address type
    EXPECT_TRUE(mutate(2047, 0xff));  // padding is not checked, as in the reference
}

TEST(ConnectToken, Base64IsStandardPaddedAndRoundTrips) {
    const auto token = *GenerateConnectToken(Params(), 100);
    const std::string text = EncodeConnectTokenBase64(token);
    ASSERT_EQ(text.size(), kConnectTokenBase64Chars);
    EXPECT_EQ(text.substr(0, 28), "TkVUQ09ERSAxLjAyANU4AQAAAAAA");  // "NETCODE 1.02\0" + 80085 LE
    EXPECT_EQ(text.back(), '=');
    EXPECT_EQ(*DecodeConnectTokenBase64("  " + text + "\n"), token);
    EXPECT_FALSE(DecodeConnectTokenBase64(text.substr(1)).has_value());
    std::string url_safe = text;
    url_safe[10] = '-';
    EXPECT_FALSE(DecodeConnectTokenBase64(url_safe).has_value());
}

TEST(PrivateKey, ParsesTheRustSystemsDecimalList) {
    auto key = ParsePrivateKey(
        "1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1");
    ASSERT_TRUE(key.has_value());
    EXPECT_EQ((*key)[0], 1);
    EXPECT_EQ((*key)[8], 9);
    EXPECT_EQ((*key)[31], 1);
    EXPECT_EQ(ParsePrivateKey("[1,2,3,4,5,6,7,8,9,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1]\n"), *key);
}

TEST(PrivateKey, ParsesHexAndBase64) {
    const Key key = GenerateKey();
    EXPECT_EQ(ParsePrivateKey(KeyToHex(key)), key);
    std::string upper = KeyToHex(key);
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    EXPECT_EQ(ParsePrivateKey(upper), key);
    // 32 bytes 0..31 in standard base64, padded and unpadded.
    const std::string base64 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    auto parsed = ParsePrivateKey(base64);
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ((*parsed)[31], 31);
    EXPECT_EQ(ParsePrivateKey(base64.substr(0, 43)), *parsed);
}

TEST(PrivateKey, RejectsEverythingElseWithoutEchoingIt) {
    for (const char* text : {"", "1, 2, 3", "1,2,3,4,5,6,7,8,9,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1,2",
                             "1,2,3,4,5,6,7,8,9,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,256",
                             "1,2,3,4,5,6,7,8,9,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,",
                             "zz6abe6ec91910ea9a6562f66f2b30e44371d62cd19927266b3c60f4b715aba1", "secretsecret"}) {
        auto key = ParsePrivateKey(text);
        ASSERT_FALSE(key.has_value()) << text;
        if (std::string_view(text).size() > 8) {
            EXPECT_EQ(key.error().message().find(text), std::string::npos);
        }
    }
}

}  // namespace
}  // namespace gapkit::netcode
