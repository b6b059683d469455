#include "bus_link.hpp"

#include <gtest/gtest.h>

#include "gapkit/edgegap/parse.hpp"

namespace gapkit::server {
namespace {

TEST(ContextToJson, ReadsBackAsTheSameContext) {
    edgegap::Context context;
    context.request_id = "abc123def456";
    context.public_ip = "203.0.113.7";
    context.fqdn = "abc123def456.pr.edgegap.net";
    context.current_status = "Status.READY";
    context.running = true;
    context.ports["gameport"] = edgegap::PortMapping{"gameport", 31669, 7777, "UDP", "x:31669", false};
    context.location = edgegap::Location{"Montreal", "Canada", "North America", "Quebec", "Eastern Time", 45.5, -73.5};
    context.tags = {"production"};
    context.sockets = 5;
    context.sockets_usage = 2;

    auto parsed = edgegap::detail::ParseContext(ContextToJson(context));
    ASSERT_TRUE(parsed) << parsed.error().ToString();
    EXPECT_EQ(parsed->request_id, context.request_id);
    EXPECT_EQ(parsed->public_ip, context.public_ip);
    EXPECT_EQ(parsed->fqdn, context.fqdn);
    EXPECT_EQ(parsed->state, edgegap::DeploymentState::kReady);
    ASSERT_EQ(parsed->ports.count("gameport"), 1u);
    EXPECT_EQ(parsed->ports.at("gameport").external, 31669);
    EXPECT_EQ(parsed->ports.at("gameport").internal, 7777);
    ASSERT_TRUE(parsed->location);
    EXPECT_EQ(parsed->location->city, "Montreal");
    EXPECT_EQ(parsed->tags, context.tags);
    EXPECT_EQ(parsed->sockets, 5);
    EXPECT_EQ(parsed->sockets_usage, 2);
}

}  // namespace
}  // namespace gapkit::server
