#pragma once

/// @file
/// Reading the 32-byte netcode private key from the text forms operators use.
///
/// Thread-safe free functions. The key is a secret: error messages describe the shape of the text
/// (a count, a position) but never echo its content.

#include <string>
#include <string_view>

#include "gapkit/netcode/common.hpp"

namespace gapkit::netcode {

/// Parses a private key given as any of:
/// - 32 decimal bytes separated by commas, as the Rust system takes it: `1, 2, 3, ..., 0, 1`
///   (optional surrounding `[` `]`, whitespace anywhere);
/// - 64 hexadecimal digits (either case);
/// - standard base64 of 32 bytes (44 characters with padding, or 43 without).
/// Surrounding whitespace is ignored. Anything else is a `kInvalidArgument` error.
Result<Key> ParsePrivateKey(std::string_view text);

/// The public development key: bytes 1..9, then zeros, then 1 (the key of the original bevygap
/// example). A local-mode game server uses it when given no key, and a development client passes
/// it to connect straight to such a server. Everyone knows it: never use it on Edgegap.
Key DevPrivateKey();

/// Lower-case hexadecimal form of a key (64 characters), accepted back by `ParsePrivateKey`.
std::string KeyToHex(const Key& key);

}  // namespace gapkit::netcode
