#include "gapkit/netcode/private_key.hpp"

#include <sodium.h>

#include <charconv>

#include <fmt/core.h>

namespace gapkit::netcode {

namespace {

using common::ErrorCode;
using common::MakeError;

constexpr std::string_view kSpace = " \t\r\n";

std::string_view Trim(std::string_view text) {
    const auto first = text.find_first_not_of(kSpace);
    if (first == std::string_view::npos) return {};
    return text.substr(first, text.find_last_not_of(kSpace) - first + 1);
}

tl::unexpected<common::Error> ShortList() {
    return MakeError(ErrorCode::kInvalidArgument, "private key: expected exactly 32 comma-separated numbers");
}

Result<Key> ParseDecimalList(std::string_view text) {
    if (text.starts_with('[') && text.ends_with(']')) text = Trim(text.substr(1, text.size() - 2));
    Key key{};
    std::size_t count = 0;
    while (true) {
        const auto comma = text.find(',');
        const std::string_view item = Trim(text.substr(0, comma));
        unsigned value = 0;
        const auto [ptr, ec] = std::from_chars(item.data(), item.data() + item.size(), value);
        if (item.empty() || ec != std::errc{} || ptr != item.data() + item.size() || value > 255) {
            return MakeError(ErrorCode::kInvalidArgument,
                             fmt::format("private key: item {} is not a number 0..255", count + 1));
        }
        if (count == key.size()) break;
        key[count++] = static_cast<std::uint8_t>(value);
        if (comma == std::string_view::npos) {
            if (count != key.size()) return ShortList();
            return key;
        }
        text = text.substr(comma + 1);
    }
    return ShortList();
}

Result<Key> ParseHex(std::string_view text) {
    Key key{};
    std::size_t decoded = 0;
    const char* end = nullptr;
    if (sodium_hex2bin(key.data(), key.size(), text.data(), text.size(), nullptr, &decoded, &end) != 0 ||
        decoded != key.size() || end != text.data() + text.size()) {
        return MakeError(ErrorCode::kInvalidArgument, "private key: 64 characters but not hexadecimal");
    }
    return key;
}

Result<Key> ParseBase64(std::string_view text) {
    Key key{};
    std::size_t decoded = 0;
    const char* end = nullptr;
    const int variant = text.size() == 44 ? sodium_base64_VARIANT_ORIGINAL : sodium_base64_VARIANT_ORIGINAL_NO_PADDING;
    if (sodium_base642bin(key.data(), key.size(), text.data(), text.size(), nullptr, &decoded, &end, variant) != 0 ||
        decoded != key.size() || end != text.data() + text.size()) {
        return MakeError(ErrorCode::kInvalidArgument, "private key: not valid base64 of 32 bytes");
    }
    return key;
}

}  // namespace

Result<Key> ParsePrivateKey(std::string_view text) {
    text = Trim(text);
    if (text.find(',') != std::string_view::npos) return ParseDecimalList(text);
    if (text.size() == 2 * kKeyBytes) return ParseHex(text);
    if (text.size() == 44 || text.size() == 43) return ParseBase64(text);
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("private key: {} characters is neither 32 comma-separated numbers, 64 hex digits "
                                 "nor base64 of 32 bytes",
                                 text.size()));
}

Key DevPrivateKey() {
    Key key{1, 2, 3, 4, 5, 6, 7, 8, 9};
    key.back() = 1;
    return key;
}

std::string KeyToHex(const Key& key) {
    std::string text(2 * kKeyBytes + 1, '\0');
    sodium_bin2hex(text.data(), text.size(), key.data(), key.size());
    text.pop_back();
    return text;
}

}  // namespace gapkit::netcode
