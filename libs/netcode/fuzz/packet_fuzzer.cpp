// libFuzzer target for the packet reader (build with -DGAPKIT_FUZZ=ON and clang; see
// docs/protocol/netcode.md). The first input byte picks a mode:
//   even: the rest is a datagram as received from the network, read as server and as client;
//   odd:  the rest is prefix, sequence and plaintext body, sealed with the test key first, so the
//         fuzzer reaches the per-type body checks behind the MAC.
// Invariant: every packet that reads back is written again and reads back the same.
#include <cstdint>
#include <cstring>
#include <vector>

#include "crypto.hpp"
#include "gapkit/netcode/packet.hpp"

namespace {

using namespace gapkit::netcode;

constexpr std::uint64_t kProtocolId = 0x1122334455667788;
const Key kKey = [] {
    Key key{};
    for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<std::uint8_t>(i * 7 + 1);
    return key;
}();

std::vector<std::uint8_t> Seal(const std::uint8_t* data, std::size_t size) {
    std::vector<std::uint8_t> datagram(data, data + size);
    if (size < 2) return datagram;
    const std::size_t sequence_bytes = std::min<std::size_t>(std::max<std::size_t>(datagram[0] >> 4, 1), 8);
    if (size < 1 + sequence_bytes) return datagram;
    std::uint64_t sequence = 0;
    for (std::size_t i = 0; i < sequence_bytes; ++i) sequence |= std::uint64_t{datagram[1 + i]} << (8 * i);
    datagram[0] = static_cast<std::uint8_t>((sequence_bytes << 4) | (datagram[0] & 0x0f));
    datagram.resize(size + kMacBytes);
    std::vector<std::uint8_t> ad(kVersionInfo.begin(), kVersionInfo.end());
    for (int i = 0; i < 8; ++i) ad.push_back(static_cast<std::uint8_t>(kProtocolId >> (8 * i)));
    ad.push_back(datagram[0]);
    detail::SealChaCha(std::span(datagram).subspan(1 + sequence_bytes), ad, detail::SequenceNonce(sequence), kKey);
    return datagram;
}

void CheckRoundTrip(const ReadPacketResult& read, std::uint8_t allowed) {
    if (TypeOf(read.packet) == PacketType::kConnectionRequest) return;  // read decrypts the token in place
    std::vector<std::uint8_t> again(kMaxPacketBytes + 64);
    auto size = WritePacket(read.packet, read.sequence, kKey, kProtocolId, again);
    if (!size) __builtin_trap();
    again.resize(*size);
    PacketReadContext context{kProtocolId, 0, &kKey, &kKey, nullptr, allowed};
    auto reread = ReadPacket(again, context);
    if (!reread || reread->sequence != read.sequence || TypeOf(reread->packet) != TypeOf(read.packet)) __builtin_trap();
}

void ReadAs(std::vector<std::uint8_t> datagram, std::uint8_t allowed) {
    ReplayProtection replay;
    PacketReadContext context{kProtocolId, 0, &kKey, &kKey, &replay, allowed};
    auto read = ReadPacket(datagram, context);
    if (read) CheckRoundTrip(*read, allowed);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0 || size > 2 * kMaxPacketBytes) return 0;
    const bool seal = (data[0] & 1) != 0;
    std::vector<std::uint8_t> datagram = seal ? Seal(data + 1, size - 1) : std::vector<std::uint8_t>(data + 1, data + size);
    ReadAs(datagram, kServerAllowedPackets);
    ReadAs(datagram, kClientAllowedPackets);
    return 0;
}
