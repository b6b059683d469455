#pragma once

/// @file
/// The netcode connection request as an admission ticket for games that keep their own transport
/// (ENet, Steam sockets, an engine's net driver): the client sends these bytes over its own channel
/// and a `server::SessionGate` checks them, with no netcode socket on either side.
///
/// Wire form: exactly the 1078-byte connection request packet netcode's client sends first
/// (packet.hpp, type 0): `0x00 || "NETCODE 1.02\0" || protocol id (u64 LE) || expire timestamp
/// (u64 LE, Unix s) || nonce (24 bytes) || encrypted private token (1008 bytes + 16-byte MAC)`. It
/// holds nothing the public connect token does not already carry, and only a holder of the
/// private key can open it.
///
/// Plain functions and a value type; the functions are safe from any thread, a `SpentConnectTokens`
/// belongs to one thread.

#include <array>
#include <cstddef>
#include <cstdint>
#include <set>
#include <span>
#include <utility>

#include "gapkit/netcode/address.hpp"
#include "gapkit/netcode/common.hpp"
#include "gapkit/netcode/connect_token.hpp"

namespace gapkit::netcode {

using ConnectionRequestBytes = std::array<std::uint8_t, kConnectionRequestPacketBytes>;

/// Client side: the connection request for a public connect token (as the matchmaker sent it).
/// Fails (`kInvalidArgument`) when `token` does not parse.
Result<ConnectionRequestBytes> MakeConnectionRequest(const ConnectTokenBytes& token);

/// What a server learns from a valid connection request.
struct OpenedConnectionRequest {
    PrivateConnectToken token;           ///< The decrypted private token.
    std::uint64_t expire_timestamp = 0;  ///< Unix seconds; the token is void from then on.
    Mac mac{};                           ///< The private token's MAC: names this token for replay checks.
};

/// Server side: checks and opens `bytes` (hostile input of any length). In this order: exactly
/// 1078 bytes, type 0, version, `protocol_id`, not expired at `now_unix_seconds` (these are
/// `kProtocol`), decrypts with `private_key` (`kUnauthenticated` when forged or tampered), parses
/// the private token (`kInvalidArgument`), and that it names one of `own_addresses`
/// (`kPermissionDenied`). Does not check replays: see `SpentConnectTokens`.
Result<OpenedConnectionRequest> OpenConnectionRequest(std::span<const std::uint8_t> bytes, std::uint64_t protocol_id,
                                                      const Key& private_key, std::uint64_t now_unix_seconds,
                                                      std::span<const Address> own_addresses);

/// The tokens a server has admitted, each kept until it expires, so that a token is used at most
/// once whatever channel it comes over (stricter than netcode's UDP history, which lets the same
/// address resend). Only tokens that decrypted are recorded, so its size is bounded by the tokens
/// the matchmaker minted for this server within their lifetime, and by `max_entries`.
class SpentConnectTokens {
  public:
    /// Default bound on remembered tokens: 65536 (about 2 MB).
    static constexpr std::size_t kDefaultMaxEntries = 65536;

    explicit SpentConnectTokens(std::size_t max_entries = kDefaultMaxEntries) : max_entries_(max_entries) {}

    /// Records the token named by `mac`. `kAlreadyExists` when it was spent before,
    /// `kResourceExhausted` when `max_entries` unexpired tokens are already kept. Forgets tokens
    /// expired at `now_unix_seconds` first. O(log n) amortized, even with the memory full.
    Status Spend(const Mac& mac, std::uint64_t expire_timestamp, std::uint64_t now_unix_seconds);

    std::size_t size() const { return spent_.size(); }

  private:
    std::size_t max_entries_;
    std::set<Mac> spent_;
    std::set<std::pair<std::uint64_t, Mac>> by_expiry_;  // The same tokens, soonest expiry first.
};

}  // namespace gapkit::netcode
