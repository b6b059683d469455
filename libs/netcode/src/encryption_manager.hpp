#pragma once

// The server's keys for addresses that sent a valid connection request but hold no slot yet, so
// their connection response can be decrypted. Entries expire by idle timeout and by an absolute
// deadline, as in the reference. Owned by the server's thread.

#include <vector>

#include "gapkit/netcode/address.hpp"
#include "gapkit/netcode/common.hpp"

namespace gapkit::netcode::detail {

struct EncryptionEntry {
    Address address;
    Key send_key{};     ///< Server to client.
    Key receive_key{};  ///< Client to server.
    double last_access_seconds = 0;
    double expire_seconds = -1;  ///< Absolute deadline; negative: none.
    int timeout_seconds = 0;     ///< Idle timeout; <= 0: none.
};

class EncryptionManager {
  public:
    /// The reference's pool size: four pending handshakes per client slot.
    static constexpr std::size_t kCapacity = kMaxClients * 4;

    /// Adds or refreshes the entry of `entry.address`. False when every entry is live.
    bool Add(const EncryptionEntry& entry, double now_seconds);

    /// The live entry of `address`, its last access set to now; null when missing or expired.
    EncryptionEntry* Find(const Address& address, double now_seconds);

    void Remove(const Address& address);
    void Clear() { entries_.clear(); }

  private:
    static bool Expired(const EncryptionEntry& entry, double now_seconds);

    std::vector<EncryptionEntry> entries_;
};

}  // namespace gapkit::netcode::detail
