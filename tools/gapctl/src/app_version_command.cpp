#include "app_version_command.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <memory>

#include <fmt/core.h>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>

#include "gapkit/common/env.hpp"
#include "gapkit/common/files.hpp"
#include "gapkit/common/log.hpp"
#include "gapkit/edgegap/parse.hpp"
#include "output.hpp"
#include "set_ca_argument_command.hpp"
#include "sources.hpp"

namespace gapkit::cli {
namespace {

using common::ErrorCode;
using common::MakeError;
namespace json = boost::json;

constexpr std::array<std::string_view, 7> kProtocols{"TCP", "UDP", "TCP/UDP", "HTTP", "HTTPS", "WS", "WSS"};
constexpr std::array<std::string_view, 4> kSecretSuffixes{"_PASSWORD", "_KEY", "_SECRET", "_TOKEN"};
constexpr int kMaxPort = 59999;  // Edgegap's AppVersionPort maximum.
constexpr std::string_view kHidden = "(hidden)";
constexpr std::string_view kRegistryHelp =
    "Registry credentials (Edgegap pulls the image with them, even from registry.edgegap.com): "
    "--registry-username or EDGEGAP_REGISTRY_USERNAME, the token in EDGEGAP_REGISTRY_TOKEN or "
    "--registry-token-file.";
constexpr std::string_view kGiveCredentials =
    "give --registry-username (or EDGEGAP_REGISTRY_USERNAME) and EDGEGAP_REGISTRY_TOKEN (or --registry-token-file)";

std::string Upper(std::string_view text) {
    std::string upper(text);
    std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
    return upper;
}

bool IsEnvName(std::string_view key) {
    if (key.empty() || std::isdigit(static_cast<unsigned char>(key.front()))) return false;
    return std::all_of(key.begin(), key.end(), [](unsigned char c) { return std::isalnum(c) || c == '_'; });
}

// Replaces the item with the same `key` or appends.
template <typename T, typename Key>
void Merge(std::vector<T>& items, T item, Key key) {
    auto same = std::find_if(items.begin(), items.end(), [&](const T& old) { return key(old) == key(item); });
    if (same == items.end()) {
        items.push_back(std::move(item));
    } else {
        *same = std::move(item);
    }
}

edgegap::SessionConfig& SessionOf(edgegap::AppVersion& version) {
    if (!version.session_config) version.session_config = edgegap::SessionConfig{"Seat", 1, true, 0};
    return *version.session_config;
}

}  // namespace

bool IsSecretEnvName(std::string_view key) {
    const std::string upper = Upper(key);
    return std::any_of(kSecretSuffixes.begin(), kSecretSuffixes.end(),
                       [&](std::string_view suffix) { return upper.ends_with(suffix); });
}

common::Result<edgegap::AppVersionPort> ParsePortFlag(std::string_view text) {
    const auto fail = [&](std::string_view why) {
        return MakeError(ErrorCode::kInvalidArgument,
                         fmt::format("--port '{}': {} (NAME:PORT/PROTO[:tls])", text, why));
    };
    edgegap::AppVersionPort port;
    const std::size_t colon = text.find(':');
    if (colon == std::string_view::npos || colon == 0) return fail("no NAME: before the port");
    port.name = std::string(text.substr(0, colon));
    std::string_view rest = text.substr(colon + 1);
    if (rest.ends_with(":tls")) {
        port.tls_upgrade = true;
        rest.remove_suffix(4);
    }
    const std::size_t slash = rest.find('/');
    if (slash == std::string_view::npos) return fail("no /PROTO");
    auto number = common::ParseInt(rest.substr(0, slash), 0, kMaxPort);
    if (!number) return fail(fmt::format("port must be 0..{}", kMaxPort));
    port.port = static_cast<int>(*number);
    port.protocol = Upper(rest.substr(slash + 1));
    if (std::find(kProtocols.begin(), kProtocols.end(), port.protocol) == kProtocols.end())
        return fail("protocol must be TCP, UDP, TCP/UDP, HTTP, HTTPS, WS or WSS");
    return port;
}

common::Result<edgegap::EnvVar> ParseEnvFlag(std::string_view text) {
    const std::size_t equals = text.find('=');
    const std::string_view key = text.substr(0, equals);
    if (equals == std::string_view::npos || !IsEnvName(key)) {
        return MakeError(ErrorCode::kInvalidArgument,
                         fmt::format("--env '{}': must be KEY=VALUE with KEY of letters, digits and _", key));
    }
    return edgegap::EnvVar{std::string(key), std::string(text.substr(equals + 1)), IsSecretEnvName(key)};
}

common::Status ReadRegistryToken(VersionFlags& flags) {
    if (!flags.registry_token_file.empty()) {
        auto token = common::ReadSecretFile(flags.registry_token_file);
        if (!token) return common::Fail(token.error());
        if (token->empty()) {
            return MakeError(ErrorCode::kInvalidArgument,
                             fmt::format("--registry-token-file {}: the file is empty", flags.registry_token_file));
        }
        flags.registry_token = std::move(*token);
    } else if (auto token = common::GetEnv(kRegistryTokenEnv); token && !token->empty()) {
        flags.registry_token = std::move(*token);
    }
    return common::Ok();
}

std::string RegistryCredentialsWarning(const edgegap::AppVersion& version, bool token_not_copied) {
    if (token_not_copied && version.private_token.empty()) {
        return fmt::format(
            "the registry token of --from-version is not copied (Edgegap may answer it masked): {} to set one",
            "give EDGEGAP_REGISTRY_TOKEN (or --registry-token-file)");
    }
    if (version.private_username.empty() && version.private_token.empty()) {
        return fmt::format(
            "no registry credentials: Edgegap pulls the image with private_username and private_token, needed even "
            "for registry.edgegap.com (edgegap-sim and public images need none); {}",
            kGiveCredentials);
    }
    if (version.private_username.empty() || version.private_token.empty()) {
        return fmt::format("registry credentials incomplete, the {} is missing: {}",
                           version.private_username.empty() ? "user" : "token", kGiveCredentials);
    }
    return "";
}

common::Status ApplyVersionFlags(const VersionFlags& flags, edgegap::AppVersion& version) {
    if (flags.registry) version.docker_repository = *flags.registry;
    if (flags.image) version.docker_image = *flags.image;
    if (flags.tag) version.docker_tag = *flags.tag;
    if (flags.registry_username) version.private_username = *flags.registry_username;
    if (flags.registry_token) version.private_token = *flags.registry_token;
    if (flags.arguments) version.arguments = flags.arguments;
    if (flags.command) version.command = flags.command;
    if (flags.req_cpu) version.req_cpu = *flags.req_cpu;
    if (flags.req_memory) version.req_memory = *flags.req_memory;
    if (flags.max_duration_minutes) version.max_duration_minutes = *flags.max_duration_minutes;
    if (flags.inactive) version.is_active = false;
    if (flags.active) version.is_active = true;
    if (flags.session_sockets) SessionOf(version).sockets = *flags.session_sockets;
    if (flags.empty_ttl_minutes) SessionOf(version).empty_ttl_minutes = *flags.empty_ttl_minutes;
    for (const auto& text : flags.ports) {
        auto port = ParsePortFlag(text);
        if (!port) return common::Fail(port.error());
        Merge(version.ports, std::move(*port), [](const edgegap::AppVersionPort& p) { return p.name; });
    }
    for (const auto& text : flags.envs) {
        auto env = ParseEnvFlag(text);
        if (!env) return common::Fail(env.error());
        Merge(version.envs, std::move(*env), [](const edgegap::EnvVar& e) { return e.key; });
    }
    return common::Ok();
}

json::value VersionToJson(const edgegap::AppVersion& version) {
    // Serialized without the credentials, so the token is never in the text at all.
    edgegap::AppVersion shown = version;
    shown.private_username.clear();
    shown.private_token.clear();
    json::value value = json::parse(edgegap::detail::SerializeAppVersionSpec(shown));
    json::object& object = value.as_object();
    object["max_duration"] = version.max_duration_minutes;
    object["time_to_deploy"] = version.time_to_deploy_seconds;
    for (auto& env : object["envs"].as_array()) {
        json::object& entry = env.as_object();
        if (entry["is_secret"].as_bool() || IsSecretEnvName(entry["key"].as_string())) entry["value"] = kHidden;
    }
    object["private_username"] = version.private_username;
    object["private_token"] = version.private_token.empty() ? std::string_view() : kHidden;
    return value;
}

std::string VersionTable(const edgegap::AppVersion& version) {
    Table table({"FIELD", "VALUE"});
    table.AddRow({"name", version.name});
    table.AddRow({"active", version.is_active ? "yes" : "no"});
    table.AddRow(
        {"image", fmt::format("{}/{}:{}", version.docker_repository, version.docker_image, version.docker_tag)});
    table.AddRow({"registry_user", version.private_username.empty() ? "(none)" : version.private_username});
    table.AddRow({"registry_token", version.private_token.empty() ? "(none)" : std::string(kHidden)});
    table.AddRow({"req_cpu", std::to_string(version.req_cpu)});
    table.AddRow({"req_memory", fmt::format("{} MB", version.req_memory)});
    table.AddRow({"max_duration", fmt::format("{} min", version.max_duration_minutes)});
    table.AddRow({"time_to_deploy", fmt::format("{} s", version.time_to_deploy_seconds)});
    table.AddRow({"command", version.command.value_or("")});
    table.AddRow({"arguments", ShortenCaArgument(version.arguments.value_or(""))});
    if (const auto& session = version.session_config) {
        table.AddRow(
            {"session", fmt::format("{}, {} socket(s), autodeploy {}, empty_ttl {} min", session->kind,
                                    session->sockets, session->autodeploy ? "on" : "off", session->empty_ttl_minutes)});
    }
    for (const auto& port : version.ports) {
        table.AddRow(
            {"port " + port.name, fmt::format("{}/{}{}", port.port, port.protocol, port.tls_upgrade ? " tls" : "")});
    }
    for (const auto& env : version.envs) {
        // A secret-named value left visible on Edgegap (set in its dashboard without "secret") is
        // hidden all the same: this output ends up in terminals, CI logs and tickets.
        const bool hidden = env.is_hidden || IsSecretEnvName(env.key);
        table.AddRow({"env " + env.key, hidden ? std::string(kHidden) : env.value});
    }
    return table.Text();
}

namespace {

struct AppVersionOptions {
    std::string app;
    std::string version;
    std::string from_version;
    std::string if_exists = "fail";  // "fail" or "update".
    VersionFlags flags;
    EdgegapSource edgegap;
    bool json = false;
};

using Client = edgegap::BlockingEdgegapClient;

Output VersionOutput(const AppVersionOptions& options, std::string_view outcome, const edgegap::AppVersion& version) {
    Output output;
    output.json = json::object{
        {"app", options.app}, {"version", options.version}, {"outcome", outcome}, {"settings", VersionToJson(version)}};
    output.text = outcome.empty() ? VersionTable(version)
                                  : fmt::format("app {} version {}: {}\n{}", options.app, options.version, outcome,
                                                VersionTable(version));
    return output;
}

// PATCHes what differs between `current` and `wanted`; "unchanged" without a call when nothing does.
common::Result<Output> PatchTo(Client& client, const AppVersionOptions& options, const edgegap::AppVersion& current,
                               const edgegap::AppVersion& wanted) {
    const edgegap::AppVersionPatch patch = edgegap::DiffVersions(current, wanted);
    if (patch.Empty()) return VersionOutput(options, "unchanged", current);
    auto patched = client.Call(&edgegap::EdgegapApi::PatchAppVersion, options.app, options.version, patch);
    if (!patched) return common::Fail(patched.error());
    return VersionOutput(options, "updated", *patched);
}

common::Result<Output> Show(const AppVersionOptions& options) {
    auto client = ConnectEdgegap(options.edgegap);
    if (!client) return common::Fail(client.error());
    auto version = (*client)->Call(&edgegap::EdgegapApi::GetAppVersion, options.app, options.version);
    if (!version) return common::Fail(version.error());
    return VersionOutput(options, "", *version);
}

common::Result<edgegap::AppVersion> WantedVersion(Client& client, const AppVersionOptions& options) {
    edgegap::AppVersion wanted;
    wanted.req_cpu = wanted.req_memory = kDefaultVersionRequest;
    if (!options.from_version.empty()) {
        auto base = client.Call(&edgegap::EdgegapApi::GetAppVersion, options.app, options.from_version);
        if (!base) return common::Fail(base.error().WithContext("--from-version " + options.from_version));
        wanted = std::move(*base);
    }
    // A token read back may be a mask; sending it would replace the real one.
    const bool token_not_copied = !wanted.private_token.empty();
    wanted.private_token.clear();
    wanted.name = options.version;
    wanted.is_active = true;
    if (auto applied = ApplyVersionFlags(options.flags, wanted); !applied) return common::Fail(applied.error());
    if (wanted.docker_repository.empty() || wanted.docker_image.empty() || wanted.docker_tag.empty()) {
        return MakeError(ErrorCode::kInvalidArgument,
                         "the version needs an image: give --registry, --image and --tag, or --from-version");
    }
    if (auto warning = RegistryCredentialsWarning(wanted, token_not_copied); !warning.empty()) {
        GAPKIT_LOG_WARN("gapctl", "create: app {} version {}: {}", options.app, options.version, warning);
    }
    return wanted;
}

common::Result<Output> Create(AppVersionOptions& options) {
    if (auto token = ReadRegistryToken(options.flags); !token) return common::Fail(token.error());
    auto client = ConnectEdgegap(options.edgegap);
    if (!client) return common::Fail(client.error());
    auto wanted = WantedVersion(**client, options);
    if (!wanted) return common::Fail(wanted.error());
    auto created = (*client)->Call(&edgegap::EdgegapApi::CreateAppVersion, options.app, *wanted);
    if (created) return VersionOutput(options, "created", *created);
    const bool exists = edgegap::Details(created.error()).category == edgegap::ErrorCategory::kConflict;
    if (exists && options.if_exists != "update") {
        return common::Fail(created.error().WithContext(
            fmt::format("app {} version {} exists (--if-exists update changes it)", options.app, options.version)));
    }
    if (!exists) return common::Fail(created.error());
    auto current = (*client)->Call(&edgegap::EdgegapApi::GetAppVersion, options.app, options.version);
    if (!current) return common::Fail(current.error());
    return PatchTo(**client, options, *current, *wanted);
}

common::Result<Output> Update(AppVersionOptions& options) {
    if (auto token = ReadRegistryToken(options.flags); !token) return common::Fail(token.error());
    auto client = ConnectEdgegap(options.edgegap);
    if (!client) return common::Fail(client.error());
    auto current = (*client)->Call(&edgegap::EdgegapApi::GetAppVersion, options.app, options.version);
    if (!current) return common::Fail(current.error());
    edgegap::AppVersion wanted = *current;
    if (auto applied = ApplyVersionFlags(options.flags, wanted); !applied) return common::Fail(applied.error());
    return PatchTo(**client, options, *current, wanted);
}

// Checks a repeatable flag's values at parse time, so a typo is a usage error (exit 2).
template <typename Parse>
CLI::Validator Checked(Parse parse, std::string name) {
    return CLI::Validator(
        [parse](std::string& text) {
            auto parsed = parse(text);
            return parsed ? std::string() : parsed.error().message();
        },
        std::move(name));
}

}  // namespace

CLI::Validator EnvFlagCheck() { return Checked(ParseEnvFlag, "KEY=VALUE"); }

namespace {

void AddVersionFlags(CLI::App& command, VersionFlags& flags, bool update) {
    command.add_option("--registry", flags.registry, "docker_repository, e.g. registry.edgegap.com");
    command.add_option("--image", flags.image, "docker_image, e.g. my-org/spaceships-server");
    command.add_option("--tag", flags.tag, "docker_tag, e.g. v1.2.3");
    command
        .add_option("--registry-username", flags.registry_username,
                    "private_username: the registry user Edgegap pulls the image as, e.g. robot$my-org+pull")
        ->envname("EDGEGAP_REGISTRY_USERNAME");
    command.add_option("--registry-token-file", flags.registry_token_file,
                       "File holding private_token, that user's password or token (else env "
                       "EDGEGAP_REGISTRY_TOKEN; never on the command line; shown as (hidden))");
    command
        .add_option("--port", flags.ports,
                    "NAME:PORT/PROTO[:tls], e.g. gameport:6420/UDP (repeatable; replaces the port of that name)")
        ->check(Checked(ParsePortFlag, "NAME:PORT/PROTO[:tls]"));
    command
        .add_option("--env", flags.envs,
                    "KEY=VALUE (repeatable; replaces the env of that key). Keys ending in _PASSWORD, _KEY, "
                    "_SECRET or _TOKEN are sent with is_secret (hidden by Edgegap). Values given here are "
                    "visible in the process list")
        ->check(EnvFlagCheck());
    command.add_option("--session-sockets", flags.session_sockets, "session_config.sockets: sessions per deployment")
        ->check(CLI::Range(1, 100000));
    command
        .add_option("--empty-ttl-minutes", flags.empty_ttl_minutes,
                    "session_config.empty_ttl: minutes a deployment may stay without sessions")
        ->check(CLI::Range(0, 1440));
    command.add_option("--arguments", flags.arguments, "Container arguments (to set the CA use set-ca-argument)");
    command.add_option("--command", flags.command, "Container command (overrides the image's)");
    command.add_option("--req-cpu", flags.req_cpu, "vCPU units, 1024 = 1 vCPU (Edgegap minimum 100)")
        ->check(CLI::Range(100, 1 << 20));
    command.add_option("--req-memory", flags.req_memory, "Memory in MB (Edgegap minimum 100)")
        ->check(CLI::Range(100, 1 << 20));
    command
        .add_option("--max-duration-minutes", flags.max_duration_minutes, "Longest life of a deployment; 0: no limit")
        ->check(CLI::Range(0, 1 << 20));
    auto* inactive = command.add_flag("--inactive", flags.inactive, "Make the version inactive (refuses deployments)");
    if (update) command.add_flag("--active", flags.active, "Make the version active")->excludes(inactive);
}

CLI::App* AddVersionCommand(CLI::App& parent, const std::string& name, const std::string& description,
                            const std::shared_ptr<AppVersionOptions>& options) {
    CLI::App* command = parent.add_subcommand(name, description);
    command->add_option("app", options->app, "Edgegap app name")->required();
    command->add_option("version", options->version, "Edgegap app version name")->required();
    AddEdgegapOptions(*command, options->edgegap);
    AddJsonFlag(*command, options->json);
    return command;
}

}  // namespace

void RegisterAppVersionCommand(CLI::App& app, int& exit_code) {
    CLI::App* group = app.add_subcommand("app-version", "Show, create or update an Edgegap app version");
    group->require_subcommand(1);

    auto show_options = std::make_shared<AppVersionOptions>();
    CLI::App* show = AddVersionCommand(*group, "show", "Every setting of an app version", show_options);
    show->footer(
        fmt::format("{}\nThe CA in --ca_contents is shown as <CA: CN, sha256 prefix>; --json has it in full.\n"
                    "Example: gapctl app-version show spaceships 1",
                    kEdgegapHelp));
    SetOutputCallback(*show, exit_code, show_options->json, [show_options] { return Show(*show_options); });

    auto create_options = std::make_shared<AppVersionOptions>();
    CLI::App* create = AddVersionCommand(*group, "create", "Create an app version (POST)", create_options);
    create->add_option("--from-version", create_options->from_version,
                       "Copy every setting of this version first, then apply the flags");
    create
        ->add_option("--if-exists", create_options->if_exists,
                     "When the version exists: fail, or update it to these settings (PATCH of what differs)")
        ->check(CLI::IsMember({"fail", "update"}))
        ->capture_default_str();
    AddVersionFlags(*create, create_options->flags, false);
    create->footer(fmt::format(
        "{}\nWithout --from-version, --registry, --image and --tag are needed; req_cpu and req_memory default to {}.\n"
        "The new version is active unless --inactive.\n{}\n"
        "--from-version copies the registry user but never the token (a GET may answer it masked).\n"
        "Example: EDGEGAP_REGISTRY_TOKEN=... gapctl app-version create spaceships v1.2.3 --from-version v1.2.2 "
        "--tag v1.2.3 --if-exists update",
        kEdgegapHelp, kDefaultVersionRequest, kRegistryHelp));
    SetOutputCallback(*create, exit_code, create_options->json, [create_options] { return Create(*create_options); });

    auto update_options = std::make_shared<AppVersionOptions>();
    CLI::App* update =
        AddVersionCommand(*group, "update", "Change the given settings of an app version (PATCH)", update_options);
    AddVersionFlags(*update, update_options->flags, true);
    update->footer(
        fmt::format("{}\nOnly what the flags change is sent; nothing changed sends nothing.\n{}\n"
                    "Example: gapctl app-version update spaceships 1 --empty-ttl-minutes 5 --env MAP=forest",
                    kEdgegapHelp, kRegistryHelp));
    SetOutputCallback(*update, exit_code, update_options->json, [update_options] { return Update(*update_options); });
}

}  // namespace gapkit::cli
