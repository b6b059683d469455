#pragma once

// Incremental readers for what arrives on an HTTP/3 stream in pieces of any size: a varint
// prefix, frames (RFC 9114 §7.1) and capsules (RFC 9297 §3.2). They buffer a payload only when
// asked to and after its length was checked, so a frame or capsule of any announced length
// (up to 2^62 - 1) that is skipped costs nothing. Used by h3_session.cpp; single-threaded.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "h3_session.hpp"
#include "h3_wire.hpp"

namespace gapkit::webtransport::detail {

inline std::size_t ParsedBytes(const FrameHeader& header) { return header.header_bytes; }
inline std::size_t ParsedBytes(const std::pair<std::uint64_t, std::size_t>& varint) { return varint.second; }

// Collects a varint-built prefix (stream type, frame or capsule header) that may arrive split over
// several calls, in at most N bytes.
template <std::size_t N>
class PrefixBuffer {
  public:
    // Moves bytes from the front of `input` until `read` parses them; the bytes after the prefix
    // stay in `input`.
    template <typename Read>
    auto Take(std::span<const std::uint8_t>& input, Read read) {
        const std::size_t take = std::min(N - size_, input.size());
        std::copy_n(input.begin(), take, bytes_.begin() + size_);
        auto parsed = read(std::span<const std::uint8_t>(bytes_.data(), size_ + take));
        if (!parsed) {
            size_ += take;
            input = input.subspan(take);
            return parsed;
        }
        input = input.subspan(ParsedBytes(*parsed) - size_);
        size_ = 0;
        return parsed;
    }

  private:
    std::array<std::uint8_t, N> bytes_{};
    std::size_t size_ = 0;
};

// Header of two varints at most.
inline constexpr std::size_t kMaxTypeAndLengthBytes = 16;

enum class FrameAction { kBuffer, kSkip, kStream };

// The frame-by-frame state of one stream. Payloads are buffered only when the sink asks for it
// (it checks the length first), so unknown frames of any announced length cost nothing.
struct FrameReader {
    PrefixBuffer<kMaxTypeAndLengthBytes> header;
    std::optional<FrameHeader> frame;
    FrameAction action = FrameAction::kSkip;
    std::uint64_t remaining = 0;
    std::vector<std::uint8_t> payload;
};

// Sink: OnFrameHeader(header, action&) decides; OnFrame(type, payload) gets buffered frames;
// OnFrameChunk(bytes) gets streamed payloads; Stopped() ends reading early.
template <typename Sink>
std::optional<H3Error> FeedFrames(FrameReader& reader, std::span<const std::uint8_t> input, Sink& sink) {
    while (!input.empty() && !sink.Stopped()) {
        if (!reader.frame) {
            auto header = reader.header.Take(input, ReadFrameHeader);
            if (!header) break;
            if (auto error = sink.OnFrameHeader(*header, reader.action)) return error;
            reader.frame = header;
            reader.remaining = header->length;
        } else {
            const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(reader.remaining, input.size()));
            auto chunk = input.first(n);
            input = input.subspan(n);
            reader.remaining -= n;
            if (reader.action == FrameAction::kBuffer)
                reader.payload.insert(reader.payload.end(), chunk.begin(), chunk.end());
            if (reader.action == FrameAction::kStream) sink.OnFrameChunk(chunk);
        }
        if (reader.frame && reader.remaining == 0) {
            const auto type = reader.frame->type;
            const auto action = reader.action;
            reader.frame.reset();
            if (action != FrameAction::kBuffer) continue;
            auto error = sink.OnFrame(type, reader.payload);
            reader.payload.clear();
            if (error) return error;
        }
    }
    return std::nullopt;
}

// Capsules carried in the CONNECT stream's DATA frames, as one byte stream.
struct CapsuleReader {
    PrefixBuffer<kMaxTypeAndLengthBytes> header;
    std::optional<CapsuleHeader> capsule;
    std::uint64_t remaining = 0;
    std::vector<std::uint8_t> kept;  // the start of a close capsule
};

/// Reads capsules from `bytes`, skipping all but CLOSE_WEBTRANSPORT_SESSION. When one completes,
/// returns its first `max_close_bytes` bytes (the rest is skipped) and leaves what follows it in
/// `bytes`.
inline std::optional<std::vector<std::uint8_t>> FeedCapsules(CapsuleReader& reader,
                                                             std::span<const std::uint8_t>& bytes,
                                                             std::size_t max_close_bytes) {
    while (!bytes.empty()) {
        if (!reader.capsule) {
            reader.capsule = reader.header.Take(bytes, ReadCapsuleHeader);
            if (!reader.capsule) return std::nullopt;
            reader.remaining = reader.capsule->length;
        }
        const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(reader.remaining, bytes.size()));
        const bool closing = reader.capsule->type == kCapsuleCloseSession;
        if (closing) {
            const std::size_t room = max_close_bytes - std::min(max_close_bytes, reader.kept.size());
            reader.kept.insert(reader.kept.end(), bytes.begin(), bytes.begin() + std::min(n, room));
        }
        bytes = bytes.subspan(n);
        reader.remaining -= n;
        if (reader.remaining != 0) return std::nullopt;
        reader.capsule.reset();
        if (closing) return std::exchange(reader.kept, {});
    }
    return std::nullopt;
}

}  // namespace gapkit::webtransport::detail
