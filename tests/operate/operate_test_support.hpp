#pragma once

/// @file
/// Running the built gapctl against a `LocalStack` (tests/chaos/local_stack.hpp) as an operator
/// would: with the NATS_* variables of one bus role and the simulator's Edgegap variables.

#include <chrono>
#include <string>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "gapkit/testing/process.hpp"
#include "local_stack.hpp"

namespace gapkit::operate {

/// Starts the local stack of `make run` (one nats-server, one matchmaker) from the build's programs.
common::Result<std::unique_ptr<chaos::LocalStack>> StartStack(chaos::StackOptions options = {});

/// A program of the build (`bin/<name>`).
std::string Program(const std::string& name);

/// Runs `gapctl <args>` as bus user `nats_user` with the stack's Edgegap variables plus `env`.
testing::ProcessResult RunGapctl(const chaos::LocalStack& stack, const std::string& nats_user,
                                 const std::vector<std::string>& args, const testing::EnvOverrides& env = {},
                                 std::chrono::milliseconds timeout = std::chrono::seconds(30));

/// Parses the stdout of a `--json` run; a parse failure fails the calling test and gives null.
boost::json::value ParseJson(const testing::ProcessResult& result);

/// `GET /v1/app/spaceships/version/<version>` from the stack's simulator itself (not through
/// gapctl, which hides secrets); a failure fails the calling test and gives an empty object.
boost::json::object SimAppVersion(const chaos::LocalStack& stack, const std::string& version);

}  // namespace gapkit::operate
