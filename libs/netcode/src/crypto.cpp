#include "crypto.hpp"

#include <sodium.h>

#include <mutex>

namespace gapkit::netcode {

Status Initialize() {
    static std::once_flag once;
    static int result = -1;
    std::call_once(once, [] { result = sodium_init(); });
    if (result < 0) {
        return common::MakeError(common::ErrorCode::kInternal, "libsodium initialisation (sodium_init) failed");
    }
    return common::Ok();
}

void RandomBytes(std::span<std::uint8_t> out) {
    // randombytes_buf works without sodium_init, but init picks the best entropy source first.
    (void)Initialize();
    randombytes_buf(out.data(), out.size());
}

Key GenerateKey() {
    Key key;
    RandomBytes(key);
    return key;
}

}  // namespace gapkit::netcode

namespace gapkit::netcode::detail {

static_assert(crypto_aead_chacha20poly1305_IETF_NPUBBYTES == 12);
static_assert(crypto_aead_xchacha20poly1305_IETF_NPUBBYTES == kConnectTokenNonceBytes);
static_assert(crypto_aead_chacha20poly1305_IETF_ABYTES == kMacBytes);
static_assert(crypto_aead_xchacha20poly1305_IETF_ABYTES == kMacBytes);

PacketNonce SequenceNonce(std::uint64_t sequence) {
    PacketNonce nonce{};
    for (int i = 0; i < 8; ++i) nonce[4 + i] = static_cast<std::uint8_t>(sequence >> (8 * i));
    return nonce;
}

void SealChaCha(std::span<std::uint8_t> sealed, std::span<const std::uint8_t> ad, const PacketNonce& nonce,
                const Key& key) {
    unsigned long long sealed_bytes = 0;
    crypto_aead_chacha20poly1305_ietf_encrypt(sealed.data(), &sealed_bytes, sealed.data(), sealed.size() - kMacBytes,
                                              ad.data(), ad.size(), nullptr, nonce.data(), key.data());
}

bool OpenChaCha(std::span<std::uint8_t> sealed, std::span<const std::uint8_t> ad, const PacketNonce& nonce,
                const Key& key) {
    unsigned long long opened_bytes = 0;
    return crypto_aead_chacha20poly1305_ietf_decrypt(sealed.data(), &opened_bytes, nullptr, sealed.data(),
                                                     sealed.size(), ad.data(), ad.size(), nonce.data(),
                                                     key.data()) == 0;
}

void SealXChaCha(std::span<std::uint8_t> sealed, std::span<const std::uint8_t> ad, const ConnectTokenNonce& nonce,
                 const Key& key) {
    unsigned long long sealed_bytes = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(sealed.data(), &sealed_bytes, sealed.data(), sealed.size() - kMacBytes,
                                               ad.data(), ad.size(), nullptr, nonce.data(), key.data());
}

bool OpenXChaCha(std::span<std::uint8_t> sealed, std::span<const std::uint8_t> ad, const ConnectTokenNonce& nonce,
                 const Key& key) {
    unsigned long long opened_bytes = 0;
    return crypto_aead_xchacha20poly1305_ietf_decrypt(sealed.data(), &opened_bytes, nullptr, sealed.data(),
                                                      sealed.size(), ad.data(), ad.size(), nonce.data(),
                                                      key.data()) == 0;
}

}  // namespace gapkit::netcode::detail
