#include "local_stack.hpp"

#include <signal.h>
#include <sys/types.h>

#include <fstream>
#include <random>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "gapkit/common/files.hpp"
#include "gapkit/testing/free_port.hpp"
#include "gapkit/testing/wait.hpp"

namespace gapkit::chaos {

using common::ErrorCode;
using common::MakeError;
using common::Result;
using common::Status;

namespace {

constexpr auto kReadyTimeout = std::chrono::seconds(30);
constexpr const char* kSimApiKey = "devkey";  // run-local.sh's fixed development key.
constexpr const char* kProtocolId = "80085";
constexpr const char* kFakePlayerIp = "81.128.157.100";

std::string RandomHex(std::size_t bytes) {
    std::random_device random;
    std::string text;
    for (std::size_t i = 0; i < bytes; ++i) text += fmt::format("{:02x}", random() & 0xff);
    return text;
}

void ReplaceAll(std::string& text, const std::string& from, const std::string& to) {
    for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
        text.replace(at, from.size(), to);
    }
}

Status WriteFile(const std::filesystem::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::trunc);
    out << text;
    out.close();
    if (!out) return MakeError(ErrorCode::kInternal, "cannot write " + path.string());
    return common::Ok();
}

// The environment of process `pid` holds `entry` (a NUL-separated /proc file).
bool EnvironHolds(const std::filesystem::path& environ_file, const std::string& entry) {
    std::ifstream in(environ_file, std::ios::binary);
    std::string item;
    while (std::getline(in, item, '\0')) {
        if (item == entry) return true;
    }
    return false;
}

}  // namespace

LocalStack::LocalStack(StackOptions options, testing::TempDir dir, std::uint16_t sim_port, std::uint16_t httpd_port)
    : options_(std::move(options)),
      dir_(std::move(dir)),
      sim_port_(sim_port),
      httpd_port_(httpd_port),
      sim_(sim_port, kSimApiKey),
      private_key_hex_(RandomHex(32)),
      webhook_secret_(RandomHex(16)) {}

LocalStack::~LocalStack() {
    // Newest first, as run-local.sh stops them, so each still has the bus while it shuts down.
    if (httpd_) httpd_->Stop();
    for (auto it = matchmakers_.rbegin(); it != matchmakers_.rend(); ++it) it->Stop();
    if (sim_process_) sim_process_->Stop(std::chrono::seconds(10));
    nats_.reset();
    cluster_.reset();
}

Result<std::unique_ptr<LocalStack>> LocalStack::Start(StackOptions options) {
    auto dir = testing::TempDir::Create("gapkit-chaos");
    if (!dir) return common::Fail(dir.error());
    std::filesystem::create_directories(dir->path() / "logs" / "deployments");
    auto sim_port = testing::FreeLoopbackPort();
    auto httpd_port = testing::FreeLoopbackPort();
    if (!sim_port || !httpd_port) return MakeError(ErrorCode::kUnavailable, "no free port");
    const int matchmakers = options.matchmakers;
    std::unique_ptr<LocalStack> stack(new LocalStack(std::move(options), std::move(*dir), *sim_port, *httpd_port));
    if (auto ok = stack->StartNats(); !ok) return common::Fail(ok.error());
    if (auto ok = stack->StartSim(); !ok) return common::Fail(ok.error());
    for (int i = 0; i < matchmakers; ++i) {
        if (auto ok = stack->StartMatchmaker(); !ok) return common::Fail(ok.error());
    }
    if (auto ok = stack->StartHttpd(); !ok) return common::Fail(ok.error());
    return stack;
}

std::string LocalStack::MatchmakerUrl() const { return fmt::format("ws://127.0.0.1:{}/matchmaker/ws", httpd_port_); }

Status LocalStack::StartNats() {
    const auto config_template = options_.source_dir / "deploy/local/nats.conf.in";
    if (options_.nats_nodes > 1) {
        auto cluster = testing::NatsCluster::Start({.nodes = options_.nats_nodes, .config_template = config_template});
        if (!cluster) return common::Fail(cluster.error().WithContext("nats cluster"));
        cluster_ = std::move(*cluster);
        return common::Ok();
    }
    auto nats = testing::NatsServer::Start({.config_template = config_template});
    if (!nats) return common::Fail(nats.error().WithContext("nats-server"));
    nats_ = std::move(*nats);
    return common::Ok();
}

