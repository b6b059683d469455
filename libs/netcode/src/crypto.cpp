#include "crypto.hpp"

#include <sodium.h>

#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <mutex>

namespace gapkit::netcode {

namespace {

// Token secrets are drawn at matchmaker rates, and a getrandom system call per draw costs about as
// much as encrypting the private token. So each thread keeps a fast-key-erasure generator: the OS
// seeds a ChaCha20 key (libsodium's randombytes_buf_deterministic), every refill replaces the key
// with the first 32 output bytes, and handed-out bytes are wiped, so a later memory disclosure
// reveals nothing already used. A fork bumps the generation, which forces the child to re-seed.
constexpr std::size_t kPoolBytes = 1024;
std::atomic<std::uint64_t> fork_generation{0};

class RandomPool {
  public:
    ~RandomPool() { sodium_memzero(this, sizeof(*this)); }

    void Fill(std::span<std::uint8_t> out) {
        while (!out.empty()) {
            if (used_ == bytes_.size() || generation_ != fork_generation.load(std::memory_order_relaxed)) Refill();
            const std::size_t count = std::min(out.size(), bytes_.size() - used_);
            std::memcpy(out.data(), bytes_.data() + used_, count);
            sodium_memzero(bytes_.data() + used_, count);
            used_ += count;
            out = out.subspan(count);
        }
    }

  private:
    void Refill() {
        const std::uint64_t generation = fork_generation.load(std::memory_order_relaxed);
        if (generation_ != generation) {
            randombytes_buf(key_.data(), key_.size());
            generation_ = generation;
        }
        std::array<std::uint8_t, randombytes_SEEDBYTES + kPoolBytes> stream;
        randombytes_buf_deterministic(stream.data(), stream.size(), key_.data());
        std::memcpy(key_.data(), stream.data(), key_.size());
        std::memcpy(bytes_.data(), stream.data() + key_.size(), bytes_.size());
        sodium_memzero(stream.data(), stream.size());
        used_ = 0;
    }

    std::array<std::uint8_t, randombytes_SEEDBYTES> key_{};
    std::array<std::uint8_t, kPoolBytes> bytes_{};
    std::size_t used_ = kPoolBytes;
    std::uint64_t generation_ = ~std::uint64_t{0};
};

thread_local RandomPool random_pool;

}  // namespace

Status Initialize() {
    static std::once_flag once;
    static int result = -1;
    std::call_once(once, [] {
        result = sodium_init();
        pthread_atfork(nullptr, nullptr, [] { fork_generation.fetch_add(1); });
    });
    if (result < 0) {
        return common::MakeError(common::ErrorCode::kInternal, "libsodium initialisation (sodium_init) failed");
    }
    return common::Ok();
}

void RandomBytes(std::span<std::uint8_t> out) {
    // Initialize registers the fork handler the pool relies on.
    (void)Initialize();
    random_pool.Fill(out);
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
