#include "gapkit/testing/nats_server.hpp"

#include "gapkit/testing/free_port.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <random>
#include <regex>
#include <thread>

#include <fmt/format.h>

#include "gapkit/common/files.hpp"
#include "gapkit/testing/certificates.hpp"

namespace gapkit::testing {
namespace {

using common::ErrorCode;
using common::MakeError;
using common::Result;
using common::Status;

constexpr auto kStartTimeout = std::chrono::seconds(10);

bool AcceptsConnections(int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    return ok;
}

std::string QuotedList(const std::vector<std::string>& items) {
    std::string text;
    for (const auto& item : items) text += fmt::format("{}\"{}\"", text.empty() ? "" : ", ", item);
    return "[" + text + "]";
}

std::string UserBlock(const NatsUser& user) {
    std::vector<std::string> rules;
    if (!user.publish_allow.empty()) rules.push_back("publish: " + QuotedList(user.publish_allow));
    if (!user.subscribe_allow.empty()) rules.push_back("subscribe: " + QuotedList(user.subscribe_allow));
    std::string permissions;
    if (!rules.empty()) permissions = ", permissions: { " + fmt::format("{}", fmt::join(rules, ", ")) + " }";
    return fmt::format("    {{ user: \"{}\", password: \"{}\"{} }}\n", user.name, user.password, permissions);
}

Result<std::string> ConfigText(const NatsServerOptions& options, const std::filesystem::path& dir, int port) {
    std::string config = fmt::format("listen: \"127.0.0.1:{}\"\nserver_name: gapkit_test_{}\n", port, port);
    if (options.tls) {
        const auto& certificates = SharedTestCertificates();
        if (!certificates) return common::Fail(certificates.error().WithContext("test certificates"));
        config += fmt::format("tls {{\n  cert_file: \"{}\"\n  key_file: \"{}\"\n  timeout: 2\n}}\n",
                              certificates->server_cert_file.string(), certificates->server_key_file.string());
    }
    config += "authorization {\n  users: [\n";
    for (const auto& user : options.users) config += UserBlock(user);
    config += "  ]\n}\n";
    if (options.jetstream) {
        config +=
            fmt::format("jetstream {{\n  store_dir: \"{}\"\n  max_memory_store: 64MB\n  max_file_store: 256MB\n}}\n",
                        (dir / "jetstream").string());
    }
    return config;
}

std::string RandomPassword() {
    std::random_device random;
    // A leading letter keeps it a string wherever nats-server reads it as a config variable.
    return fmt::format("p{:08x}{:08x}{:08x}", random(), random(), random());
}

const NatsUser* FindUser(const std::vector<NatsUser>& users, std::string_view name) {
    const auto found =
        std::find_if(users.begin(), users.end(), [&](const NatsUser& user) { return user.name == name; });
    return found == users.end() ? nullptr : &*found;
}

// The password of user `role` (lower-cased), made up and added to `users` on first use.
std::string PasswordOf(std::vector<NatsUser>& users, std::string role) {
    std::transform(role.begin(), role.end(), role.begin(), [](unsigned char c) { return std::tolower(c); });
    if (const NatsUser* user = FindUser(users, role)) return user->password;
    users.push_back({role, RandomPassword(), {}, {}});
    return users.back().password;
}

// The layout run-local.sh gives @STATE@/nats: the server certificate and key, and the store.
Status PrepareStateDir(const std::filesystem::path& dir) {
    const auto& certificates = SharedTestCertificates();
    if (!certificates) return common::Fail(certificates.error().WithContext("test certificates"));
    std::error_code ec;
    std::filesystem::create_directories(dir / "nats" / "jetstream", ec);
    if (!ec) std::filesystem::copy_file(certificates->server_cert_file, dir / "nats" / "server.pem", ec);
    if (!ec) std::filesystem::copy_file(certificates->server_key_file, dir / "nats" / "server-key.pem", ec);
    if (ec) return MakeError(ErrorCode::kIo, "preparing " + (dir / "nats").string() + ": " + ec.message());
    return common::Ok();
}

// The value of placeholder @<name>@, as scripts/run-local.sh fills it.
Result<std::string> PlaceholderValue(const std::string& name, NatsServerOptions& options,
                                     const std::filesystem::path& dir, int port) {
    static const std::string kPasswordSuffix = "_PASSWORD";
    if (name == "NATS_PORT") return std::to_string(port);
    if (name == "STATE") return dir.string();
    if (name.size() > kPasswordSuffix.size() && name.ends_with(kPasswordSuffix)) {
        return PasswordOf(options.users, name.substr(0, name.size() - kPasswordSuffix.size()));
    }
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("{}: unknown placeholder @{}@", options.config_template.string(), name));
}

// Fills the template's placeholders; each user it names gets a new password in options.users.
Result<std::string> FilledTemplate(NatsServerOptions& options, const std::filesystem::path& dir, int port) {
    auto text = common::ReadFile(options.config_template);
    if (!text) return common::Fail(text.error().WithContext("nats config template"));
    if (auto prepared = PrepareStateDir(dir); !prepared) return common::Fail(prepared.error());
    options.users.clear();
    static const std::regex kPlaceholder("@([A-Z][A-Z0-9_]*)@");
    std::string config;
    auto rest = text->cbegin();
    for (std::sregex_iterator it(text->cbegin(), text->cend(), kPlaceholder), end; it != end; ++it) {
        config.append(rest, (*it)[0].first);
        rest = (*it)[0].second;
        auto value = PlaceholderValue((*it)[1], options, dir, port);
        if (!value) return common::Fail(value.error());
        config += *value;
    }
    config.append(rest, text->cend());
    if (options.users.empty()) {
        return MakeError(ErrorCode::kInvalidArgument,
                         options.config_template.string() + " names no user (no @<ROLE>_PASSWORD@ placeholder)");
    }
    return config;
}

std::string LogTail(const std::filesystem::path& log_file) {
    auto text = common::ReadFile(log_file);
    if (!text) return "(no log)";
    constexpr std::size_t kTailBytes = 2000;
    return text->size() > kTailBytes ? text->substr(text->size() - kTailBytes) : *text;
}

}  // namespace