const testing::NatsUser* LocalStack::NatsUserNamed(const std::string& user) const {
    return cluster_ ? cluster_->User(user) : nats_->User(user);
}

std::vector<std::string> LocalStack::Command(const std::string& name) const {
    const auto command = options_.commands.find(name);
    if (command != options_.commands.end()) return command->second;
    return {Program(name).string()};
}

testing::EnvOverrides LocalStack::NatsEnv(const std::string& user) const {
    if (cluster_) return cluster_->ClientEnv(user);
    testing::EnvOverrides env = nats_->ClientEnv();
    const testing::NatsUser* named = nats_->User(user);
    env["NATS_USER"] = user;
    env["NATS_PASSWORD"] = named == nullptr ? "" : named->password;
    return env;
}

testing::EnvOverrides LocalStack::EdgegapEnv() const {
    return {{"EDGEGAP_BASE_URL", fmt::format("http://127.0.0.1:{}", sim_port_)},
            {"EDGEGAP_API_KEY", kSimApiKey},
            {"GAPKIT_MM_APP_NAME", "spaceships"},
            {"GAPKIT_MM_APP_VERSION", "1"}};
}

std::string LocalStack::HttpdUrl() const { return fmt::format("http://127.0.0.1:{}", httpd_port_); }

// Renders deploy/local/edgegap-sim.json.in as run-local.sh's render_sim_config does.
Status LocalStack::StartSim() {
    auto text = common::ReadFile(options_.source_dir / "deploy/local/edgegap-sim.json.in");
    if (!text) return common::Fail(text.error());
    std::filesystem::create_directories(dir() / "ca");
    std::error_code ec;
    std::filesystem::copy_file(cluster_ ? cluster_->CaFile() : nats_->CaFile(), dir() / "ca/rootCA.pem",
                               std::filesystem::copy_options::overwrite_existing, ec);
    if (ec) return MakeError(ErrorCode::kInternal, "cannot copy the CA: " + ec.message());
    const testing::NatsUser* gameserver = NatsUserNamed("gameserver");
    if (gameserver == nullptr) return MakeError(ErrorCode::kInternal, "the NATS template has no gameserver user");
    // The game servers get every node's address, as the other components do.
    const auto hosts = NatsEnv("gameserver")["NATS_HOST"].value_or("");
    for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
             {"127.0.0.1:@NATS_PORT@", hosts},
             {"@STATE@", dir().string()},
             {"@GAMESERVER_PASSWORD@", gameserver->password},
             {"@PRIVATE_KEY@", private_key_hex_},
             {"@PROTOCOL_ID@", kProtocolId},
             {"@EMPTY_TTL_SECONDS@", std::to_string(options_.sim_empty_ttl_seconds)}}) {
        ReplaceAll(*text, from, to);
    }
    if (options_.commands.contains("spaceships-server")) {
        const auto command = Command("spaceships-server");
        ReplaceAll(*text, "\"command\": \"spaceships-server\"", fmt::format("\"command\": \"{}\"", command[0]));
        ReplaceAll(*text, "\"arguments\": \"\"",
                   fmt::format("\"arguments\": \"{}\"", fmt::join(command.begin() + 1, command.end(), " ")));
    }
    const auto config = dir() / "edgegap-sim.json";
    if (auto ok = WriteFile(config, *text); !ok) return ok;
    auto process = testing::ChildProcess::Spawn(
        {Program("gapkit-edgegap-sim").string(), "--config", config.string(), "--bind", "127.0.0.1", "--port",
         std::to_string(sim_port_), "--log-dir", (dir() / "logs/deployments").string()},
        dir() / "logs/edgegap-sim.log", {{"EDGEGAP_SIM_API_KEY", kSimApiKey}});
    if (!process) return common::Fail(process.error());
    sim_process_ = std::make_unique<testing::ChildProcess>(std::move(*process));
    if (!testing::WaitFor([&] { return sim_.State().has_value(); }, kReadyTimeout)) {
        return MakeError(ErrorCode::kUnavailable, "edgegap-sim did not start; see " + dir().string() + "/logs");
    }
    return common::Ok();
}

