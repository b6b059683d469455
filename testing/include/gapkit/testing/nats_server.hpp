#pragma once

/// @file
/// A real `nats-server` (Debian package, v2.9) for tests, started on a free loopback port with a
/// generated config: TLS with the shared test CA (or plain TCP), users with passwords and optional
/// subject permissions, and JetStream with its store in a private temp folder. Or started from a
/// config template, such as the shipped deploy/local/nats.conf.in, filled in as
/// scripts/run-local.sh fills it (`NatsServerOptions::config_template`).
///
/// Typical use:
/// @code
///   GAPKIT_SKIP_WITHOUT_NATS_SERVER();
///   auto server = gapkit::testing::NatsServer::Start();
///   ASSERT_TRUE(server) << server.error().ToString();
///   gapkit::testing::ScopedEnv env((*server)->ClientEnv());   // NATS_HOST, NATS_USER, ...
/// @endcode
///
/// Threads: one thread owns a `NatsServer`. The server is stopped (SIGTERM) by `Stop()` or the
/// destructor; its folder (config, log, JetStream store) is removed by the destructor.

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gapkit/common/result.hpp"
#include "gapkit/testing/process.hpp"
#include "gapkit/testing/scoped_env.hpp"
#include "gapkit/testing/temp_dir.hpp"

namespace gapkit::testing {

/// One account user. Empty allow lists mean "everything".
struct NatsUser {
    std::string name;
    std::string password;
    std::vector<std::string> publish_allow;    ///< Subjects the user may publish to.
    std::vector<std::string> subscribe_allow;  ///< Subjects the user may subscribe to.
};

/// A node's place in a JetStream cluster (`NatsCluster` fills it for each node).
struct NatsClusterMembership {
    /// The cluster's name; empty (default): a single server, no `cluster {}` block.
    std::string cluster_name;
    /// This node's `server_name`, unique in the cluster (JetStream needs it).
    std::string server_name;
    /// This node's route listener on 127.0.0.1.
    int route_port = 0;
    /// Every node's route port, its own included (nats-server skips the route to itself), so one
    /// list serves every node. Routes use TLS with the shared test certificates when `tls` is on.
    std::vector<int> route_ports;
};

struct NatsServerOptions {
    /// TLS with the certificates of `SharedTestCertificates()`. Default: on.
    bool tls = true;
    /// Users; the first is the one `ClientEnv()` uses. Default: one user with all rights.
    std::vector<NatsUser> users = {{"gapkit", "gapkit-test-password", {}, {}}};
    /// JetStream with a file store in the server's temp folder. Default: on.
    bool jetstream = true;
    /// A config template to run instead of the generated config (empty: none). Its placeholders
    /// are filled as scripts/run-local.sh fills deploy/local/nats.conf.in:
    ///   `@NATS_PORT@`          the free loopback port;
    ///   `@STATE@`              the server's temp folder, where `nats/server.pem` and
    ///                          `nats/server-key.pem` are copies of `SharedTestCertificates()` and
    ///                          `nats/jetstream` is the JetStream store;
    ///   `@NATS_NAME@`          the server name (`cluster.server_name`, or `gapkit-test-<port>`);
    ///   `@NATS_STORE@`         the JetStream store, `@STATE@/nats/jetstream`;
    ///   `@NATS_CLUSTER@`       the one-line `cluster {}` block of `cluster`, or nothing;
    ///   `@<ROLE>_PASSWORD@`    the password `users` gives user `<role>` (lower case), or a new
    ///                          random one; `users()` lists the template's users in the order it
    ///                          names them (no permissions there: the template holds them).
    /// Any other `@NAME@` fails `Start`. `tls` and `jetstream` must describe the template (the
    /// shipped one: both on).
    std::filesystem::path config_template;
    /// The client port on 127.0.0.1; 0 (default): a free port picked by `Start`.
    int port = 0;
    /// Membership of a JetStream cluster. Default: none.
    NatsClusterMembership cluster;
};

class NatsServer {
  public:
    /// True when the `nats-server` program is found on PATH (or in /usr/sbin).
    static bool Installed();

    /// Generates the config, starts the server and waits (up to 10 s) until it accepts TCP
    /// connections. The error names the cause and includes the server log when it died.
    static common::Result<std::unique_ptr<NatsServer>> Start(NatsServerOptions options = {});

    ~NatsServer();
    NatsServer(const NatsServer&) = delete;
    NatsServer& operator=(const NatsServer&) = delete;

    /// Stops the server (SIGTERM, then SIGKILL after 5 s). Idempotent.
    void Stop();

    /// Kills the server with SIGKILL, as a crash would (JetStream's store stays on disk for
    /// `Restart`). Idempotent.
    void Kill();

    /// Stops it if running and starts it again on the same port, with the same config and
    /// JetStream store, so clients can reconnect to it.
    common::Status Restart();

    /// "127.0.0.1:<port>", the form `NATS_HOST` takes.
    std::string HostPort() const;
    int port() const { return port_; }
    bool tls() const { return options_.tls; }
    /// The users it was started with (or the template's); the first is the default client user.
    const std::vector<NatsUser>& users() const { return options_.users; }
    /// The user named `name`, or null.
    const NatsUser* User(std::string_view name) const;

    /// The CA certificate clients must trust (TLS servers only; empty path otherwise).
    std::filesystem::path CaFile() const;
    /// The CA certificate as PEM text, for `NATS_CA_CONTENTS`.
    std::string CaPem() const;

    /// The environment a bus client needs to reach this server as user `user_name` (empty: the
    /// first user; an unknown name gets a password the server refuses): `NATS_HOST`, `NATS_USER`,
    /// `NATS_PASSWORD`, and `NATS_CA` (TLS) or `NATS_INSECURE` (plain). Every other `NATS_*`
    /// variable the bus reads is unset, so the caller's environment cannot leak in.
    EnvOverrides ClientEnv(std::string_view user_name = {}) const;

    /// The server's own log, for diagnosing test failures.
    std::filesystem::path LogFile() const { return dir_.path() / "nats-server.log"; }

  private:
    NatsServer(NatsServerOptions options, TempDir dir, int port);
    common::Status Launch();

    const NatsServerOptions options_;
    TempDir dir_;
    const int port_;
    std::unique_ptr<ChildProcess> process_;  ///< Null while stopped.
};

}  // namespace gapkit::testing

/// Skips the current GoogleTest test when nats-server is not installed, with a message saying how
/// to install it. Needs <gtest/gtest.h>.
#define GAPKIT_SKIP_WITHOUT_NATS_SERVER()                                                               \
    do {                                                                                                \
        if (!::gapkit::testing::NatsServer::Installed()) {                                              \
            GTEST_SKIP() << "nats-server is not installed (make deps, or apt-get install nats-server)"; \
        }                                                                                               \
    } while (false)
