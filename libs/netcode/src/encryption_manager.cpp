#include "encryption_manager.hpp"

#include <algorithm>

namespace gapkit::netcode::detail {

bool EncryptionManager::Expired(const EncryptionEntry& entry, double now_seconds) {
    return (entry.timeout_seconds > 0 && entry.last_access_seconds + entry.timeout_seconds < now_seconds) ||
           (entry.expire_seconds >= 0 && entry.expire_seconds < now_seconds);
}

bool EncryptionManager::Add(const EncryptionEntry& entry, double now_seconds) {
    auto same = std::find_if(entries_.begin(), entries_.end(),
                             [&](const EncryptionEntry& e) { return e.address == entry.address; });
    if (same == entries_.end()) {
        same = std::find_if(entries_.begin(), entries_.end(),
                            [&](const EncryptionEntry& e) { return Expired(e, now_seconds); });
    }
    if (same != entries_.end()) {
        *same = entry;
    } else if (entries_.size() < kCapacity) {
        entries_.push_back(entry);
    } else {
        return false;
    }
    return true;
}

EncryptionEntry* EncryptionManager::Find(const Address& address, double now_seconds) {
    auto found =
        std::find_if(entries_.begin(), entries_.end(), [&](const EncryptionEntry& e) { return e.address == address; });
    if (found == entries_.end() || Expired(*found, now_seconds)) return nullptr;
    found->last_access_seconds = now_seconds;
    return &*found;
}

void EncryptionManager::Remove(const Address& address) {
    std::erase_if(entries_, [&](const EncryptionEntry& e) { return e.address == address; });
}

}  // namespace gapkit::netcode::detail
