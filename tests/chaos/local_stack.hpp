#pragma once

/// @file
/// The local stack of `make run` (scripts/run-local.sh), started as real processes for one fault
/// scenario: nats-server from the shipped deploy/local/nats.conf.in (TLS, JetStream on disk, one
/// user per role), `gapkit-edgegap-sim` from the rendered deploy/local/edgegap-sim.json.in
/// (spaceships-server deployments that reach the bus as `gameserver`), one or more
/// `gapkit-matchmaker` and one `gapkit-httpd`, each on free loopback ports with its state and logs
/// in a private folder. Several stacks can run side by side without sharing anything.
///
/// Threads: one thread owns a `LocalStack` and spawns its processes (they get SIGTERM when that
/// thread ends, see `testing::ChildProcess`); `sim()` may be used from any thread.

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "gapkit/common/result.hpp"
#include "gapkit/testing/nats_cluster.hpp"
#include "gapkit/testing/nats_server.hpp"
#include "gapkit/testing/process.hpp"
#include "gapkit/testing/temp_dir.hpp"
#include "sim_admin.hpp"

namespace gapkit::chaos {

struct StackOptions {
    std::filesystem::path bin_dir;     ///< Where the build put the programs (its `bin/`).
    std::filesystem::path source_dir;  ///< The repository, for deploy/local's templates.
    int matchmakers = 1;               ///< Matchmaker processes started with the stack.
    /// 1: one nats-server (run-local.sh's default); 3: a JetStream cluster of three on loopback,
    /// every component given all three addresses (`NATS_HOST`), its buckets created with 3 replicas.
    int nats_nodes = 1;
    std::vector<std::string> matchmaker_flags;  ///< Added to run-local.sh's matchmaker flags.
    std::vector<std::string> httpd_flags;       ///< Added to run-local.sh's httpd flags.
    int sim_empty_ttl_seconds = 30;             ///< run-local.sh's SIM_EMPTY_TTL_SECONDS.
    /// The matchmakers get httpd's webhook URL and secret (run-local.sh's setup); false: they poll.
    bool webhooks = true;
    /// Per program (gapkit-matchmaker, gapkit-httpd, spaceships-server), the command that runs it
    /// instead of `bin_dir/<name>`, the stack's flags appended: e.g. {"/usr/sbin/chroot", "<root>",
    /// "/usr/local/bin/gapkit-httpd"} runs an image's program (tests/images). No element may hold
    /// a space or a quote (the game server's becomes the simulator's command and arguments).
    std::map<std::string, std::vector<std::string>> commands;
};

class LocalStack {
  public:
    /// Starts everything and waits (30 s at most) until httpd's /readyz answers 200 and every
    /// matchmaker logs that it serves requests.
    static common::Result<std::unique_ptr<LocalStack>> Start(StackOptions options);
    ~LocalStack();  ///< Stops httpd, the matchmakers, the simulator (and its deployments), nats.
    LocalStack(const LocalStack&) = delete;
    LocalStack& operator=(const LocalStack&) = delete;

    /// The players' URL, `ws://127.0.0.1:<httpd port>/matchmaker/ws`.
    std::string MatchmakerUrl() const;
    SimAdmin& sim() { return sim_; }

    /// The NATS_* variables that connect as `user` (matchmaker, httpd, gameserver, operator).
    testing::EnvOverrides NatsEnv(const std::string& user) const;
    /// EDGEGAP_BASE_URL and EDGEGAP_API_KEY of the simulator, plus GAPKIT_MM_APP_NAME and
    /// GAPKIT_MM_APP_VERSION of the app version the matchmakers serve (spaceships 1).
    testing::EnvOverrides EdgegapEnv() const;
    /// httpd's base URL, `http://127.0.0.1:<port>`.
    std::string HttpdUrl() const;
    /// The netcode private key the matchmakers sign tokens with (hex).
    const std::string& private_key_hex() const { return private_key_hex_; }
    /// The nats-server (node 0 of a cluster), or node `index` of a cluster.
    testing::NatsServer& nats(int index = 0) { return cluster_ ? cluster_->node(index) : *nats_; }
    const std::filesystem::path& dir() const { return dir_.path(); }
    std::filesystem::path Program(const std::string& name) const { return options_.bin_dir / name; }

    /// Starts one more matchmaker and waits until it serves requests.
    common::Status StartMatchmaker();
    /// SIGKILLs matchmaker `index` (in start order), as a crash.
    void KillMatchmaker(std::size_t index);

    /// SIGKILLs httpd and starts a new one on the same port, then waits until it is ready.
    common::Status CrashAndRestartHttpd();

    /// SIGKILLs the game server process of deployment `request_id` (found by its
    /// ARBITRIUM_REQUEST_ID among this user's processes). False when none was found.
    bool KillGameServer(const std::string& request_id) const;

  private:
    LocalStack(StackOptions options, testing::TempDir dir, std::uint16_t sim_port, std::uint16_t httpd_port);
    common::Status StartNats();
    common::Status StartSim();
    common::Status StartHttpd();
    common::Status WaitForLog(const std::filesystem::path& log, const std::string& text) const;
    const testing::NatsUser* NatsUserNamed(const std::string& user) const;
    /// `options_.commands[name]`, or `bin_dir/<name>`.
    std::vector<std::string> Command(const std::string& name) const;

    const StackOptions options_;
    testing::TempDir dir_;
    std::unique_ptr<testing::NatsServer> nats_;      ///< One node, or
    std::unique_ptr<testing::NatsCluster> cluster_;  ///< a cluster.
    const std::uint16_t sim_port_;
    const std::uint16_t httpd_port_;
    SimAdmin sim_;
    std::string private_key_hex_;
    std::string webhook_secret_;
    std::unique_ptr<testing::ChildProcess> sim_process_;
    std::vector<testing::ChildProcess> matchmakers_;
    std::unique_ptr<testing::ChildProcess> httpd_;
    int httpd_starts_ = 0;
};

}  // namespace gapkit::chaos
