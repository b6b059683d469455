#pragma once

/// @file
/// The command line of spaceships-client (CLI11; each flag's environment variable is in --help).

#include <cstdint>
#include <string>
#include <variant>

#include "gapkit/netcode/common.hpp"

namespace spaceships::client {

/// Exit codes of spaceships-client.
inline constexpr int kExitOk = 0;              ///< Quit by the player or by --exit-after-seconds.
inline constexpr int kExitAutoplayFailed = 1;  ///< --autoplay never reached Connected, or the screenshot failed.
inline constexpr int kExitUsage = 2;           ///< Bad flags or environment.

inline constexpr const char* kDefaultFont = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

struct Options {
    /// Matchmaker WebSocket (MATCHMAKER_URL). Default: the client library's.
    std::string matchmaker_url;
    /// Game name and version asked of the matchmaker. Defaults "spaceships" and "1".
    std::string game;
    std::string version;
    /// Development: "host:port" of a spaceships-server to connect to without the matchmaker.
    std::string direct_address;
    /// netcode protocol id for --direct, and required of matchmaker tokens. Default 80085.
    std::uint64_t protocol_id = 0;
    /// Window size in pixels; the arena scales to fit. Default 1280 x 720.
    int width_pixels = 1280;
    int height_pixels = 720;
    /// Press Play at start, and exit instead of showing the title again (tests and demos).
    bool autoplay = false;
    /// Save the rendered frame as PNG here, `screenshot_after_seconds` after reaching Connected.
    std::string screenshot_path;
    double screenshot_after_seconds = 2;
    /// Quit (disconnecting) this long after reaching Connected; 0: never.
    double exit_after_seconds = 0;
    /// TrueType font for all text (SPACESHIPS_FONT). Default DejaVu Sans.
    std::string font_path;
    /// error, warn, info, debug or trace (GAPKIT_LOG_LEVEL). Default info.
    std::string log_level = "info";
    /// The key for --direct: GAPKIT_PRIVATE_KEY, else netcode::DevPrivateKey().
    gapkit::netcode::Key direct_key{};
};

/// Parses the command line and environment. Returns the options, or the exit code to leave with
/// at once (0 after --help, `kExitUsage` after printing the error).
std::variant<Options, int> ParseOptions(int argc, char** argv);

}  // namespace spaceships::client
