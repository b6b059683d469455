#include "gapkit/server/environment.hpp"

#include <map>

#include <gtest/gtest.h>

#include "gapkit/common/files.hpp"
#include "gapkit/netcode/private_key.hpp"

namespace gapkit::server {
namespace {

using Vars = std::map<std::string, std::string, std::less<>>;

Vars GoodVars() {
    return {{"ARBITRIUM_REQUEST_ID", "f0000000000f"},
            {"ARBITRIUM_PUBLIC_IP", "162.254.141.66"},
            {"ARBITRIUM_PORTS_MAPPING",
             R"({"ports": {"gameport": {"name": "gameport", "internal": 7777, "external": 32013, "protocol": "UDP"},
                          "admin": {"name": "admin", "internal": 8080, "external": 32014, "protocol": "TCP"}}})"},
            {"ARBITRIUM_DEPLOYMENT_LOCATION", R"({"city": "Montreal", "country": "Canada", "latitude": 45.5})"},
            {"ARBITRIUM_CONTEXT_URL", "https://api.edgegap.com/v1/context/f0000000000f/17"},
            {"ARBITRIUM_CONTEXT_TOKEN", "context-secret"},
            {"ARBITRIUM_DELETE_URL", "https://api.edgegap.com/v1/self/stop/f0000000000f/42"},
            {"ARBITRIUM_DELETE_TOKEN", "delete-secret"}};
}

EnvLookup LookupIn(const Vars& vars) {
    return [&vars](std::string_view name) -> std::optional<std::string> {
        auto it = vars.find(name);
        return it == vars.end() ? std::nullopt : std::optional<std::string>(it->second);
    };
}

// Parses `vars` with `name` set to `value` and returns the error message ("" if it parsed).
std::string ErrorWith(const std::string& name, const std::optional<std::string>& value) {
    Vars vars = GoodVars();
    if (value) {
        vars[name] = *value;
    } else {
        vars.erase(name);
    }
    auto parsed = ParseArbitriumEnvironment(LookupIn(vars));
    return parsed ? std::string() : parsed.error().message();
}

TEST(ArbitriumEnvironment, ParsesEveryValue) {
    const Vars vars = GoodVars();
    auto parsed = ParseArbitriumEnvironment(LookupIn(vars));
    ASSERT_TRUE(parsed) << parsed.error().ToString();
    ASSERT_TRUE(parsed->has_value());
    const ArbitriumEnvironment& env = **parsed;
    EXPECT_EQ(env.request_id, "f0000000000f");
    EXPECT_EQ(env.public_ip, "162.254.141.66");
    ASSERT_EQ(env.ports.size(), 2u);
    EXPECT_EQ(env.ports[0].name, "admin");
    EXPECT_EQ(env.city, "Montreal");
    EXPECT_EQ(env.country, "Canada");
    EXPECT_EQ(env.context_token, "context-secret");
    EXPECT_EQ(env.delete_url, "https://api.edgegap.com/v1/self/stop/f0000000000f/42");
    auto game = env.GamePort("");
    ASSERT_TRUE(game);
    EXPECT_EQ(game->name, "gameport");
    EXPECT_EQ(game->internal, 7777);
    EXPECT_EQ(game->external, 32013);
    EXPECT_EQ(env.GamePort("admin")->external, 32014);
    auto missing = env.GamePort("voice");
    ASSERT_FALSE(missing);
    EXPECT_NE(missing.error().message().find("gameport (UDP)"), std::string::npos);
}

TEST(ArbitriumEnvironment, WithoutRequestIdIsLocalMode) {
    const Vars empty;
    auto parsed = ParseArbitriumEnvironment(LookupIn(empty));
    ASSERT_TRUE(parsed);
    EXPECT_FALSE(parsed->has_value());
}

TEST(ArbitriumEnvironment, MissingRequiredVariablesAreNamed) {
    for (const char* name : {"ARBITRIUM_PUBLIC_IP", "ARBITRIUM_PORTS_MAPPING", "ARBITRIUM_CONTEXT_URL",
                             "ARBITRIUM_CONTEXT_TOKEN", "ARBITRIUM_DELETE_URL", "ARBITRIUM_DELETE_TOKEN"}) {
        const std::string error = ErrorWith(name, std::nullopt);
        EXPECT_NE(error.find(name), std::string::npos) << error;
        EXPECT_NE(error.find("not set"), std::string::npos) << error;
    }
    EXPECT_NE(ErrorWith("ARBITRIUM_REQUEST_ID", "").find("is empty"), std::string::npos);
    EXPECT_EQ(ErrorWith("ARBITRIUM_DEPLOYMENT_LOCATION", std::nullopt), "");
}

