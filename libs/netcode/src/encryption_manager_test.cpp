#include "encryption_manager.hpp"

#include <gtest/gtest.h>

namespace gapkit::netcode::detail {
namespace {

EncryptionEntry Entry(std::uint16_t port, double now, double expire, int timeout) {
    EncryptionEntry entry;
    entry.address = Address::Ipv4(127, 0, 0, 1, port);
    entry.send_key[0] = static_cast<std::uint8_t>(port);
    entry.last_access_seconds = now;
    entry.expire_seconds = expire;
    entry.timeout_seconds = timeout;
    return entry;
}

TEST(EncryptionManager, FindsLiveEntriesAndRefreshesThem) {
    EncryptionManager manager;
    ASSERT_TRUE(manager.Add(Entry(1, 0, -1, 5), 0));
    EXPECT_NE(manager.Find(Address::Ipv4(127, 0, 0, 1, 1), 4.0), nullptr);
    EXPECT_NE(manager.Find(Address::Ipv4(127, 0, 0, 1, 1), 8.0), nullptr) << "the find at 4 s refreshed it";
    EXPECT_EQ(manager.Find(Address::Ipv4(127, 0, 0, 1, 1), 13.5), nullptr) << "idle for more than 5 s";
    EXPECT_EQ(manager.Find(Address::Ipv4(127, 0, 0, 1, 2), 0), nullptr);
}

TEST(EncryptionManager, AbsoluteDeadlineExpiresEvenWhenUsed) {
    EncryptionManager manager;
    ASSERT_TRUE(manager.Add(Entry(1, 10, 10, 0), 10));  // timeout 0: expire = now + 0
    EXPECT_NE(manager.Find(Address::Ipv4(127, 0, 0, 1, 1), 10), nullptr);
    EXPECT_EQ(manager.Find(Address::Ipv4(127, 0, 0, 1, 1), 10.1), nullptr);
}

TEST(EncryptionManager, AddReplacesTheSameAddressAndReusesExpiredEntries) {
    EncryptionManager manager;
    for (std::size_t i = 0; i < EncryptionManager::kCapacity; ++i) {
        ASSERT_TRUE(manager.Add(Entry(static_cast<std::uint16_t>(i + 1), 0, 1, 1), 0));
    }
    EXPECT_FALSE(manager.Add(Entry(60000, 0, 1, 1), 0)) << "full of live entries";
    EXPECT_TRUE(manager.Add(Entry(1, 0, 1, 1), 0)) << "same address refreshes";
    EXPECT_TRUE(manager.Add(Entry(60000, 5, 10, 1), 5)) << "expired entries are reused";
    EXPECT_NE(manager.Find(Address::Ipv4(127, 0, 0, 1, 60000), 5), nullptr);
    manager.Remove(Address::Ipv4(127, 0, 0, 1, 60000));
    EXPECT_EQ(manager.Find(Address::Ipv4(127, 0, 0, 1, 60000), 5), nullptr);
}

}  // namespace
}  // namespace gapkit::netcode::detail
