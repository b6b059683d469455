#include "spaceships/messages.hpp"

#include <cmath>
#include <cstring>
#include <limits>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace spaceships {
namespace {

using ::testing::HasSubstr;

Snapshot FullSnapshot() {
    Snapshot snapshot{.tick = 0xfedcba98u, .your_id = kMaxShips - 1, .ships = {}, .bullets = {}};
    for (int i = 0; i < kMaxShips; ++i) {
        snapshot.ships.push_back(ShipView{.id = static_cast<std::uint8_t>(i),
                                          .x = kArenaWidth - 0.5f,
                                          .y = 1.25f * i,
                                          .angle_radians = -3.0f,
                                          .score = 65535,
                                          .alive = i % 2 == 0,
                                          .thrusting = i % 3 == 0});
    }
    for (int i = 0; i < kMaxBullets; ++i) {
        snapshot.bullets.push_back(
            BulletView{.x = 10.0f * i, .y = kArenaHeight - 0.25f, .owner = static_cast<std::uint8_t>(i % kMaxShips)});
    }
    return snapshot;
}

std::string DecodeError(const std::vector<std::uint8_t>& bytes) {
    auto decoded = DecodeSnapshot(bytes);
    EXPECT_FALSE(decoded.has_value());
    return decoded ? std::string() : decoded.error().message();
}

void PutFloat(std::vector<std::uint8_t>& bytes, std::size_t offset, float value) {
    std::uint32_t bits = 0;
    std::memcpy(&bits, &value, sizeof bits);
    for (int i = 0; i < 4; ++i) bytes[offset + i] = static_cast<std::uint8_t>(bits >> (8 * i));
}

// Offsets inside an encoded snapshot.
constexpr std::size_t kFirstShip = kSnapshotHeaderBytes;
constexpr std::size_t kFirstBullet = kSnapshotHeaderBytes + kMaxShips * kShipViewBytes;

TEST(MessagesTest, InputRoundTripsEveryCombination) {
    for (int bits = 0; bits < 16; ++bits) {
        const PlayerInput input{.thrust = (bits & 1) != 0,
                                .turn_left = (bits & 2) != 0,
                                .turn_right = (bits & 4) != 0,
                                .fire = (bits & 8) != 0};
        const auto bytes = EncodeInput(input);
        ASSERT_EQ(bytes.size(), kInputBytes);
        auto decoded = DecodeInput(bytes);
        ASSERT_TRUE(decoded) << decoded.error().ToString();
        EXPECT_EQ(*decoded, input);
    }
}

TEST(MessagesTest, MalformedInputIsRefusedWithTheCause) {
    EXPECT_THAT(DecodeInput({}).error().message(), HasSubstr("0 bytes, expected 2"));
    EXPECT_THAT(DecodeInput(std::vector<std::uint8_t>{kInputType}).error().message(), HasSubstr("1 bytes"));
    EXPECT_THAT(DecodeInput(std::vector<std::uint8_t>{kInputType, 0, 0}).error().message(), HasSubstr("3 bytes"));
    EXPECT_THAT(DecodeInput(std::vector<std::uint8_t>{kSnapshotType, 0}).error().message(),
                HasSubstr("type byte 0x02"));
    EXPECT_THAT(DecodeInput(std::vector<std::uint8_t>{kInputType, 0x10}).error().message(),
                HasSubstr("unknown flags 0x10"));
    EXPECT_EQ(DecodeInput({}).error().code(), gapkit::common::ErrorCode::kProtocol);
}

TEST(MessagesTest, SnapshotRoundTrips) {
    const Snapshot empty{.tick = 7, .your_id = 2, .ships = {}, .bullets = {}};
    auto decoded_empty = DecodeSnapshot(EncodeSnapshot(empty));
    ASSERT_TRUE(decoded_empty) << decoded_empty.error().ToString();
    EXPECT_EQ(*decoded_empty, empty);

    const Snapshot full = FullSnapshot();
    auto decoded = DecodeSnapshot(EncodeSnapshot(full));
    ASSERT_TRUE(decoded) << decoded.error().ToString();
    EXPECT_EQ(*decoded, full);
    ASSERT_NE(decoded->FindShip(3), nullptr);
    EXPECT_EQ(decoded->FindShip(3)->id, 3);
}

TEST(MessagesTest, LargestSnapshotFitsOnePayload) {
    const auto bytes = EncodeSnapshot(FullSnapshot());
    EXPECT_EQ(bytes.size(), kMaxSnapshotBytes);
    EXPECT_LE(bytes.size(), 1200u);
}

TEST(MessagesTest, EncoderLeavesOutWhatIsOverTheCaps) {
    Snapshot snapshot = FullSnapshot();
    snapshot.bullets.resize(kMaxBullets + 5);
    auto decoded = DecodeSnapshot(EncodeSnapshot(snapshot));
    ASSERT_TRUE(decoded);
    EXPECT_EQ(decoded->bullets.size(), static_cast<std::size_t>(kMaxBullets));
}

TEST(MessagesTest, MalformedSnapshotIsRefusedWithTheCause) {
    const auto good = EncodeSnapshot(FullSnapshot());
    EXPECT_THAT(DecodeError({}), HasSubstr("shorter than the 8-byte header"));
    auto bytes = good;
    bytes[0] = kInputType;
    EXPECT_THAT(DecodeError(bytes), HasSubstr("type byte 0x01"));
    bytes = good;
    bytes.pop_back();
    EXPECT_THAT(DecodeError(bytes), HasSubstr("truncated"));
    bytes = good;
    bytes.push_back(0);
    EXPECT_THAT(DecodeError(bytes), HasSubstr("trailing bytes"));
    bytes = good;
    bytes[6] = kMaxShips + 1;
    EXPECT_THAT(DecodeError(bytes), HasSubstr("7 ships, at most 6"));
    bytes = good;
    bytes[7] = kMaxBullets + 1;
    EXPECT_THAT(DecodeError(bytes), HasSubstr("37 bullets, at most 36"));
}

TEST(MessagesTest, BadIdsAreRefused) {
    const auto good = EncodeSnapshot(FullSnapshot());
    auto bytes = good;
    bytes[5] = kMaxShips;
    EXPECT_THAT(DecodeError(bytes), HasSubstr("your_id 6 is not below 6"));
    bytes = good;
    bytes[kFirstShip] = 200;
    EXPECT_THAT(DecodeError(bytes), HasSubstr("ship id 200"));
    bytes = good;
    bytes[kFirstShip + kShipViewBytes] = 0;  // the second ship claims id 0 too
    EXPECT_THAT(DecodeError(bytes), HasSubstr("ship id 0 appears twice"));
    bytes = good;
    bytes[kFirstBullet + 8] = kMaxShips;
    EXPECT_THAT(DecodeError(bytes), HasSubstr("bullet owner 6"));
    bytes = good;
    bytes[kFirstShip + 15] = 0x80;
    EXPECT_THAT(DecodeError(bytes), HasSubstr("unknown ship flags 0x80"));
}

TEST(MessagesTest, NanAndOutOfRangeFloatsAreRefused) {
    const auto good = EncodeSnapshot(FullSnapshot());
    const float nan = std::numeric_limits<float>::quiet_NaN();
    const float inf = std::numeric_limits<float>::infinity();
    struct Case {
        std::size_t offset;
        float value;
        const char* expected;
    };
    const Case cases[] = {
        {kFirstShip + 1, nan, "x nan"},
        {kFirstShip + 1, -0.5f, "x -0.5"},
        {kFirstShip + 1, kArenaWidth, "x 1280"},
        {kFirstShip + 5, kArenaHeight, "y 720"},
        {kFirstShip + 9, 7.0f, "angle 7"},
        {kFirstShip + 9, inf, "angle inf"},
        {kFirstBullet, nan, "x nan"},
        {kFirstBullet + 4, -inf, "y -inf"},
    };
    for (const Case& c : cases) {
        auto bytes = good;
        PutFloat(bytes, c.offset, c.value);
        EXPECT_THAT(DecodeError(bytes), HasSubstr(c.expected)) << "offset " << c.offset;
    }
}

}  // namespace
}  // namespace spaceships