TEST(ArbitriumEnvironment, MalformedPortsMappingIsAClearError) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"{\"ports\": {", "not valid JSON"},
        {"[1, 2]", "non-empty \"ports\" object"},
        {R"({"ports": {}})", "non-empty \"ports\" object"},
        {R"({"ports": {"g": 7}})", "ports.g is not an object"},
        {R"({"ports": {"g": {"internal": 7777}}})", "ports.g.external is not a port number"},
        {R"({"ports": {"g": {"internal": 0, "external": 1}}})", "ports.g.internal is not a port number"},
        {R"({"ports": {"g": {"internal": 70000, "external": 1}}})", "ports.g.internal"},
        {R"({"ports": {"g": {"internal": "7777", "external": 1}}})", "ports.g.internal"},
        {R"({"ports": {"g": {"internal": 1, "external": 18446744073709551615}}})", "ports.g.external"},
        {R"({"ports": {"g": {"internal": 1.5, "external": 2}}})", "ports.g.internal"},
    };
    for (const auto& [json, expected] : cases) {
        const std::string error = ErrorWith("ARBITRIUM_PORTS_MAPPING", json);
        EXPECT_NE(error.find("ARBITRIUM_PORTS_MAPPING"), std::string::npos) << json << " -> " << error;
        EXPECT_NE(error.find(expected), std::string::npos) << json << " -> " << error;
    }
}

TEST(ArbitriumEnvironment, BadIpsUrlsAndLocationsAreRefused) {
    for (const char* ip : {"", "localhost", "1.2.3", "1.2.3.4:5", "300.1.1.1", "[::1]"}) {
        EXPECT_NE(ErrorWith("ARBITRIUM_PUBLIC_IP", ip).find("ARBITRIUM_PUBLIC_IP"), std::string::npos) << ip;
    }
    EXPECT_EQ(ErrorWith("ARBITRIUM_PUBLIC_IP", "2001:db8::1"), "");
    EXPECT_NE(ErrorWith("ARBITRIUM_CONTEXT_URL", "ftp://x/y").find("not an http(s) URL"), std::string::npos);
    EXPECT_NE(ErrorWith("ARBITRIUM_DELETE_URL", "api.edgegap.com").find("ARBITRIUM_DELETE_URL"), std::string::npos);
    EXPECT_NE(ErrorWith("ARBITRIUM_DEPLOYMENT_LOCATION", "{").find("not valid JSON"), std::string::npos);
    EXPECT_NE(ErrorWith("ARBITRIUM_DEPLOYMENT_LOCATION", "\"Montreal\"").find("not a JSON object"), std::string::npos);
}

TEST(ArbitriumEnvironment, TokensNeverAppearInErrors) {
    Vars vars = GoodVars();
    vars["ARBITRIUM_PUBLIC_IP"] = "nope";
    auto parsed = ParseArbitriumEnvironment(LookupIn(vars));
    ASSERT_FALSE(parsed);
    EXPECT_EQ(parsed.error().message().find("secret"), std::string::npos);
}

constexpr const char* kKeyHex = "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20";

// Applies `vars` to a default config, or returns the error message.
common::Result<GameServerConfig> Applied(const Vars& vars, GameServerConfig config = {}) {
    if (auto applied = ApplyGapkitEnvironment(LookupIn(vars), config); !applied) return common::Fail(applied.error());
    return config;
}

TEST(GapkitEnvironment, ReadsKeyAndProtocolIdWhenConfigLeavesThemUnset) {
    auto config = Applied({{"GAPKIT_PRIVATE_KEY", kKeyHex}, {"GAPKIT_PROTOCOL_ID", "80085"}});
    ASSERT_TRUE(config) << config.error().ToString();
    EXPECT_EQ(netcode::KeyToHex(config->private_key), kKeyHex);
    EXPECT_EQ(config->protocol_id, 80085u);
}

TEST(GapkitEnvironment, ReadsTheKeyFileBeforeTheKeyVariable) {
    auto file = common::WritePrivateTempFile("server-key", std::string(kKeyHex) + "\n");
    ASSERT_TRUE(file) << file.error().ToString();
    auto config = Applied({{"GAPKIT_PRIVATE_KEY_FILE", file->string()}, {"GAPKIT_PRIVATE_KEY", "not read"}});
    ASSERT_TRUE(config) << config.error().ToString();
    EXPECT_EQ(netcode::KeyToHex(config->private_key), kKeyHex);
    std::filesystem::remove(*file);
}

