#pragma once

// The HTTP/3 wire pieces a datagram-only WebTransport session needs (RFC 9000 §16 varints,
// RFC 9114 §7 frames and SETTINGS, RFC 9297 capsules and datagrams). Pure functions over byte
// spans, no allocation beyond the returned values; every parser faces the network and is fuzzed
// (fuzz/h3_fuzzer.cpp).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

namespace gapkit::webtransport::detail {

/// Largest value a QUIC varint holds (2^62 - 1).
inline constexpr std::uint64_t kMaxVarint = (std::uint64_t{1} << 62) - 1;

/// HTTP/3 frame types used here.
inline constexpr std::uint64_t kFrameData = 0x00;
inline constexpr std::uint64_t kFrameHeaders = 0x01;
inline constexpr std::uint64_t kFrameSettings = 0x04;
inline constexpr std::uint64_t kFrameGoaway = 0x07;

/// Unidirectional stream types.
inline constexpr std::uint64_t kStreamControl = 0x00;
inline constexpr std::uint64_t kStreamQpackEncoder = 0x02;
inline constexpr std::uint64_t kStreamQpackDecoder = 0x03;

/// SETTINGS identifiers (docs/design/webtransport-research.md §1.2).
inline constexpr std::uint64_t kSettingQpackMaxTableCapacity = 0x01;
inline constexpr std::uint64_t kSettingMaxFieldSectionSize = 0x06;
inline constexpr std::uint64_t kSettingQpackBlockedStreams = 0x07;
inline constexpr std::uint64_t kSettingEnableConnectProtocol = 0x08;
inline constexpr std::uint64_t kSettingH3Datagram = 0x33;
inline constexpr std::uint64_t kSettingWebTransportDraft02 = 0x2b603742;

/// The WebTransport capsule that closes a session (CLOSE_WEBTRANSPORT_SESSION).
inline constexpr std::uint64_t kCapsuleCloseSession = 0x2843;

/// HTTP/3 error codes (RFC 9114 §8.1) used to close a connection or a stream.
inline constexpr std::uint64_t kH3NoError = 0x100;
inline constexpr std::uint64_t kH3GeneralProtocolError = 0x101;
inline constexpr std::uint64_t kH3InternalError = 0x102;
inline constexpr std::uint64_t kH3StreamCreationError = 0x103;
inline constexpr std::uint64_t kH3ClosedCriticalStream = 0x104;
inline constexpr std::uint64_t kH3FrameUnexpected = 0x105;
inline constexpr std::uint64_t kH3FrameError = 0x106;
inline constexpr std::uint64_t kH3ExcessiveLoad = 0x107;
inline constexpr std::uint64_t kH3IdError = 0x108;
inline constexpr std::uint64_t kH3SettingsError = 0x109;
inline constexpr std::uint64_t kH3MissingSettings = 0x10a;
inline constexpr std::uint64_t kH3RequestRejected = 0x10b;
inline constexpr std::uint64_t kH3MessageError = 0x10e;
/// QPACK error code (RFC 9204 §6): a field section that does not decode.
inline constexpr std::uint64_t kQpackDecompressionFailed = 0x200;

/// Bytes a varint of `value` takes (1, 2, 4 or 8); `value` must be <= kMaxVarint.
std::size_t VarintSize(std::uint64_t value);

/// Appends `value` (<= kMaxVarint) in the shortest encoding.
void AppendVarint(std::vector<std::uint8_t>& out, std::uint64_t value);

/// Reads one varint from the front of `bytes`: the value and the bytes it took, or nothing when
/// `bytes` is too short to hold it.
std::optional<std::pair<std::uint64_t, std::size_t>> ReadVarint(std::span<const std::uint8_t> bytes);

/// A frame's header: its type, payload length and the header's own size in bytes.
struct FrameHeader {
    std::uint64_t type = 0;
    std::uint64_t length = 0;
    std::size_t header_bytes = 0;
};

/// Reads a frame header from the front of `bytes`; nothing when it is not complete yet.
std::optional<FrameHeader> ReadFrameHeader(std::span<const std::uint8_t> bytes);

/// One SETTINGS entry.
struct Setting {
    std::uint64_t id = 0;
    std::uint64_t value = 0;
};

/// Parses a SETTINGS frame's payload. Nothing when it is malformed (a truncated pair) or names an
/// id twice (RFC 9114 §7.2.4 calls both H3_SETTINGS_ERROR / H3_FRAME_ERROR).
std::optional<std::vector<Setting>> ParseSettings(std::span<const std::uint8_t> payload);

/// The control stream this server opens: stream type 0x00 and its SETTINGS frame
/// {0x01:0, 0x06:max_field_section_bytes, 0x07:0, 0x08:1, 0x33:1, 0x2b603742:1}.
std::vector<std::uint8_t> ControlStreamPreamble(std::uint64_t max_field_section_bytes);

/// Appends a frame (type, length, payload).
void AppendFrame(std::vector<std::uint8_t>& out, std::uint64_t type, std::span<const std::uint8_t> payload);

/// A capsule's header (RFC 9297 §3.2) has a frame header's layout: type, length and the
/// header's size in bytes.
using CapsuleHeader = FrameHeader;

/// Reads a capsule header from the front of `bytes`; nothing when it is not complete yet.
std::optional<CapsuleHeader> ReadCapsuleHeader(std::span<const std::uint8_t> bytes);

/// Longest message a CLOSE_WEBTRANSPORT_SESSION capsule may carry (WebTransport over HTTP/3).
inline constexpr std::size_t kMaxCloseMessageBytes = 1024;

/// A DATA frame holding a CLOSE_WEBTRANSPORT_SESSION capsule: the application's `code` (u32,
/// network order) and `message`, cut to kMaxCloseMessageBytes. Sent with FIN on the CONNECT stream.
std::vector<std::uint8_t> CloseSessionData(std::uint32_t code, std::string_view message);

/// An HTTP datagram (RFC 9297 §2.1): the CONNECT stream it belongs to and its payload.
struct HttpDatagram {
    std::uint64_t stream_id = 0;
    std::span<const std::uint8_t> payload;
};

/// Splits a QUIC DATAGRAM frame's payload into the quarter stream id (times 4) and the rest.
/// Nothing when the prefix is truncated or the stream id would exceed kMaxVarint.
std::optional<HttpDatagram> ParseHttpDatagram(std::span<const std::uint8_t> bytes);

/// The prefix for datagrams of the session on `stream_id` (a client bidirectional stream id,
/// divisible by 4): varint(stream_id / 4).
std::vector<std::uint8_t> HttpDatagramPrefix(std::uint64_t stream_id);

}  // namespace gapkit::webtransport::detail
