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
#include <utility>

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

std::string ServerName(const NatsServerOptions& options, int port) {
    return options.cluster.server_name.empty() ? fmt::format("gapkit-test-{}", port) : options.cluster.server_name;
}

// One line, so that scripts/run-local.sh and a template's @NATS_CLUSTER@ can hold it alike. Routes
// use TLS like clients: nats-server then checks the dialling node's certificate as a client's,
// which is why the test certificates also allow client authentication.
Result<std::string> ClusterBlock(const NatsServerOptions& options) {
    const auto& cluster = options.cluster;
    if (cluster.cluster_name.empty()) return std::string();
    std::vector<std::string> routes;
    for (int route_port : cluster.route_ports) routes.push_back(fmt::format("nats-route://127.0.0.1:{}", route_port));
    std::string tls;
    if (options.tls) {
        const auto& certificates = SharedTestCertificates();
        if (!certificates) return common::Fail(certificates.error().WithContext("test certificates"));
        tls = fmt::format(", tls {{ cert_file: \"{}\", key_file: \"{}\", ca_file: \"{}\", timeout: 2 }}",
                          certificates->server_cert_file.string(), certificates->server_key_file.string(),
                          certificates->ca_file.string());
    }
    return fmt::format("cluster {{ name: {}, listen: \"127.0.0.1:{}\", routes: {}{} }}", cluster.cluster_name,
                       cluster.route_port, QuotedList(routes), tls);
}

Result<std::string> ConfigText(const NatsServerOptions& options, const std::filesystem::path& dir, int port) {
    std::string config = fmt::format("listen: \"127.0.0.1:{}\"\nserver_name: {}\n", port, ServerName(options, port));
    auto cluster = ClusterBlock(options);
    if (!cluster) return common::Fail(cluster.error());
    if (!cluster->empty()) config += *cluster + "\n";
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

// The password of user `role` (lower-cased), added to `users` on first use: the one `given` holds
// (so that every node of a cluster has the same), or a new one.
std::string PasswordOf(std::vector<NatsUser>& users, const std::vector<NatsUser>& given, std::string role) {
    std::transform(role.begin(), role.end(), role.begin(), [](unsigned char c) { return std::tolower(c); });
    if (const NatsUser* user = FindUser(users, role)) return user->password;
    const NatsUser* known = FindUser(given, role);
    users.push_back({role, known ? known->password : RandomPassword(), {}, {}});
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
                                     const std::vector<NatsUser>& given_users, const std::filesystem::path& dir,
                                     int port) {
    static const std::string kPasswordSuffix = "_PASSWORD";
    if (name == "NATS_PORT") return std::to_string(port);
    if (name == "STATE") return dir.string();
    if (name == "NATS_NAME") return ServerName(options, port);
    if (name == "NATS_STORE") return (dir / "nats" / "jetstream").string();
    if (name == "NATS_CLUSTER") return ClusterBlock(options);
    if (name.size() > kPasswordSuffix.size() && name.ends_with(kPasswordSuffix)) {
        return PasswordOf(options.users, given_users, name.substr(0, name.size() - kPasswordSuffix.size()));
    }
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("{}: unknown placeholder @{}@", options.config_template.string(), name));
}

// Fills the template's placeholders; each user it names gets a new password in options.users.
Result<std::string> FilledTemplate(NatsServerOptions& options, const std::filesystem::path& dir, int port) {
    auto text = common::ReadFile(options.config_template);
    if (!text) return common::Fail(text.error().WithContext("nats config template"));
    if (auto prepared = PrepareStateDir(dir); !prepared) return common::Fail(prepared.error());
    const std::vector<NatsUser> given_users = std::exchange(options.users, {});
    static const std::regex kPlaceholder("@([A-Z][A-Z0-9_]*)@");
    std::string config;
    auto rest = text->cbegin();
    for (std::sregex_iterator it(text->cbegin(), text->cend(), kPlaceholder), end; it != end; ++it) {
        config.append(rest, (*it)[0].first);
        rest = (*it)[0].second;
        auto value = PlaceholderValue((*it)[1], options, given_users, dir, port);
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
    auto port =
        options.port != 0 ? Result<std::uint16_t>(static_cast<std::uint16_t>(options.port)) : FreeLoopbackPort();
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

EnvOverrides NatsServer::ClientEnv(std::string_view user_name) const {
    if (user_name.empty()) user_name = options_.users.front().name;
    const NatsUser* user = User(user_name);
    EnvOverrides env{{"NATS_HOST", HostPort()},
                     {"NATS_USER", std::string(user_name)},
                     {"NATS_PASSWORD", user ? user->password : std::string("not-a-user-of-this-server")},
                     {"NATS_PASSWORD_FILE", std::nullopt},
                     {"NATS_CA", std::nullopt},
                     {"NATS_CA_CONTENTS", std::nullopt},
                     {"NATS_INSECURE", std::nullopt},
                     {"NATS_REPLICAS", std::nullopt}};
    if (options_.tls) {
        env["NATS_CA"] = CaFile().string();
    } else {
        env["NATS_INSECURE"] = "1";
    }
    return env;
}

}  // namespace gapkit::testing
