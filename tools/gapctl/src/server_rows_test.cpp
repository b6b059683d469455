#include "server_rows.hpp"

#include <gtest/gtest.h>

namespace gapkit::cli {
namespace {

ListedServer Server(const std::string& id, const std::string& ip) {
    ListedServer server;
    server.deployment.request_id = id;
    server.deployment.public_ip = ip;
    server.deployment.current_status = "Status.READY";
    server.deployment.state = edgegap::DeploymentState::kReady;
    server.deployment.ports["game"] = {"game", 31000, 5000, "UDP"};
    server.deployment.elapsed_seconds = 90;
    server.looked_up = true;
    server.empty_ttl_minutes = 10;
    return server;
}

edgegap::Session SessionOn(const std::string& id, const std::string& deployment) {
    edgegap::Session session;
    session.session_id = id;
    session.deployment_request_id = deployment;
    return session;
}

TEST(JoinServers, CountsPlayersByTheirSessionsDeploymentAndShowsTheCertDigest) {
    BusRecords records;
    records.active["s1"] = "1";
    records.active["s2"] = "2";
    records.active["s3"] = "3";  // Not listed: found through session_deployments.
    records.deployments["s3"] = "depA";
    records.cert_digests["depA"] = "01:23:45:67:89:ab:cd:ef:01:23";
    const auto rows = JoinServers({Server("depA", "198.51.100.1"), Server("depB", "198.51.100.2")},
                                  {SessionOn("s1", "depA"), SessionOn("s2", "depB"), SessionOn("s9", "depB")}, records);
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].players, (std::vector<std::string>{"s1", "s3"}));
    EXPECT_EQ(rows[0].cert_digest, "01:23:45:67:89:ab:cd:ef:01:23");
    EXPECT_EQ(rows[1].players, std::vector<std::string>{"s2"});
    EXPECT_EQ(rows[1].sessions, (std::vector<std::string>{"s2", "s9"}));
    EXPECT_EQ(rows[1].cert_digest, "");
}

// Issue 14: several deployments share one public ip (all of them on the local stack).
TEST(JoinServers, ShowsEachDeploymentItsOwnCertDigestOnASharedIp) {
    BusRecords records;
    records.cert_digests["depA"] = "aa:aa";
    records.cert_digests["depB"] = "bb:bb";
    const auto rows = JoinServers({Server("depA", "127.0.0.1"), Server("depB", "127.0.0.1")}, {}, records);
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].cert_digest, "aa:aa");
    EXPECT_EQ(rows[1].cert_digest, "bb:bb");
}

TEST(ServersOutput, ShowsTheEmptyTtlOnlyAsAnUpperBound) {
    BusRecords records;
    records.cert_digests["busy"] = "01:23:45:67:89:ab:cd:ef:01:23";
    const auto rows = JoinServers({Server("busy", "198.51.100.1"), Server("idle", "198.51.100.2")},
                                  {SessionOn("s1", "busy")}, records);
    const auto output = ServersOutput(rows, {});
    EXPECT_NE(output.text.find("in use"), std::string::npos) << output.text;
    EXPECT_NE(output.text.find("<=10m00s"), std::string::npos) << output.text;
    EXPECT_NE(output.text.find("game 31000->5000/UDP"), std::string::npos) << output.text;
    EXPECT_NE(output.text.find(" 0123456789abcdef "), std::string::npos) << output.text;
    const auto& idle = output.json.at("servers").as_array().at(1).as_object();
    EXPECT_EQ(idle.at("empty_ttl_minutes").as_int64(), 10);
    EXPECT_TRUE(idle.at("empty_ttl_left_seconds").is_null());
    EXPECT_TRUE(idle.at("empty_since").is_null());
    EXPECT_FALSE(idle.at("in_use").as_bool());
}

}  // namespace
}  // namespace gapkit::cli
