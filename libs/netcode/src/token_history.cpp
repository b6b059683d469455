#include "token_history.hpp"

#include <sodium.h>

namespace gapkit::netcode::detail {

bool TokenHistory::FindOrAdd(const Mac& mac, const Address& from, double now_seconds) {
    // Scan every entry whatever matches, with a constant-time MAC compare, so timing does not tell
    // an attacker which tokens the server has seen.
    std::size_t match = entries_.size();
    std::size_t oldest = 0;
    for (std::size_t i = 0; i < entries_.size(); ++i) {
        if (sodium_memcmp(entries_[i].mac.data(), mac.data(), mac.size()) == 0) match = i;
        if (entries_[i].time_seconds < entries_[oldest].time_seconds) oldest = i;
    }
    if (match != entries_.size()) return entries_[match].address == from;
    entries_[oldest] = Entry{now_seconds, mac, from};
    return true;
}

void TokenHistory::Clear() { entries_.assign(kEntries, Entry{}); }

}  // namespace gapkit::netcode::detail
