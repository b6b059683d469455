#pragma once

// What a browser writes on its HTTP/3 streams, built the way Chromium 156 builds it
// (docs/design/webtransport-research.md §1.3, §1.5, §1.7), and a decoder for the server's
// HEADERS: for h3_session_test.cpp and fuzz/h3_fuzzer.cpp. QPACK goes through h3_qpack.hpp
// (nghttp3's coder without a dynamic table), as on the real wire.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "h3_qpack.hpp"
#include "h3_wire.hpp"

namespace gapkit::webtransport::detail::testing {

using Bytes = std::vector<std::uint8_t>;
using Fields = std::vector<std::pair<std::string, std::string>>;

/// The client's stream ids as Chromium uses them: CONNECT on 0, control/QPACK on 2, 6, 10.
inline constexpr std::int64_t kConnectStream = 0;
inline constexpr std::int64_t kClientControlStream = 2;
inline constexpr std::int64_t kClientEncoderStream = 6;
inline constexpr std::int64_t kClientDecoderStream = 10;

/// A control stream: type 0x00 and a SETTINGS frame with `settings` (pairs of id and value).
inline Bytes ClientControlStream(const std::vector<Setting>& settings) {
    Bytes payload;
    for (const auto& setting : settings) {
        AppendVarint(payload, setting.id);
        AppendVarint(payload, setting.value);
    }
    Bytes out;
    AppendVarint(out, kStreamControl);
    AppendFrame(out, kFrameSettings, payload);
    return out;
}

/// What Chromium 156 sends: QPACK and header sizes, both HTTP datagram ids, draft-02 and a GREASE
/// id (0x1f * N + 0x21).
inline std::vector<Setting> ChromiumSettings() {
    return {{kSettingQpackMaxTableCapacity, 0},
            {kSettingMaxFieldSectionSize, 16384},
            {kSettingQpackBlockedStreams, 0},
            {kSettingH3Datagram, 1},
            {0xffd277, 1},
            {kSettingWebTransportDraft02, 1},
            {0x1f * 7 + 0x21, 42}};
}

/// QPACK-encodes `fields` (static table and literals only).
inline Bytes EncodeFields(std::int64_t stream_id, const Fields& fields) {
    std::vector<HeaderField> views;
    for (const auto& [name, value] : fields) views.push_back({name, value});
    return detail::EncodeFieldSection(stream_id, views).value();
}

/// The extended CONNECT Chromium 156 sends for https://203.0.113.5:31234<path> from a page on
/// http://127.0.0.1:3000, with `changes` applied: a pair replaces the field of that name, or is
/// added; an empty value removes the field.
inline Fields ChromiumConnectFields(const std::string& path = "/netcode", const Fields& changes = {}) {
    Fields fields = {{":method", "CONNECT"},
                     {":scheme", "https"},
                     {":authority", "203.0.113.5:31234"},
                     {":path", path},
                     {":protocol", "webtransport"},
                     {"sec-webtransport-http3-draft02", "1"},
                     {"origin", "http://127.0.0.1:3000"}};
    for (const auto& [name, value] : changes) {
        bool found = false;
        for (auto it = fields.begin(); it != fields.end(); ++it) {
            if (it->first != name) continue;
            found = true;
            if (value.empty()) {
                fields.erase(it);
            } else {
                it->second = value;
            }
            break;
        }
        if (!found && !value.empty()) fields.emplace_back(name, value);
    }
    return fields;
}

/// A HEADERS frame carrying `fields`.
inline Bytes HeadersFrame(std::int64_t stream_id, const Fields& fields) {
    Bytes out;
    AppendFrame(out, kFrameHeaders, EncodeFields(stream_id, fields));
    return out;
}

/// A DATA frame around `payload`.
inline Bytes DataFrame(const Bytes& payload) {
    Bytes out;
    AppendFrame(out, kFrameData, payload);
    return out;
}

/// CLOSE_WEBTRANSPORT_SESSION: u32 code and UTF-8 message (as a capsule, not yet in DATA).
inline Bytes CloseCapsule(std::uint32_t code, const std::string& message) {
    Bytes payload = {static_cast<std::uint8_t>(code >> 24), static_cast<std::uint8_t>(code >> 16),
                     static_cast<std::uint8_t>(code >> 8), static_cast<std::uint8_t>(code)};
    payload.insert(payload.end(), message.begin(), message.end());
    Bytes out;
    AppendVarint(out, kCapsuleCloseSession);
    AppendVarint(out, payload.size());
    out.insert(out.end(), payload.begin(), payload.end());
    return out;
}

/// Decodes the server's HEADERS frame (one complete frame): its fields, or nothing when it is not
/// exactly one HEADERS frame that decodes.
inline std::optional<Fields> DecodeHeadersFrame(std::int64_t stream_id, const Bytes& frame) {
    auto header = ReadFrameHeader(frame);
    if (!header || header->type != kFrameHeaders || header->header_bytes + header->length != frame.size()) {
        return std::nullopt;
    }
    Fields fields;
    auto add = [&fields](std::string_view name, std::string_view value) { fields.emplace_back(name, value); };
    if (!DecodeFieldSection(stream_id, std::span(frame).subspan(header->header_bytes), add)) return std::nullopt;
    return fields;
}

}  // namespace gapkit::webtransport::detail::testing
