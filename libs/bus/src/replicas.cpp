#include "replicas.hpp"

#include <mutex>
#include <set>
#include <string>

#include "gapkit/common/log.hpp"

namespace gapkit::bus {
namespace {

constexpr const char* kLog = "bus";
constexpr int kClusterReplicas = 3;

int KnownServerCount(natsConnection* connection) {
    char** servers = nullptr;
    int count = 0;
    if (natsConnection_GetServers(connection, &servers, &count) != NATS_OK) return 0;
    for (int i = 0; i < count; ++i) free(servers[i]);
    free(servers);
    return count;
}

}  // namespace

int ResolveReplicas(int configured, natsConnection* connection, std::string_view client_name) {
    if (configured > 0) {
        GAPKIT_LOG_INFO(kLog, "client '{}': new buckets and queues get {} replica(s) (NATS_REPLICAS)", client_name,
                        configured);
        return configured;
    }
    // R2 would stop writes at the loss of either node, so a pair gets 1 like a single server.
    const int servers = KnownServerCount(connection);
    const int replicas = servers >= kClusterReplicas ? kClusterReplicas : 1;
    GAPKIT_LOG_INFO(kLog, "client '{}': new buckets and queues get {} replica(s) (auto: {} server(s) known)",
                    client_name, replicas, servers);
    return replicas;
}

void WarnIfReplicasDiffer(jsCtx* js, std::string_view what, std::string_view stream, int wanted) {
    const std::string name(stream);
    jsStreamInfo* raw = nullptr;
    if (js_GetStreamInfo(&raw, js, name.c_str(), nullptr, nullptr) != NATS_OK) return;
    const StreamInfoPtr info(raw);
    const auto existing = info->Config != nullptr ? info->Config->Replicas : wanted;
    if (existing == wanted) return;
    static std::mutex mutex;
    static std::set<std::string> warned;
    {
        std::lock_guard lock(mutex);
        if (!warned.insert(name).second) return;
    }
    GAPKIT_LOG_WARN(kLog,
                    "{} exists with {} replica(s), not the {} wanted; it keeps {}. To change it, recreate it "
                    "(its data is lost) or edit stream {} (its replicas setting)",
                    what, existing, wanted, existing, name);
}

}  // namespace gapkit::bus