bool NatsServer::Installed() { return FindProgram("nats-server").has_value(); }

Result<std::unique_ptr<NatsServer>> NatsServer::Start(NatsServerOptions options) {
    const auto program = FindProgram("nats-server");
    if (!program) return MakeError(ErrorCode::kFailedPrecondition, "nats-server is not installed");
    auto dir = TempDir::Create("gapkit-nats");
    if (!dir) return common::Fail(dir.error());
    auto port = FreeLoopbackPort();
    if (!port) return common::Fail(port.error());
    auto config = options.config_template.empty() ? ConfigText(options, dir->path(), *port)
                                                  : FilledTemplate(options, dir->path(), *port);
    if (!config) return common::Fail(config.error());
    std::ofstream(dir->path() / "nats.conf") << *config;
    std::unique_ptr<NatsServer> server(new NatsServer(std::move(options), std::move(*dir), *port));
    auto launched = server->Launch();
    if (!launched) return common::Fail(launched.error());
    return server;
}

NatsServer::NatsServer(NatsServerOptions options, TempDir dir, int port)
    : options_(std::move(options)), dir_(std::move(dir)), port_(port) {}

NatsServer::~NatsServer() { Stop(); }

Status NatsServer::Launch() {
    const auto program = FindProgram("nats-server");
    if (!program) return MakeError(ErrorCode::kFailedPrecondition, "nats-server is not installed");
    auto child = ChildProcess::Spawn({program->string(), "-c", (dir_.path() / "nats.conf").string()}, LogFile());
    if (!child) return common::Fail(child.error());
    process_ = std::make_unique<ChildProcess>(std::move(*child));
    const auto deadline = std::chrono::steady_clock::now() + kStartTimeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (!process_->Running()) {
            process_.reset();
            return MakeError(ErrorCode::kUnavailable, "nats-server exited at start-up:\n" + LogTail(LogFile()));
        }
        if (AcceptsConnections(port_)) return common::Ok();
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    Stop();
    return MakeError(ErrorCode::kTimeout, "nats-server did not listen within 10 s:\n" + LogTail(LogFile()));
}

void NatsServer::Stop() {
    if (process_) process_->Stop();
    process_.reset();
}

void NatsServer::Kill() {
    if (process_) process_->Kill();
    process_.reset();
}

Status NatsServer::Restart() {
    Stop();
    return Launch();
}

const NatsUser* NatsServer::User(std::string_view name) const { return FindUser(options_.users, name); }

std::string NatsServer::HostPort() const { return fmt::format("127.0.0.1:{}", port_); }

std::filesystem::path NatsServer::CaFile() const {
    const auto& certificates = SharedTestCertificates();
    return options_.tls && certificates ? certificates->ca_file : std::filesystem::path();
}

std::string NatsServer::CaPem() const {
    const auto& certificates = SharedTestCertificates();
    return options_.tls && certificates ? certificates->ca_pem : std::string();
}

EnvOverrides NatsServer::ClientEnv() const {
    EnvOverrides env{{"NATS_HOST", HostPort()},
                     {"NATS_USER", options_.users.front().name},
                     {"NATS_PASSWORD", options_.users.front().password},
                     {"NATS_CA", std::nullopt},
                     {"NATS_CA_CONTENTS", std::nullopt},
                     {"NATS_INSECURE", std::nullopt}};
    if (options_.tls) {
        env["NATS_CA"] = CaFile().string();
    } else {
        env["NATS_INSECURE"] = "1";
    }
    return env;
}

}  // namespace gapkit::testing
