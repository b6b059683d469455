#pragma once

// `gapctl set-ca-argument APP VERSION CA.pem`: gives the game servers of an Edgegap app version the
// NATS CA as the launch argument `--ca_contents '<PEM>'` (PATCH /v1/app/{app}/version/{version}).
// The CA goes there rather than in an env variable because Edgegap limits env values to 255 bytes
// (docs/deploy.md). Every other argument of the version is kept as it is written.
//
// The pure parts (argument editing, PEM checks, the short form `app-version show` prints) are
// public for the unit tests and for app_version_command.cpp.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "gapkit/common/result.hpp"

namespace gapkit::cli {

/// The launch argument that carries the CA.
inline constexpr std::string_view kCaFlag = "--ca_contents";

/// Largest CA file read (bytes); a CA certificate is 1-2 KiB.
inline constexpr std::size_t kMaxCaFileBytes = 64 * 1024;

/// One word of an argument line: where it is written (`begin`..`end` in the line) and what a
/// shell-like split makes of it (quotes removed, backslash escapes applied).
struct ArgumentWord {
    std::size_t begin = 0;
    std::size_t end = 0;
    std::string value;
};

/// Splits `line` as the simulator and a container's shell would: blanks separate words, '...'
/// is literal, "..." allows \" \\ \$ \`, a backslash outside quotes escapes the next character.
/// An unterminated quote or a trailing backslash is an error.
common::Result<std::vector<ArgumentWord>> SplitArgumentWords(std::string_view line);

/// Checks that `pem` is one PEM certificate written only with PEM characters (base64, '=', '-',
/// blanks, line ends), so it can sit between single quotes; returns it with a final line end.
common::Result<std::string> CheckCaPem(std::string_view pem);

/// "<CA: CN=gapkit dev CA, sha256 3f:a2:19:0c:...>" for a PEM certificate, "<CA: ... and 1 more>"
/// for a bundle (described by its first); a description of what it is otherwise ("<412 bytes, not
/// a certificate>").
std::string DescribeCa(std::string_view pem);

/// What `SetCaArgument` did to an argument line.
struct CaArgumentEdit {
    std::string arguments;        ///< The new line.
    std::string action;           ///< "replaced", "added" or "unchanged".
    std::string previous_ca;      ///< The CA that was there (`DescribeCa`), "" when none.
    std::size_t other_words = 0;  ///< Words of the line kept besides the CA argument.
};

/// Replaces the value of the first `--ca_contents` (as `--ca_contents VALUE` or
/// `--ca_contents=VALUE`) with `'<pem>'`, or appends `--ca_contents '<pem>'`; the rest of the line
/// is kept byte for byte. `pem` must have passed `CheckCaPem`.
common::Result<CaArgumentEdit> SetCaArgument(std::string_view arguments, std::string_view pem);

/// `arguments` with the value of `--ca_contents` replaced by `'<DescribeCa(...)>'`, for tables.
/// A line that does not split is returned as it is.
std::string ShortenCaArgument(std::string_view arguments);

/// Adds the `set-ca-argument` subcommand.
void RegisterSetCaArgumentCommand(CLI::App& app, int& exit_code);

}  // namespace gapkit::cli
