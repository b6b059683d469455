#pragma once

// The server's memory of recently used connect tokens, keyed by the private token's MAC, so a token
// captured on the wire cannot be replayed from another address while the owner's resends (same
// address) still pass. Owned by the server's thread.

#include <vector>

#include "gapkit/netcode/address.hpp"
#include "gapkit/netcode/common.hpp"

namespace gapkit::netcode::detail {

class TokenHistory {
  public:
    /// The reference's size: eight tokens per client slot.
    static constexpr std::size_t kEntries = kMaxClients * 8;

    TokenHistory() : entries_(kEntries) {}

    /// True when the token may be used from `from`: first use (recorded over the oldest entry) or a
    /// repeat from the same address. False when it was used from another address.
    bool FindOrAdd(const Mac& mac, const Address& from, double now_seconds);

    void Clear();

  private:
    struct Entry {
        double time_seconds = -1e18;
        Mac mac{};
        Address address;
    };

    std::vector<Entry> entries_;
};

}  // namespace gapkit::netcode::detail
