#include "h3_wire.hpp"

#include <algorithm>

namespace gapkit::webtransport::detail {

std::size_t VarintSize(std::uint64_t value) {
    if (value < (std::uint64_t{1} << 6)) return 1;
    if (value < (std::uint64_t{1} << 14)) return 2;
    if (value < (std::uint64_t{1} << 30)) return 4;
    return 8;
}

void AppendVarint(std::vector<std::uint8_t>& out, std::uint64_t value) {
    const std::size_t size = VarintSize(value);
    // The two high bits of the first byte give the length as log2(size).
    const std::uint64_t prefix = size == 1 ? 0 : size == 2 ? 1 : size == 4 ? 2 : 3;
    for (std::size_t i = 0; i < size; ++i) {
        auto byte = static_cast<std::uint8_t>(value >> (8 * (size - 1 - i)));
        if (i == 0) byte = static_cast<std::uint8_t>(byte | (prefix << 6));
        out.push_back(byte);
    }
}

std::optional<std::pair<std::uint64_t, std::size_t>> ReadVarint(std::span<const std::uint8_t> bytes) {
    if (bytes.empty()) return std::nullopt;
    const std::size_t size = std::size_t{1} << (bytes[0] >> 6);
    if (bytes.size() < size) return std::nullopt;
    std::uint64_t value = bytes[0] & 0x3f;
    for (std::size_t i = 1; i < size; ++i) value = (value << 8) | bytes[i];
    return std::pair{value, size};
}

std::optional<FrameHeader> ReadFrameHeader(std::span<const std::uint8_t> bytes) {
    auto type = ReadVarint(bytes);
    if (!type) return std::nullopt;
    auto length = ReadVarint(bytes.subspan(type->second));
    if (!length) return std::nullopt;
    return FrameHeader{type->first, length->first, type->second + length->second};
}

std::optional<std::vector<Setting>> ParseSettings(std::span<const std::uint8_t> payload) {
    std::vector<Setting> settings;
    while (!payload.empty()) {
        auto id = ReadVarint(payload);
        if (!id) return std::nullopt;
        auto value = ReadVarint(payload.subspan(id->second));
        if (!value) return std::nullopt;
        settings.push_back({id->first, value->first});
        payload = payload.subspan(id->second + value->second);
    }
    // Sorting a copy keeps the duplicate check O(n log n): a SETTINGS frame may hold thousands of
    // pairs.
    std::vector<std::uint64_t> ids;
    ids.reserve(settings.size());
    for (const auto& setting : settings) ids.push_back(setting.id);
    std::sort(ids.begin(), ids.end());
    if (std::adjacent_find(ids.begin(), ids.end()) != ids.end()) return std::nullopt;
    return settings;
}

std::vector<std::uint8_t> ControlStreamPreamble(std::uint64_t max_field_section_bytes) {
    std::vector<std::uint8_t> settings;
    const Setting ours[] = {
        {kSettingQpackMaxTableCapacity, 0},
        {kSettingMaxFieldSectionSize, max_field_section_bytes},
        {kSettingQpackBlockedStreams, 0},
        {kSettingEnableConnectProtocol, 1},
        {kSettingH3Datagram, 1},
        {kSettingWebTransportDraft02, 1},
    };
    for (const auto& setting : ours) {
        AppendVarint(settings, setting.id);
        AppendVarint(settings, setting.value);
    }
    std::vector<std::uint8_t> out;
    AppendVarint(out, kStreamControl);
    AppendFrame(out, kFrameSettings, settings);
    return out;
}

void AppendFrame(std::vector<std::uint8_t>& out, std::uint64_t type, std::span<const std::uint8_t> payload) {
    AppendVarint(out, type);
    AppendVarint(out, payload.size());
    out.insert(out.end(), payload.begin(), payload.end());
}

std::optional<CapsuleHeader> ReadCapsuleHeader(std::span<const std::uint8_t> bytes) { return ReadFrameHeader(bytes); }

std::vector<std::uint8_t> CloseSessionData(std::uint32_t code, std::string_view message) {
    message = message.substr(0, kMaxCloseMessageBytes);
    std::vector<std::uint8_t> body{static_cast<std::uint8_t>(code >> 24), static_cast<std::uint8_t>(code >> 16),
                                   static_cast<std::uint8_t>(code >> 8), static_cast<std::uint8_t>(code)};
    body.insert(body.end(), message.begin(), message.end());
    std::vector<std::uint8_t> capsule;
    AppendFrame(capsule, kCapsuleCloseSession, body);  // A capsule is laid out as a frame.
    std::vector<std::uint8_t> out;
    AppendFrame(out, kFrameData, capsule);
    return out;
}

std::optional<HttpDatagram> ParseHttpDatagram(std::span<const std::uint8_t> bytes) {
    auto quarter = ReadVarint(bytes);
    if (!quarter || quarter->first > kMaxVarint / 4) return std::nullopt;
    return HttpDatagram{quarter->first * 4, bytes.subspan(quarter->second)};
}

std::vector<std::uint8_t> HttpDatagramPrefix(std::uint64_t stream_id) {
    std::vector<std::uint8_t> out;
    AppendVarint(out, stream_id / 4);
    return out;
}

}  // namespace gapkit::webtransport::detail