Status LocalStack::StartMatchmaker() {
    const auto log = dir() / "logs" / fmt::format("matchmaker-{}.log", matchmakers_.size());
    auto env = NatsEnv("matchmaker");
    env["EDGEGAP_API_KEY"] = kSimApiKey;
    env["GAPKIT_PRIVATE_KEY"] = private_key_hex_;
    if (options_.webhooks) {
        env["GAPKIT_MM_WEBHOOK_BASE_URL"] = fmt::format("http://127.0.0.1:{}/edgegap/webhook", httpd_port_);
        env["GAPKIT_MM_WEBHOOK_SECRET"] = webhook_secret_;
    }
    std::vector<std::string> argv = Command("gapkit-matchmaker");
    argv.insert(argv.end(),
                {"--app-name", "spaceships", "--app-version", "1", "--lightyear-protocol-id", kProtocolId,
                 "--edgegap-base-url", fmt::format("http://127.0.0.1:{}", sim_port_), "--metrics-port", "0"});
    argv.insert(argv.end(), options_.matchmaker_flags.begin(), options_.matchmaker_flags.end());
    auto process = testing::ChildProcess::Spawn(argv, log, env);
    if (!process) return common::Fail(process.error());
    matchmakers_.push_back(std::move(*process));
    return WaitForLog(log, "serving matchmaker.request");
}

void LocalStack::KillMatchmaker(std::size_t index) {
    if (index < matchmakers_.size()) matchmakers_[index].Kill();
}

Status LocalStack::StartHttpd() {
    const auto log = dir() / "logs" / fmt::format("httpd-{}.log", httpd_starts_++);
    auto env = NatsEnv("httpd");
    env["GAPKIT_HTTPD_WEBHOOK_SECRET"] = webhook_secret_;
    std::vector<std::string> argv = Command("gapkit-httpd");
    argv.insert(argv.end(), {"--bind", "127.0.0.1", "--port", std::to_string(httpd_port_), "--allow-client-ip-override",
                             "--fake-ip", kFakePlayerIp});
    argv.insert(argv.end(), options_.httpd_flags.begin(), options_.httpd_flags.end());
    auto process = testing::ChildProcess::Spawn(argv, log, env);
    if (!process) return common::Fail(process.error());
    httpd_ = std::make_unique<testing::ChildProcess>(std::move(*process));
    const bool ready = testing::WaitFor(
        [&] {
            auto answer = HttpCall(httpd_port_, "GET", "/readyz");
            return answer && answer->status == 200;
        },
        kReadyTimeout);
    if (!ready) return MakeError(ErrorCode::kUnavailable, "httpd did not become ready; see " + log.string());
    return common::Ok();
}

Status LocalStack::CrashAndRestartHttpd() {
    if (httpd_) httpd_->Kill();
    return StartHttpd();
}

bool LocalStack::KillGameServer(const std::string& request_id) const {
    const std::string entry = "ARBITRIUM_REQUEST_ID=" + request_id;
    std::error_code ec;
    for (const auto& process : std::filesystem::directory_iterator("/proc", ec)) {
        const std::string name = process.path().filename().string();
        if (name.find_first_not_of("0123456789") != std::string::npos) continue;
        if (EnvironHolds(process.path() / "environ", entry)) {
            return ::kill(static_cast<pid_t>(std::stol(name)), SIGKILL) == 0;
        }
    }
    return false;
}

Status LocalStack::WaitForLog(const std::filesystem::path& log, const std::string& text) const {
    const bool found = testing::WaitFor(
        [&] {
            auto content = common::ReadFile(log);
            return content && content->find(text) != std::string::npos;
        },
        kReadyTimeout);
    if (!found) return MakeError(ErrorCode::kUnavailable, fmt::format("no '{}' in {}", text, log.string()));
    return common::Ok();
}

}  // namespace gapkit::chaos
