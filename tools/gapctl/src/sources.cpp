#include "sources.hpp"

#include <fmt/core.h>

#include "gapkit/common/env.hpp"
#include "gapkit/common/files.hpp"
#include "gapkit/edgegap/config.hpp"

namespace gapkit::cli {

void AddAppOptions(CLI::App& command, AppSelector& selector, bool required) {
    auto* app = command.add_option("--app", selector.app, "Edgegap app name")->envname("GAPKIT_MM_APP_NAME");
    auto* version = command.add_option("--app-version", selector.version, "Edgegap app version name")
                        ->envname("GAPKIT_MM_APP_VERSION");
    app->required(required);
    version->required(required);
}

void AddEdgegapOptions(CLI::App& command, EdgegapSource& source) {
    command.add_option("--edgegap-api-key-file", source.api_key_file,
                       "File holding the Edgegap API token (else env EDGEGAP_API_KEY)");
}

common::Result<std::unique_ptr<bus::Connection>> ConnectBus(std::string_view command) {
    return bus::Connection::Connect(fmt::format("gapctl_{}", command));
}

common::Result<edgegap::ClientConfig> EdgegapClientConfig(const EdgegapSource& source) {
    std::string key;
    if (!source.api_key_file.empty()) {
        auto contents = common::ReadSecretFile(source.api_key_file);
        if (!contents) return common::Fail(contents.error());
        key = edgegap::NormalizeApiKey(*contents);
    }
    if (key.empty()) {
        auto from_env = common::GetEnv("EDGEGAP_API_KEY");
        if (!from_env || from_env->empty()) {
            return common::MakeError(common::ErrorCode::kInvalidArgument,
                                     "EDGEGAP_API_KEY is not set: export it or give --edgegap-api-key-file");
        }
        key = *from_env;
    }
    auto config = edgegap::ClientConfig::FromEnvWithKey(std::move(key));
    if (!config) return common::Fail(config.error());
    config->user_agent = "gapkit-gapctl";
    return config;
}

common::Result<std::unique_ptr<edgegap::BlockingEdgegapClient>> ConnectEdgegap(const EdgegapSource& source) {
    auto config = EdgegapClientConfig(source);
    if (!config) return common::Fail(config.error());
    return edgegap::BlockingEdgegapClient::Create(std::move(*config));
}

}  // namespace gapkit::cli
