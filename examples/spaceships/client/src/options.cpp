#include "options.hpp"

#include <cstdio>

#include <CLI/CLI.hpp>

#include "gapkit/client/config.hpp"
#include "gapkit/common/env.hpp"
#include "gapkit/common/log.hpp"
#include "gapkit/netcode/address.hpp"
#include "gapkit/netcode/private_key.hpp"
#include "spaceships/constants.hpp"

namespace spaceships::client {
namespace {

void AddOptions(CLI::App& app, Options& o) {
    auto add = [&app](const char* flag, auto& field, const char* help) {
        return app.add_option(flag, field, help)->capture_default_str();
    };
    add("--matchmaker", o.matchmaker_url, "Matchmaker WebSocket URL")->envname(gapkit::client::kMatchmakerUrlEnv);
    add("--game", o.game, "Game name asked of the matchmaker");
    add("--version", o.version, "Game version asked of the matchmaker");
    add("--direct", o.direct_address,
        "Development: connect to this spaceships-server (host:port) without the matchmaker, with the key "
        "in GAPKIT_PRIVATE_KEY or else the dev key");
    add("--protocol-id", o.protocol_id, "netcode protocol id (for --direct; required of matchmaker tokens)");
    add("--width", o.width_pixels, "Window width (pixels)")->check(CLI::Range(320, 7680));
    add("--height", o.height_pixels, "Window height (pixels)")->check(CLI::Range(240, 4320));
    app.add_flag("--autoplay", o.autoplay, "Press Play at start; exit when that game ends (tests, demos)");
    add("--screenshot", o.screenshot_path, "Save a PNG of the window here once playing");
    add("--screenshot-after-seconds", o.screenshot_after_seconds, "Seconds after connecting to take the screenshot")
        ->check(CLI::Range(0.0, 3600.0));
    add("--exit-after-seconds", o.exit_after_seconds, "Quit this long after connecting (0: never)")
        ->check(CLI::Range(0.0, 86400.0));
    add("--font", o.font_path, "TrueType font file")->envname("SPACESHIPS_FONT");
    add("--log-level", o.log_level, "error, warn, info, debug or trace")->envname("GAPKIT_LOG_LEVEL");
}

gapkit::common::Status Finish(Options& options) {
    auto level = gapkit::common::ParseLogLevel(options.log_level);
    if (!level) return gapkit::common::Fail(level.error().WithContext("--log-level"));
    gapkit::common::SetLogLevel(*level);
    if (options.direct_address.empty()) return gapkit::common::Ok();
    if (auto address = gapkit::netcode::Address::Parse(options.direct_address); !address) {
        return gapkit::common::Fail(address.error().WithContext("--direct"));
    }
    auto key_text = gapkit::common::GetEnv("GAPKIT_PRIVATE_KEY");
    if (!key_text || key_text->empty()) {
        options.direct_key = gapkit::netcode::DevPrivateKey();
        return gapkit::common::Ok();
    }
    auto key = gapkit::netcode::ParsePrivateKey(*key_text);
    if (!key) return gapkit::common::Fail(key.error().WithContext("GAPKIT_PRIVATE_KEY"));
    options.direct_key = *key;
    return gapkit::common::Ok();
}

}  // namespace

std::variant<Options, int> ParseOptions(int argc, char** argv) {
    Options options;
    options.matchmaker_url = gapkit::client::GameClientConfig{}.matchmaker_url;
    options.game = kGameName;
    options.version = kGameVersion;
    options.protocol_id = kDefaultProtocolId;
    options.font_path = kDefaultFont;
    CLI::App app{"spaceships-client: the windowed client of the spaceships example game"};
    AddOptions(app, options);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& error) {
        const int code = app.exit(error);
        return code == 0 ? kExitOk : kExitUsage;
    }
    if (auto ok = Finish(options); !ok) {
        std::fprintf(stderr, "spaceships-client: %s\n", ok.error().message().c_str());
        return kExitUsage;
    }
    return options;
}

}  // namespace spaceships::client
