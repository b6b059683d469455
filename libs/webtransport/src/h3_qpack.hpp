#pragma once

// QPACK (RFC 9204) through nghttp3's standalone encoder and decoder, both without a dynamic table:
// this server advertises SETTINGS_QPACK_MAX_TABLE_CAPACITY 0, so field sections use the static
// table and literals only and never block. Stateless: each call makes and frees its own coder.

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace gapkit::webtransport::detail {

struct HeaderField {
    std::string_view name;
    std::string_view value;
};

/// The encoded field section of `fields` for `stream_id` (the HEADERS frame's payload), or
/// nothing when nghttp3 fails (out of memory).
std::optional<std::vector<std::uint8_t>> EncodeFieldSection(std::int64_t stream_id,
                                                            std::span<const HeaderField> fields);

/// Decodes a complete field section, calling `on_field` for each field in order (the views live
/// only during the call). False when it does not decode (a malformed section, or a reference to
/// a dynamic table entry); `on_field` may have seen some fields by then.
bool DecodeFieldSection(std::int64_t stream_id, std::span<const std::uint8_t> section,
                        const std::function<void(std::string_view name, std::string_view value)>& on_field);

}  // namespace gapkit::webtransport::detail
