#include "deploy_command.hpp"

#include <chrono>
#include <memory>
#include <thread>

#include <fmt/core.h>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "app_version_command.hpp"
#include "gapkit/common/log.hpp"
#include "sources.hpp"

namespace gapkit::cli {
namespace {

using common::ErrorCode;
using common::MakeError;
namespace json = boost::json;

constexpr auto kPollInterval = std::chrono::seconds(1);

struct DeployOptions {
    std::string app;
    std::string version;
    std::vector<std::string> ips;
    std::vector<std::string> envs;
    int wait_seconds = 0;
    EdgegapSource edgegap;
    bool json = false;
};

struct StopOptions {
    std::string request_id;
    EdgegapSource edgegap;
    bool json = false;
};

std::string PortsText(const edgegap::DeploymentStatus& status) {
    std::string text;
    for (const auto& [name, port] : status.ports) {
        text +=
            fmt::format("{}{} {}->{}/{}", text.empty() ? "" : ", ", name, port.external, port.internal, port.protocol);
    }
    return text;
}

// Polls until the deployment is ready or failed, or `wait_seconds` have passed.
common::Result<edgegap::DeploymentStatus> WaitUntilSettled(edgegap::BlockingEdgegapClient& client,
                                                           const std::string& request_id, int wait_seconds) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(wait_seconds);
    for (;;) {
        auto status = client.Call(&edgegap::EdgegapApi::GetDeploymentStatus, request_id);
        if (!status) return common::Fail(status.error());
        if (status->state == edgegap::DeploymentState::kReady) return status;
        if (status->state == edgegap::DeploymentState::kError || status->error) {
            return MakeError(ErrorCode::kUnavailable,
                             fmt::format("deployment {} failed: {}", request_id, status->error_detail));
        }
        if (std::chrono::steady_clock::now() + kPollInterval > deadline) {
            return MakeError(ErrorCode::kTimeout,
                             fmt::format("deployment {} is still {} after {} s (stop it with: gapctl stop {})",
                                         request_id, status->current_status, wait_seconds, request_id));
        }
        std::this_thread::sleep_for(kPollInterval);
    }
}

common::Result<Output> Deploy(const DeployOptions& options) {
    edgegap::DeployRequest request;
    request.app_name = options.app;
    request.version_name = options.version;
    request.ip_list = options.ips;
    for (const auto& text : options.envs) {
        auto env = ParseEnvFlag(text);
        if (!env) return common::Fail(env.error());
        request.env_vars.push_back(std::move(*env));
    }
    auto client = ConnectEdgegap(options.edgegap);
    if (!client) return common::Fail(client.error());
    auto created = (*client)->Call(&edgegap::EdgegapApi::Deploy, request);
    if (!created) return common::Fail(created.error());
    GAPKIT_LOG_INFO("gapctl", "deploy: request {} made for {} {}", created->request_id, options.app, options.version);
    edgegap::DeploymentStatus status;
    status.request_id = created->request_id;
    status.fqdn = created->request_dns;
    status.current_status = "requested";
    if (options.wait_seconds > 0) {
        auto settled = WaitUntilSettled(**client, created->request_id, options.wait_seconds);
        if (!settled) return common::Fail(settled.error());
        status = std::move(*settled);
    }
    return DeploymentOutput(status);
}

common::Result<Output> Stop(const StopOptions& options) {
    auto client = ConnectEdgegap(options.edgegap);
    if (!client) return common::Fail(client.error());
    auto stopped = (*client)->Call(&edgegap::EdgegapApi::StopDeployment, options.request_id);
    if (!stopped) return common::Fail(stopped.error());
    const std::string outcome(edgegap::ToString(stopped->outcome));
    Output output;
    output.json = json::object{{"request_id", options.request_id},
                               {"outcome", outcome},
                               {"http_status", stopped->http_status},
                               {"message", stopped->message}};
    output.text = fmt::format(
        "deployment {}: {}{}\n", options.request_id, outcome,
        stopped->outcome == edgegap::StopOutcome::kDeferred ? " (Edgegap stops it once it has finished starting)" : "");
    return output;
}

}  // namespace

Output DeploymentOutput(const edgegap::DeploymentStatus& status) {
    json::array ports;
    for (const auto& [name, port] : status.ports) {
        ports.push_back(json::object{
            {"name", name}, {"external", port.external}, {"internal", port.internal}, {"protocol", port.protocol}});
    }
    Output output;
    output.json = json::object{{"request_id", status.request_id},
                               {"status", status.current_status},
                               {"fqdn", status.fqdn},
                               {"public_ip", status.public_ip},
                               {"ports", std::move(ports)}};
    Table table({"REQUEST_ID", "STATUS", "ADDRESS", "PORTS"});
    table.AddRow({status.request_id, status.current_status, status.public_ip, PortsText(status)});
    output.text = table.Text();
    return output;
}

void RegisterDeployCommands(CLI::App& app, int& exit_code) {
    auto deploy_options = std::make_shared<DeployOptions>();
    CLI::App* deploy =
        app.add_subcommand("deploy", "Start a manual test deployment of an app version (POST /v1/deploy)");
    deploy->add_option("app", deploy_options->app, "Edgegap app name")->required();
    deploy->add_option("version", deploy_options->version, "Edgegap app version name")->required();
    deploy->add_option("--ip", deploy_options->ips, "A player's public IP; Edgegap deploys near it (repeatable)");
    deploy
        ->add_option("--env", deploy_options->envs,
                     "KEY=VALUE injected into this deployment (repeatable; _PASSWORD/_KEY/_SECRET/_TOKEN "
                     "keys are sent hidden)")
        ->check(EnvFlagCheck());
    deploy
        ->add_option(
            "--wait-seconds", deploy_options->wait_seconds,
            "Wait up to this long for Status.READY and print address and ports; 0: print the request id at once")
        ->check(CLI::Range(0, kMaxDeployWaitSeconds))
        ->capture_default_str();
    AddEdgegapOptions(*deploy, deploy_options->edgegap);
    AddJsonFlag(*deploy, deploy_options->json);
    deploy->footer(fmt::format(
        "The deployment runs until stopped (gapctl stop REQUEST_ID), its max_duration or its empty TTL.\n{}\n"
        "Exit 1 when Edgegap refuses, the deployment fails, or it is not ready within --wait-seconds.\n"
        "Example: gapctl deploy spaceships 1 --ip 203.0.113.7 --wait-seconds 120",
        kEdgegapHelp));
    SetOutputCallback(*deploy, exit_code, deploy_options->json, [deploy_options] { return Deploy(*deploy_options); });

    auto stop_options = std::make_shared<StopOptions>();
    CLI::App* stop = app.add_subcommand("stop", "Stop a deployment (DELETE /v1/stop/{request_id})");
    stop->add_option("request_id", stop_options->request_id, "The deployment's request id")->required();
    AddEdgegapOptions(*stop, stop_options->edgegap);
    AddJsonFlag(*stop, stop_options->json);
    stop->footer(fmt::format(
        "Prints stopped, deferred (Edgegap stops it once started) or already gone (exit 0 for all three).\n{}\n"
        "Example: gapctl stop 93924761ccde",
        kEdgegapHelp));
    SetOutputCallback(*stop, exit_code, stop_options->json, [stop_options] { return Stop(*stop_options); });
}

}  // namespace gapkit::cli
