// The environment and command line a deployment's process starts with (Edgegap's ARBITRIUM_*).
#include <cctype>

#include <fmt/core.h>

#include "command_line.hpp"
#include "json_views.hpp"
#include "world.hpp"

namespace gapkit::edgegap_sim {
namespace {

std::string Upper(std::string_view text) {
    std::string out;
    for (char c : text) out += std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::toupper(c)) : '_';
    return out;
}

std::string Join(const std::vector<std::string>& values, std::string_view separator) {
    std::string out;
    for (const auto& value : values) out += (out.empty() ? "" : std::string(separator)) + value;
    return out;
}

}  // namespace

LaunchSpec World::BuildLaunchSpec(const Deployment& d) const {
    LaunchSpec spec;
    spec.request_id = d.request_id;
    spec.command = d.command;
    // Arguments were validated when the version was loaded or patched; bad ones start no args.
    spec.args = SplitArguments(d.arguments).value_or(std::vector<std::string>{});
    spec.env = d.env;
    auto add = [&spec](std::string key, std::string value) { spec.env.emplace_back(std::move(key), std::move(value)); };
    add("ARBITRIUM_REQUEST_ID", d.request_id);
    add("ARBITRIUM_PUBLIC_IP", d.public_ip);
    add("ARBITRIUM_PORTS_MAPPING",
        boost::json::serialize(boost::json::object{{"ports", PortsJson(d, false, d.public_ip)}}));
    for (const auto& port : d.ports) {
        const std::string prefix = "ARBITRIUM_PORT_" + Upper(port.name);
        add(prefix + "_INTERNAL", std::to_string(port.port));
        add(prefix + "_EXTERNAL", std::to_string(port.port));
        add(prefix + "_PROTOCOL", port.protocol);
    }
    add("ARBITRIUM_DEPLOYMENT_LOCATION", boost::json::serialize(LocationJson(d.location)));
    add("ARBITRIUM_CONTEXT_URL", fmt::format("{}/v1/context/{}/{}", base_url_, d.request_id, d.security_number));
    add("ARBITRIUM_CONTEXT_TOKEN", d.context_token);
    add("ARBITRIUM_DELETE_URL", fmt::format("{}/v1/self/stop/{}/{}", base_url_, d.request_id, d.stop_key));
    add("ARBITRIUM_DELETE_TOKEN", d.delete_token);
    add("ARBITRIUM_DEPLOYMENT_TAGS", Join(d.tags, ","));
    add("ARBITRIUM_HOST_ID", "edgegap-sim-local");
    add("ARBITRIUM_HOST_BASE_CLOCK_FREQUENCY", "2000");
    add("ARBITRIUM_DEPLOYMENT_VCPU_UNITS", std::to_string(d.req_cpu));
    add("ARBITRIUM_DEPLOYMENT_MEMORY_MB", std::to_string(d.req_memory_mb));
    add("ARBITRIUM_BEACON_ENABLED", "false");
    return spec;
}

}  // namespace gapkit::edgegap_sim
