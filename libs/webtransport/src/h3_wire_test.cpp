#include "h3_wire.hpp"

#include <gtest/gtest.h>

namespace gapkit::webtransport::detail {
namespace {

using Bytes = std::vector<std::uint8_t>;

TEST(H3Varint, UsesTheShortestEncodingAtEveryBoundary) {
    const std::pair<std::uint64_t, std::size_t> cases[] = {
        {0, 1},
        {63, 1},
        {64, 2},
        {16383, 2},
        {16384, 4},
        {(std::uint64_t{1} << 30) - 1, 4},
        {std::uint64_t{1} << 30, 8},
        {kMaxVarint, 8},
    };
    for (const auto& [value, size] : cases) {
        Bytes out;
        AppendVarint(out, value);
        EXPECT_EQ(VarintSize(value), size) << value;
        ASSERT_EQ(out.size(), size) << value;
        auto read = ReadVarint(out);
        ASSERT_TRUE(read) << value;
        EXPECT_EQ(read->first, value);
        EXPECT_EQ(read->second, size);
    }
}

TEST(H3Varint, ReadsTheRfc9000Examples) {
    const std::pair<Bytes, std::uint64_t> cases[] = {
        {{0xc2, 0x19, 0x7c, 0x5e, 0xff, 0x14, 0xe8, 0x8c}, 151288809941952652u},
        {{0x9d, 0x7f, 0x3e, 0x7d}, 494878333u},
        {{0x7b, 0xbd}, 15293u},
        {{0x25}, 37u},
        {{0x40, 0x25}, 37u},  // not the shortest form, still valid
    };
    for (const auto& [bytes, value] : cases) {
        auto read = ReadVarint(bytes);
        ASSERT_TRUE(read);
        EXPECT_EQ(read->first, value);
        EXPECT_EQ(read->second, bytes.size());
    }
}

TEST(H3Varint, ReadsNothingUntilAllItsBytesArrive) {
    EXPECT_FALSE(ReadVarint({}));
    Bytes full;
    AppendVarint(full, kMaxVarint);
    for (std::size_t size = 1; size < full.size(); ++size) {
        EXPECT_FALSE(ReadVarint(std::span(full).first(size))) << size;
    }
}

TEST(H3Frame, RoundTripsTypeLengthAndPayload) {
    const Bytes payload(300, 0xab);
    Bytes out;
    AppendFrame(out, 0x2b603742, payload);
    auto header = ReadFrameHeader(out);
    ASSERT_TRUE(header);
    EXPECT_EQ(header->type, 0x2b603742u);
    EXPECT_EQ(header->length, payload.size());
    EXPECT_EQ(header->header_bytes, 4u + 2u);
    EXPECT_EQ(Bytes(out.begin() + 6, out.end()), payload);
    for (std::size_t size = 0; size < header->header_bytes; ++size) {
        EXPECT_FALSE(ReadFrameHeader(std::span(out).first(size))) << size;
    }
}

TEST(H3Capsule, ReadsTypeAndLength) {
    Bytes out;
    AppendVarint(out, kCapsuleCloseSession);
    AppendVarint(out, kMaxVarint);
    auto header = ReadCapsuleHeader(out);
    ASSERT_TRUE(header);
    EXPECT_EQ(header->type, kCapsuleCloseSession);
    EXPECT_EQ(header->length, kMaxVarint);
    EXPECT_EQ(header->header_bytes, 2u + 8u);
    EXPECT_FALSE(ReadCapsuleHeader(std::span(out).first(9)));
}

TEST(H3Settings, ParsesEveryPairInOrder) {
    Bytes payload;
    for (std::uint64_t v : {0x06u, 16384u, 0x33u, 1u, 0x2b603742u, 1u}) AppendVarint(payload, v);
    auto settings = ParseSettings(payload);
    ASSERT_TRUE(settings);
    ASSERT_EQ(settings->size(), 3u);
    EXPECT_EQ((*settings)[0].id, 0x06u);
    EXPECT_EQ((*settings)[0].value, 16384u);
    EXPECT_EQ((*settings)[2].id, 0x2b603742u);
    EXPECT_TRUE(ParseSettings({}).has_value());
}

TEST(H3Settings, RejectsATruncatedPair) {
    Bytes payload;
    for (std::uint64_t v : {0x06u, 16384u, 0x33u}) AppendVarint(payload, v);
    EXPECT_FALSE(ParseSettings(payload));
    AppendVarint(payload, 16384);  // two-byte value, cut in half
    EXPECT_FALSE(ParseSettings(std::span(payload).first(payload.size() - 1)));
}

TEST(H3Settings, RejectsADuplicateId) {
    Bytes payload;
    for (std::uint64_t v : {0x33u, 1u, 0x06u, 10u, 0x33u, 1u}) AppendVarint(payload, v);
    EXPECT_FALSE(ParseSettings(payload));
}

TEST(H3ControlStream, PreambleIsTheAgreedSettings) {
    const Bytes expected = {
        0x00,                          // control stream
        0x04, 0x10,                    // SETTINGS, 16 bytes
        0x01, 0x00,                    // QPACK_MAX_TABLE_CAPACITY 0
        0x06, 0x50, 0x00,              // MAX_FIELD_SECTION_SIZE 4096
        0x07, 0x00,                    // QPACK_BLOCKED_STREAMS 0
        0x08, 0x01,                    // ENABLE_CONNECT_PROTOCOL 1
        0x33, 0x01,                    // H3_DATAGRAM 1
        0xab, 0x60, 0x37, 0x42, 0x01,  // WEBTRANS_DRAFT00 1
    };
    EXPECT_EQ(ControlStreamPreamble(4096), expected);
}

TEST(H3Datagram, SplitsTheQuarterStreamIdFromThePayload) {
    const Bytes datagram = {0x01, 'h', 'i'};
    auto parsed = ParseHttpDatagram(datagram);
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed->stream_id, 4u);
    EXPECT_EQ(Bytes(parsed->payload.begin(), parsed->payload.end()), (Bytes{'h', 'i'}));
    auto empty = ParseHttpDatagram(Bytes{0x00});
    ASSERT_TRUE(empty);
    EXPECT_EQ(empty->stream_id, 0u);
    EXPECT_TRUE(empty->payload.empty());
    EXPECT_FALSE(ParseHttpDatagram({}));
    EXPECT_FALSE(ParseHttpDatagram(Bytes{0x40}));
}

TEST(H3Datagram, RejectsAStreamIdBeyondTheVarintRange) {
    Bytes largest;
    AppendVarint(largest, kMaxVarint / 4);
    auto parsed = ParseHttpDatagram(largest);
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed->stream_id, kMaxVarint / 4 * 4);
    Bytes beyond;
    AppendVarint(beyond, kMaxVarint / 4 + 1);
    EXPECT_FALSE(ParseHttpDatagram(beyond));
}

TEST(H3Datagram, PrefixRoundTrips) {
    EXPECT_EQ(HttpDatagramPrefix(0), Bytes{0x00});
    for (std::uint64_t stream_id : {0u, 4u, 256u, 65536u}) {
        Bytes datagram = HttpDatagramPrefix(stream_id);
        datagram.push_back(0x7f);
        auto parsed = ParseHttpDatagram(datagram);
        ASSERT_TRUE(parsed);
        EXPECT_EQ(parsed->stream_id, stream_id);
        EXPECT_EQ(parsed->payload.size(), 1u);
    }
}

}  // namespace
}  // namespace gapkit::webtransport::detail
