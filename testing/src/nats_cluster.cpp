#include "gapkit/testing/nats_cluster.hpp"

#include <algorithm>
#include <chrono>
#include <thread>

#include <fmt/format.h>

#include "gapkit/bus/connection.hpp"
#include "gapkit/testing/bus_options.hpp"
#include "gapkit/testing/free_port.hpp"

namespace gapkit::testing {
namespace {

using common::ErrorCode;
using common::MakeError;
using common::Result;
using common::Status;

constexpr int kMaxNodes = 5;
constexpr auto kMetaLeaderTimeout = std::chrono::seconds(30);
constexpr auto kInfoRequestTimeout = std::chrono::seconds(1);

// Distinct ports: two bind(0) calls in a row may hand out the same one once it is released.
Result<std::vector<int>> DistinctFreePorts(int count) {
    std::vector<int> ports;
    while (static_cast<int>(ports.size()) < count) {
        auto port = FreeLoopbackPort();
        if (!port) return common::Fail(port.error());
        if (std::find(ports.begin(), ports.end(), *port) == ports.end()) ports.push_back(*port);
    }
    return ports;
}

// True once `node` answers JetStream's account-info request, which it does only while it knows
// the cluster's meta leader: only then can streams (R3 included) be created through it.
bool SeesMetaLeader(bus::Connection& connection) {
    auto reply = connection.Request("$JS.API.INFO", "", kInfoRequestTimeout);
    return reply && reply->data.find("\"error\"") == std::string::npos;
}

Status WaitForMetaLeader(const NatsServer& node) {
    const auto deadline = std::chrono::steady_clock::now() + kMetaLeaderTimeout;
    while (std::chrono::steady_clock::now() < deadline) {
        auto connection = bus::Connection::Connect("gapkit_testing_cluster", BusOptionsFor(node));
        if (connection && SeesMetaLeader(**connection)) return common::Ok();
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return MakeError(ErrorCode::kTimeout, fmt::format("{} saw no JetStream meta leader within {} s", node.HostPort(),
                                                      kMetaLeaderTimeout.count()));
}

}  // namespace

Result<std::unique_ptr<NatsCluster>> NatsCluster::Start(NatsClusterOptions options) {
    if (options.nodes < 1 || options.nodes > kMaxNodes) {
        return MakeError(ErrorCode::kInvalidArgument,
                         fmt::format("a test cluster has 1..{} nodes, not {}", kMaxNodes, options.nodes));
    }
    auto ports = DistinctFreePorts(2 * options.nodes);
    if (!ports) return common::Fail(ports.error());
    const std::vector<int> route_ports(ports->begin() + options.nodes, ports->end());
    std::vector<std::unique_ptr<NatsServer>> nodes;
    for (int index = 0; index < options.nodes; ++index) {
        NatsServerOptions node_options;
        node_options.config_template = options.config_template;
        node_options.port = (*ports)[static_cast<std::size_t>(index)];
        node_options.cluster = {"gapkit-test", fmt::format("gapkit-test-{}", index + 1),
                                route_ports[static_cast<std::size_t>(index)], route_ports};
        // The first node made the template's passwords up; the others take the same.
        if (!nodes.empty()) node_options.users = nodes.front()->users();
        auto node = NatsServer::Start(std::move(node_options));
        if (!node) return common::Fail(node.error().WithContext(fmt::format("cluster node {}", index + 1)));
        nodes.push_back(std::move(*node));
    }
    for (const auto& node : nodes) {
        if (auto ready = WaitForMetaLeader(*node); !ready) return common::Fail(ready.error());
    }
    return std::unique_ptr<NatsCluster>(new NatsCluster(std::move(nodes)));
}

NatsCluster::NatsCluster(std::vector<std::unique_ptr<NatsServer>> nodes) : nodes_(std::move(nodes)) {}

NatsCluster::~NatsCluster() = default;

std::string NatsCluster::HostList() const {
    std::vector<std::string> hosts;
    for (const auto& node : nodes_) hosts.push_back(node->HostPort());
    return fmt::format("{}", fmt::join(hosts, ","));
}

EnvOverrides NatsCluster::ClientEnv(std::string_view user) const {
    EnvOverrides env = nodes_.front()->ClientEnv(user);
    env["NATS_HOST"] = HostList();
    return env;
}

}  // namespace gapkit::testing