TEST(GapkitEnvironment, ConfigWinsAndItsVariablesAreNotRead) {
    GameServerConfig set;
    set.private_key = netcode::DevPrivateKey();
    set.protocol_id = 7;
    auto config = Applied({{"GAPKIT_PRIVATE_KEY", "malformed"}, {"GAPKIT_PROTOCOL_ID", "malformed"}}, set);
    ASSERT_TRUE(config) << config.error().ToString();
    EXPECT_EQ(config->private_key, netcode::DevPrivateKey());
    EXPECT_EQ(config->protocol_id, 7u);
}

TEST(GapkitEnvironment, MalformedValuesNameTheVariableNeverTheKey) {
    const std::vector<std::pair<Vars, std::string>> cases = {
        {{{"GAPKIT_PRIVATE_KEY", "secret-but-not-a-key"}}, "GAPKIT_PRIVATE_KEY"},
        {{{"GAPKIT_PRIVATE_KEY_FILE", "/nonexistent/key"}}, "GAPKIT_PRIVATE_KEY_FILE"},
        {{{"GAPKIT_PROTOCOL_ID", "0"}}, "GAPKIT_PROTOCOL_ID"},
        {{{"GAPKIT_PROTOCOL_ID", "-5"}}, "GAPKIT_PROTOCOL_ID"},
        {{{"GAPKIT_PROTOCOL_ID", "80085x"}}, "GAPKIT_PROTOCOL_ID"},
    };
    for (const auto& [vars, name] : cases) {
        auto config = Applied(vars);
        ASSERT_FALSE(config) << name;
        EXPECT_NE(config.error().message().find("environment variable " + name + ":"), std::string::npos)
            << config.error().message();
        EXPECT_EQ(config.error().message().find("secret"), std::string::npos) << config.error().message();
    }
}

TEST(GapkitEnvironment, EdgegapNeedsAKeyAndAProtocolIdLocalModeDoesNot) {
    auto local = Applied({{"GAPKIT_PRIVATE_KEY", ""}});
    ASSERT_TRUE(local) << local.error().ToString();
    EXPECT_EQ(local->private_key, netcode::Key{});  // GameServer::Start then uses the dev key.
    EXPECT_EQ(local->protocol_id, 0u);

    auto no_key = Applied({{"ARBITRIUM_REQUEST_ID", "f0000000000f"}, {"GAPKIT_PROTOCOL_ID", "1"}});
    ASSERT_FALSE(no_key);
    EXPECT_NE(no_key.error().message().find("set GAPKIT_PRIVATE_KEY or GAPKIT_PRIVATE_KEY_FILE"), std::string::npos);
    auto no_id = Applied({{"ARBITRIUM_REQUEST_ID", "f0000000000f"}, {"GAPKIT_PRIVATE_KEY", kKeyHex}});
    ASSERT_FALSE(no_id);
    EXPECT_NE(no_id.error().message().find("set GAPKIT_PROTOCOL_ID"), std::string::npos);
}

constexpr const char* kPem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

TEST(CaContentsFlag, AbsentIsNothing) {
    const char* argv[] = {"server", "--port", "7777"};
    auto pem = ParseCaContentsFlag(3, argv);
    ASSERT_TRUE(pem);
    EXPECT_FALSE(pem->has_value());
    EXPECT_FALSE(ParseCaContentsFlag(0, nullptr)->has_value());
    EXPECT_FALSE(ParseCaContentsFlag(3, nullptr)->has_value());
}

TEST(CaContentsFlag, ReadsSeparateAndEqualsForms) {
    const char* separate[] = {"server", "--verbose", "--ca_contents", kPem, "--other"};
    auto pem = ParseCaContentsFlag(5, separate);
    ASSERT_TRUE(pem) << pem.error().ToString();
    EXPECT_EQ(pem->value(), kPem);
    const std::string joined = std::string("--ca_contents=") + kPem;
    const char* equals[] = {"server", joined.c_str()};
    EXPECT_EQ(ParseCaContentsFlag(2, equals)->value(), kPem);
}

TEST(CaContentsFlag, MalformedUsesAreErrors) {
    const char* no_value[] = {"server", "--ca_contents"};
    EXPECT_NE(ParseCaContentsFlag(2, no_value).error().message().find("needs a PEM value"), std::string::npos);
    const char* not_pem[] = {"server", "--ca_contents", "hello"};
    EXPECT_NE(ParseCaContentsFlag(3, not_pem).error().message().find("BEGIN CERTIFICATE"), std::string::npos);
    const char* twice[] = {"server", "--ca_contents", kPem, "--ca_contents", kPem};
    EXPECT_NE(ParseCaContentsFlag(5, twice).error().message().find("more than once"), std::string::npos);
    const char* empty_equals[] = {"server", "--ca_contents="};
    EXPECT_FALSE(ParseCaContentsFlag(2, empty_equals));
}

}  // namespace
}  // namespace gapkit::server
