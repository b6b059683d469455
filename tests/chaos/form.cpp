#include "form.hpp"

#include <cstdio>

#include <fmt/format.h>

#include "gapkit/common/env.hpp"

namespace gapkit::chaos {

using namespace std::chrono_literals;

namespace {

// Every player comes from 127.0.0.1: httpd's per-address limits must not count them as one abuser.
const std::vector<std::string> kOpenLimits{"--per-ip-requests-per-minute", "1000000", "--per-ip-burst", "100000",
                                           "--per-ip-max-connections",     "10000"};

Form Fast() {
    Form form;
    form.name = "fast";
    form.matchmaker_flags = {"--edgegap-timeout",  "2", "--readiness-timeout", "8",  "--token-expire",       "5",
                             "--reaper-interval",  "1", "--reap-grace",        "1",  "--delete-retry",       "1",
                             "--delete-retry-max", "2", "--alive-ttl",         "15", "--reconcile-interval", "2",
                             "--reconcile-grace",  "6", "--poll-initial-ms",   "50", "--shutdown-grace",     "2"};
    form.httpd_flags = kOpenLimits;
    // unclaimed age max(8, 5) + 1, reaper 1, reconciler 2 + 6 + lease 6, alive 15, delete retry 2,
    // and a margin for JetStream's 5 s timeouts while a cluster elects new stream leaders.
    form.settle_bound = 9s + 1s + 14s + 15s + 2s + 30s;
    return form;
}

// The shipped defaults (docs/matchmaker.md, run-local.sh), more players, the client's own timeout.
Form Long() {
    Form form;
    form.name = "long";
    form.players = 40;
    form.surge_spread = 10s;
    form.player_timeout = 120s;
    form.bots = 12;
    form.httpd_flags = kOpenLimits;
    form.sim_empty_ttl_seconds = 30;
    form.stall_ms = 15000;
    form.alive_ttl_seconds = 30;
    // unclaimed age max(60, 30) + 30, reaper 5, reconciler 60 + 120 + lease 180, alive 30, delete 300.
    form.settle_bound = 90s + 5s + 360s + 30s + 300s + 30s;
    return form;
}

}  // namespace

Form Form::FromEnv() { return common::GetEnv("GAPKIT_CHAOS_LONG").value_or("") == "1" ? Long() : Fast(); }

common::Status AppendRow(const Row& row) {
    const auto dir = common::GetEnv("GAPKIT_CHAOS_RESULTS_DIR").value_or("");
    if (dir.empty()) return common::Ok();
    std::filesystem::create_directories(dir);
    const std::string line = fmt::format(
        R"({{"scenario":"{}","form":"{}","players":{},"answered":{},"ready":{},"retried":{},"leaked":{},"past_ttl":{},)"
        R"("recovery_seconds":{:.1f},"clean_seconds":{:.1f}}})"
        "\n",
        row.scenario, row.form, row.players, row.answered, row.ready, row.retried, row.leaked, row.past_ttl,
        row.recovery_seconds, row.clean_seconds);
    // One write(2) per line in append mode, so two scenarios running at once never interleave.
    std::FILE* file = std::fopen((std::filesystem::path(dir) / (row.form + ".jsonl")).c_str(), "a");
    if (file == nullptr) return common::MakeError(common::ErrorCode::kInternal, "cannot open the results file");
    std::setvbuf(file, nullptr, _IOFBF, 4096);
    std::fputs(line.c_str(), file);
    std::fclose(file);
    return common::Ok();
}

std::string Describe(const Row& row) {
    return fmt::format(
        "{} ({}): {}/{} answered ({} ready, {} clicked again), {} leaked, {} past TTL, recovery {:.1f} s, clean {:.1f} "
        "s",
        row.scenario, row.form, row.answered, row.players, row.ready, row.retried, row.leaked, row.past_ttl,
        row.recovery_seconds, row.clean_seconds);
}

}  // namespace gapkit::chaos
