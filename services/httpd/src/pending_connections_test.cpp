#include "pending_connections.hpp"

#include <vector>

#include <gtest/gtest.h>

namespace gapkit::httpd {
namespace {

TEST(PendingConnections, FullRegistryEvictsTheOldestFirst) {
    PendingConnections pending(2);
    std::vector<int> closed;
    pending.Add([&] { closed.push_back(1); });
    const auto second = pending.Add([&] { closed.push_back(2); });
    pending.Add([&] { closed.push_back(3); });
    EXPECT_EQ(closed, std::vector<int>{1});
    pending.Remove(second);
    pending.Add([&] { closed.push_back(4); });
    EXPECT_EQ(closed, std::vector<int>{1});
    EXPECT_EQ(pending.size(), 2);
    EXPECT_EQ(pending.EvictOldest(5), 2);
    EXPECT_EQ(closed, (std::vector<int>{1, 3, 4}));
    EXPECT_EQ(pending.evicted(), 3u);
}

TEST(PendingConnections, GuardRemovesOnScopeExit) {
    PendingConnections pending(1);
    bool closed = false;
    {
        PendingGuard guard(pending, [&] { closed = true; });
        EXPECT_EQ(pending.size(), 1);
    }
    EXPECT_EQ(pending.size(), 0);
    pending.Add([] {});
    EXPECT_FALSE(closed);
}

}  // namespace
}  // namespace gapkit::httpd
