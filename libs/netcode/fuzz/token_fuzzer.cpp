// libFuzzer target for everything that parses token-related outside data: the public connect token
// (binary and base64), the decrypted private token, private keys, addresses, and the connection
// request a SessionGate receives over a game's own transport. Invariant: a token that reads is
// written again and reads back to the same fields.
#include <cstdint>
#include <string_view>

#include "gapkit/netcode/connect_token.hpp"
#include "gapkit/netcode/connection_request.hpp"
#include "gapkit/netcode/private_key.hpp"

namespace {

using namespace gapkit::netcode;

bool SameFields(const ConnectToken& a, const ConnectToken& b) {
    return a.protocol_id == b.protocol_id && a.create_timestamp == b.create_timestamp &&
           a.expire_timestamp == b.expire_timestamp && a.nonce == b.nonce && a.private_token == b.private_token &&
           a.timeout_seconds == b.timeout_seconds && a.server_addresses == b.server_addresses &&
           a.client_to_server_key == b.client_to_server_key && a.server_to_client_key == b.server_to_client_key;
}

void PublicToken(std::span<const std::uint8_t> bytes) {
    auto token = ReadConnectToken(bytes);
    if (!token) return;
    auto written = WriteConnectToken(*token);
    if (!written) __builtin_trap();
    auto reread = ReadConnectToken(*written);
    if (!reread || !SameFields(*token, *reread)) __builtin_trap();
    auto decoded = DecodeConnectTokenBase64(EncodeConnectTokenBase64(*written));
    if (!decoded || *decoded != *written) __builtin_trap();
}

void PrivateToken(std::span<const std::uint8_t> bytes) {
    auto token = ReadPrivateConnectToken(bytes);
    if (!token) return;
    auto written = WritePrivateConnectToken(*token);
    if (!written) __builtin_trap();
    auto reread = ReadPrivateConnectToken(*written);
    if (!reread || reread->client_id != token->client_id || reread->server_addresses != token->server_addresses ||
        reread->user_data != token->user_data) {
        __builtin_trap();
    }
}

// Any bytes, as a SessionGate gets them: only a request sealed with the key could open.
void ConnectionRequest(std::span<const std::uint8_t> bytes) {
    static const Key kKey{};
    const Address own[] = {Address::Ipv4(127, 0, 0, 1, 6420)};
    if (OpenConnectionRequest(bytes, 0, kKey, 0, own)) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::uint8_t> bytes(data, size);
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    PublicToken(bytes);
    PrivateToken(bytes);
    ConnectionRequest(bytes);
    if (size >= kConnectTokenBytes) PublicToken(bytes.first(kConnectTokenBytes));
    (void)DecodeConnectTokenBase64(text);
    (void)ParsePrivateKey(text);
    if (auto address = Address::Parse(text)) {
        auto again = Address::Parse(address->ToString());
        if (!again || *again != *address) __builtin_trap();
    }
    return 0;
}
