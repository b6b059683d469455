#include "gapkit/common/byte_io.hpp"

#include <array>
#include <cmath>
#include <limits>

#include <gtest/gtest.h>

namespace gapkit::common {
namespace {

TEST(ByteIo, WritesLittleEndianAndReadsItBack) {
    std::array<std::uint8_t, 19> buffer{};
    ByteWriter writer(buffer);
    writer.U8(0xab);
    writer.U16(0x0102);
    writer.U32(0x03040506);
    writer.U64(0x0708090a0b0c0d0e);
    writer.F32(-1.5f);
    ASSERT_TRUE(writer.ok());
    EXPECT_EQ(writer.position(), buffer.size());
    EXPECT_EQ(buffer[1], 0x02);  // low byte first
    EXPECT_EQ(buffer[3], 0x06);

    ByteReader reader(buffer);
    EXPECT_EQ(reader.U8(), 0xab);
    EXPECT_EQ(reader.U16(), 0x0102);
    EXPECT_EQ(reader.U32(), 0x03040506u);
    EXPECT_EQ(reader.U64(), 0x0708090a0b0c0d0eu);
    EXPECT_EQ(reader.F32(), -1.5f);
    EXPECT_TRUE(reader.ok());
    EXPECT_EQ(reader.remaining(), 0u);
}

TEST(ByteIo, RunningPastTheEndFailsAndStaysFailed) {
    std::array<std::uint8_t, 3> buffer{1, 2, 3};
    ByteReader reader(buffer);
    EXPECT_EQ(reader.U32(), 0u);
    EXPECT_FALSE(reader.ok());
    EXPECT_EQ(reader.U8(), 0);  // even a read that would fit
    EXPECT_FALSE(reader.ok());

    ByteWriter writer(buffer);
    writer.U16(7);
    writer.U16(8);
    EXPECT_FALSE(writer.ok());
    EXPECT_EQ(writer.position(), 2u);
}

TEST(ByteIo, FloatsKeepEveryBitPatternForTheCallerToValidate) {
    std::array<std::uint8_t, 4> buffer{};
    ByteWriter writer(buffer);
    writer.F32(std::numeric_limits<float>::quiet_NaN());
    ByteReader reader(buffer);
    EXPECT_TRUE(std::isnan(reader.F32()));
}

}  // namespace
}  // namespace gapkit::common
