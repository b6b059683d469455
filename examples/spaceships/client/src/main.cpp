// spaceships-client: the SDL2 window of the spaceships example game. Flags: options.hpp or --help;
// the manual: docs/spaceships-client.md.
#include <cstdio>
#include <cstdlib>
#include <variant>

#include "game_loop.hpp"
#include "gapkit/client/game_client.hpp"
#include "options.hpp"
#include "window.hpp"

int main(int argc, char** argv) {
    using namespace spaceships::client;
    auto parsed = ParseOptions(argc, argv);
    if (const int* exit_code = std::get_if<int>(&parsed)) return *exit_code;
    const Options& options = std::get<Options>(parsed);

    // The library applies MATCHMAKER_URL over its config; make it the value the flags resolved to,
    // so an explicit --matchmaker wins over the variable.
    setenv(gapkit::client::kMatchmakerUrlEnv, options.matchmaker_url.c_str(), 1);
    gapkit::client::GameClientConfig config;
    config.matchmaker_url = options.matchmaker_url;
    config.protocol_id = options.protocol_id;
    auto client = gapkit::client::GameClient::Create(config);
    if (!client) {
        std::fprintf(stderr, "spaceships-client: %s\n", client.error().message().c_str());
        return kExitUsage;
    }
    auto window = Window::Open("Spaceships", options.width_pixels, options.height_pixels, options.font_path);
    if (!window) {
        std::fprintf(stderr, "spaceships-client: %s\n", window.error().message().c_str());
        return options.autoplay ? kExitAutoplayFailed : kExitUsage;
    }
    GameLoop loop(options, **window, **client);
    return loop.Run();
}
