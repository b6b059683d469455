#include "seat.hpp"

#include <gtest/gtest.h>

#include "gapkit/bus/names.hpp"

namespace gapkit::matchmaker {
namespace {

TEST(Seat, SoloSeatIdIsTheSessionId) {
    EXPECT_EQ(SeatId("a1b2c3d4e5f6", ""), "a1b2c3d4e5f6");
    const Seat seat = ParseSeatId("a1b2c3d4e5f6");
    EXPECT_EQ(seat.session_id, "a1b2c3d4e5f6");
    EXPECT_TRUE(seat.ip.empty());
    EXPECT_FALSE(IsShared(seat));
}

TEST(Seat, SharedIpv4SeatJoinsSessionAndIpWithASlash) {
    EXPECT_EQ(SeatId("a1b2c3d4e5f6", "203.0.113.7"), "a1b2c3d4e5f6/203.0.113.7");
    const Seat seat = ParseSeatId("a1b2c3d4e5f6/203.0.113.7");
    EXPECT_EQ(seat, (Seat{"a1b2c3d4e5f6", "203.0.113.7"}));
    EXPECT_TRUE(IsShared(seat));
}

TEST(Seat, SharedIpv6SeatSplitsAtTheFirstSlashNotAtColons) {
    const std::string seat_id = SeatId("s-1", "2001:db8::1");
    EXPECT_EQ(seat_id, "s-1/2001:db8::1");
    EXPECT_EQ(ParseSeatId(seat_id), (Seat{"s-1", "2001:db8::1"}));
}

TEST(Seat, SessionIdsWithDotsColonsOrSpacesRoundTrip) {
    for (const std::string session_id : {"a.b", "a:b", "a b", "x=2E"}) {
        for (const std::string ip : {"", "198.51.100.1", "::1"}) {
            const std::string seat_id = SeatId(session_id, ip);
            EXPECT_EQ(ParseSeatId(seat_id), (Seat{session_id, ip})) << seat_id;
            EXPECT_EQ(SeatId(ParseSeatId(seat_id)), seat_id);
        }
    }
}

TEST(Seat, EverythingAfterTheFirstSlashIsTheIp) {
    // Outside data is not refused here: a key with two slashes still names one session.
    EXPECT_EQ(ParseSeatId("s/1.2.3.4/x"), (Seat{"s", "1.2.3.4/x"}));
    EXPECT_EQ(ParseSeatId("/1.2.3.4"), (Seat{"", "1.2.3.4"}));
}

TEST(Seat, SeatIdsRoundTripThroughBusKeys) {
    for (const std::string seat_id : {"a1b2c3", "a1b2c3/203.0.113.7", "a1b2c3/2001:db8::1", "a.b/10.0.0.1"}) {
        auto key = bus::names::EncodeIdToken(seat_id);
        ASSERT_TRUE(key) << key.error().ToString();
        EXPECT_EQ(key->find('/'), std::string::npos) << *key;
        EXPECT_EQ(key->find('.'), std::string::npos) << *key;
        auto decoded = bus::names::DecodeIdToken(*key);
        ASSERT_TRUE(decoded) << *key;
        EXPECT_EQ(*decoded, seat_id);
        EXPECT_EQ(ParseSeatId(*decoded), ParseSeatId(seat_id));
    }
}

}  // namespace
}  // namespace gapkit::matchmaker
