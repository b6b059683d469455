#pragma once

/// @file
/// A real JetStream cluster of `nats-server` processes on loopback for tests: each node is a
/// `NatsServer` with its own client port, route port, server name and JetStream store, all routed
/// to each other (cluster name `gapkit-test`), sharing one user list, one TLS CA and one password
/// per user. With 3 nodes, R3 streams (KV buckets, work queues) can be created and survive the
/// loss of any one node.
///
/// Typical use:
/// @code
///   GAPKIT_SKIP_WITHOUT_NATS_SERVER();
///   auto cluster = gapkit::testing::NatsCluster::Start();
///   ASSERT_TRUE(cluster) << cluster.error().ToString();
///   gapkit::testing::ScopedEnv env((*cluster)->ClientEnv());   // NATS_HOST = all three nodes
///   ...
///   (*cluster)->node(0).Kill();                                   // a crash of one node
///   ASSERT_TRUE((*cluster)->node(0).Restart());                   // same ports, same store
/// @endcode
///
/// Threads: one thread owns a `NatsCluster`. Its nodes are stopped (SIGTERM) and their folders
/// removed by the destructor.

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gapkit/common/result.hpp"
#include "gapkit/testing/nats_server.hpp"
#include "gapkit/testing/scoped_env.hpp"

namespace gapkit::testing {

struct NatsClusterOptions {
    /// Number of nodes, 1..5. Default: 3 (the smallest cluster that keeps R3 streams writable
    /// with one node down).
    int nodes = 3;
    /// A config template, like `NatsServerOptions::config_template` (e.g. the shipped
    /// deploy/local/nats.conf.in), filled once per node; its users and passwords are shared by
    /// every node. Empty: a generated config with TLS and one user with all rights.
    std::filesystem::path config_template;
};

class NatsCluster {
  public:
    /// Starts every node and waits (up to 30 s) until each sees the cluster's JetStream meta
    /// leader, so R3 streams can be created as soon as it returns (it asks JetStream's API as the
    /// first user, which a template must allow: the shipped one's first user, matchmaker, is).
    /// The error names the node and the cause.
    static common::Result<std::unique_ptr<NatsCluster>> Start(NatsClusterOptions options = {});

    ~NatsCluster();
    NatsCluster(const NatsCluster&) = delete;
    NatsCluster& operator=(const NatsCluster&) = delete;

    int size() const { return static_cast<int>(nodes_.size()); }

    /// Node `index` (0-based), to Stop/Kill/Restart it (a restart keeps its ports and store and
    /// rejoins the cluster).
    NatsServer& node(int index) { return *nodes_.at(static_cast<std::size_t>(index)); }
    const NatsServer& node(int index) const { return *nodes_.at(static_cast<std::size_t>(index)); }

    /// "127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3", the form `NATS_HOST` takes.
    std::string HostList() const;

    /// The users (the same on every node); the first is the default client user.
    const std::vector<NatsUser>& users() const { return nodes_.front()->users(); }
    /// The user named `name`, or null.
    const NatsUser* User(std::string_view name) const { return nodes_.front()->User(name); }

    /// The CA certificate clients must trust.
    std::filesystem::path CaFile() const { return nodes_.front()->CaFile(); }

    /// As `NatsServer::ClientEnv`, with `NATS_HOST = HostList()`, as user `user` (empty: the
    /// first user). An unknown user gets a password the cluster refuses.
    EnvOverrides ClientEnv(std::string_view user = {}) const;

  private:
    explicit NatsCluster(std::vector<std::unique_ptr<NatsServer>> nodes);

    std::vector<std::unique_ptr<NatsServer>> nodes_;
};

}  // namespace gapkit::testing
