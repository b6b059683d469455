// Behaviour tests of Server and Client over real loopback UDP with a hand-driven clock. Loopback
// delivery is synchronous, so a datagram sent in one tick is readable in the next: no sleeps.
#include <gtest/gtest.h>

#include <cstdlib>
#include <deque>
#include <random>

#include "gapkit/netcode/client.hpp"
#include "gapkit/netcode/connect_token.hpp"
#include "gapkit/netcode/server.hpp"
#include "udp_socket.hpp"

namespace gapkit::netcode {
namespace {

constexpr std::uint64_t kProtocolId = 0x4761706b6974;
constexpr std::uint64_t kUnixStart = 1'800'000'000;
constexpr double kTick = 0.1;

const Address kLoopback = Address::Ipv4(127, 0, 0, 1, 0);

struct World {
    explicit World(int max_clients = 4, std::vector<Address> advertised = {}, Address bind = kLoopback)
        : server([&] {
              ServerConfig config;
              config.protocol_id = kProtocolId;
              config.private_key = key;
              config.bind_address = bind;
              config.advertised_addresses = std::move(advertised);
              config.max_clients = max_clients;
              return config;
          }()) {
        auto status = server.Start();
        // IPv6 may be missing on a CI host; that test skips instead.
        if (!status && bind.type == AddressType::kIpv4) ADD_FAILURE() << status.error().ToString();
    }

    ConnectTokenParams Params(std::uint64_t client_id) const {
        ConnectTokenParams params;
        params.protocol_id = kProtocolId;
        params.private_key = key;
        params.client_id = client_id;
        params.expire_seconds = 30;
        params.timeout_seconds = 5;
        params.public_server_addresses = {server.bound_address()};
        params.user_data[0] = static_cast<std::uint8_t>(client_id);
        return params;
    }

    ConnectTokenBytes Token(const ConnectTokenParams& params) const {
        auto token = GenerateConnectToken(params, unix_now());
        EXPECT_TRUE(token.has_value());
        return *token;
    }

    std::uint64_t unix_now() const { return kUnixStart + static_cast<std::uint64_t>(now); }

    /// Advances time by `ticks` ticks, updating the server (unless frozen) and `clients`.
    void Step(std::initializer_list<Client*> clients, int ticks = 1, bool update_server = true) {
        for (int i = 0; i < ticks; ++i) {
            now += kTick;
            if (update_server) server.Update(now, unix_now());
            for (Client* client : clients) client->Update(now);
        }
    }

    bool Connect(Client& client, const ConnectTokenBytes& token) {
        EXPECT_TRUE(client.Connect(token, now).has_value());
        for (int i = 0; i < 50 && client.state() != ClientState::kConnected; ++i) Step({&client});
        return client.state() == ClientState::kConnected;
    }

    /// Runs until `client` leaves the connecting states, at most `max_seconds`.
    ClientState Settle(Client& client, double max_seconds = 40, bool update_server = true) {
        const double end = now + max_seconds;
        while (now < end && (client.state() == ClientState::kSendingConnectionRequest ||
                             client.state() == ClientState::kSendingConnectionResponse)) {
            Step({&client}, 1, update_server);
        }
        return client.state();
    }

    std::vector<ServerEvent> Events() {
        std::vector<ServerEvent> events;
        ServerEvent event;
        while (server.Poll(event)) events.push_back(event);
        return events;
    }

    std::vector<ServerEvent> EventsOf(ServerEventType type) {
        std::vector<ServerEvent> events = Events();
        std::erase_if(events, [&](const ServerEvent& e) { return e.type != type; });
        return events;
    }

    Key key = GenerateKey();
    double now = 100;
    Server server;
};

std::vector<std::uint8_t> Bytes(std::string_view text) { return {text.begin(), text.end()}; }

TEST(ServerClient, ConnectsExchangesPayloadsAndDisconnects) {
    World world;
    Client client;
    ASSERT_TRUE(world.Connect(client, world.Token(world.Params(77))));
    EXPECT_EQ(client.client_index(), 0);
    EXPECT_EQ(client.max_clients(), 4);

    auto connected = world.EventsOf(ServerEventType::kClientConnected);
    ASSERT_EQ(connected.size(), 1u);
    EXPECT_EQ(connected[0].client_id, 77u);
    EXPECT_EQ(connected[0].user_data[0], 77);
    EXPECT_EQ(connected[0].address.port, client.local_address().port);  // the client binds 0.0.0.0
    EXPECT_EQ(world.server.ClientId(0), 77u);

    ASSERT_TRUE(client.SendPayload(Bytes("hello server")));
    ASSERT_TRUE(world.server.SendPayload(0, Bytes("hello client")));
    world.Step({&client});
    auto payloads = world.EventsOf(ServerEventType::kPayload);
    ASSERT_EQ(payloads.size(), 1u);
    EXPECT_EQ(payloads[0].payload, Bytes("hello server"));
    std::vector<std::uint8_t> received;
    ASSERT_TRUE(client.Poll(received));
    EXPECT_EQ(received, Bytes("hello client"));

    client.Disconnect();
    EXPECT_EQ(client.state(), ClientState::kDisconnected);
    world.Step({});
    auto disconnected = world.EventsOf(ServerEventType::kClientDisconnected);
    ASSERT_EQ(disconnected.size(), 1u);
    EXPECT_EQ(disconnected[0].reason, DisconnectReason::kClientDisconnected);
    EXPECT_EQ(world.server.num_connected_clients(), 0);
}

TEST(ServerClient, ConnectsOverIpv6) {
    World world(4, {}, Address::Ipv6({0, 0, 0, 0, 0, 0, 0, 1}, 0));
    if (!world.server.running()) GTEST_SKIP() << "no IPv6 loopback on this machine";
    Client client;
    ASSERT_TRUE(world.Connect(client, world.Token(world.Params(6))));
    ASSERT_TRUE(client.SendPayload(Bytes("v6")));
    world.Step({&client});
    auto payloads = world.EventsOf(ServerEventType::kPayload);
    ASSERT_EQ(payloads.size(), 1u);
    EXPECT_EQ(payloads[0].address.type, AddressType::kIpv6);
}

TEST(ServerClient, ServerDisconnectReachesTheClient) {
    World world;
    Client client;
    ASSERT_TRUE(world.Connect(client, world.Token(world.Params(1))));
    world.server.DisconnectClient(0);
    world.Step({&client}, 2);
    EXPECT_EQ(client.state(), ClientState::kDisconnected);
    auto disconnected = world.EventsOf(ServerEventType::kClientDisconnected);
    ASSERT_EQ(disconnected.size(), 1u);
    EXPECT_EQ(disconnected[0].reason, DisconnectReason::kServerDisconnected);
}

TEST(ServerClient, ExpiredTokenIsIgnored) {
    World world;
    auto params = world.Params(1);
    params.expire_seconds = 10;
    auto token = GenerateConnectToken(params, world.unix_now() - 20);  // expired 10 s ago
    Client client;
    ASSERT_TRUE(client.Connect(*token, world.now));
    EXPECT_EQ(world.Settle(client), ClientState::kConnectionRequestTimedOut);
    EXPECT_TRUE(world.Events().empty());
}

TEST(ServerClient, ClientGivesUpWhenTheTokenLifetimeEnds) {
    World world;
    auto params = world.Params(1);
    params.expire_seconds = 2;
    params.timeout_seconds = 15;
    Client client;
    ASSERT_TRUE(client.Connect(world.Token(params), world.now));
    EXPECT_EQ(world.Settle(client, 40, /*update_server=*/false), ClientState::kConnectTokenExpired);
}

TEST(ServerClient, WrongProtocolIdIsIgnored) {
    World world;
    auto params = world.Params(1);
    params.protocol_id = kProtocolId + 1;
    Client client;
    ASSERT_TRUE(client.Connect(world.Token(params), world.now));
    EXPECT_EQ(world.Settle(client), ClientState::kConnectionRequestTimedOut);
    EXPECT_TRUE(world.Events().empty());
}

TEST(ServerClient, WrongPrivateKeyIsIgnored) {
    World world;
    auto params = world.Params(1);
    params.private_key = GenerateKey();
    Client client;
    ASSERT_TRUE(client.Connect(world.Token(params), world.now));
    EXPECT_EQ(world.Settle(client), ClientState::kConnectionRequestTimedOut);
    EXPECT_TRUE(world.Events().empty());
}

TEST(ServerClient, TokenForAnotherServerAddressIsIgnored) {
    World world;
    auto params = world.Params(1);
    params.internal_server_addresses = {Address::Ipv4(127, 0, 0, 1, 1)};
    Client client;
    ASSERT_TRUE(client.Connect(world.Token(params), world.now));
    EXPECT_EQ(world.Settle(client), ClientState::kConnectionRequestTimedOut);
    EXPECT_TRUE(world.Events().empty());
}

TEST(ServerClient, TokenForAnAdvertisedAddressIsAccepted) {
    const Address public_address = Address::Ipv4(203, 0, 113, 7, 30004);  // the port mapping's outside
    World world(4, {public_address});
    auto params = world.Params(1);
    params.internal_server_addresses = {public_address};
    Client client;
    EXPECT_TRUE(world.Connect(client, world.Token(params)));
}

TEST(ServerClient, TokenReplayedFromAnotherAddressIsIgnored) {
    World world;
    const auto token = world.Token(world.Params(5));
    Client owner;
    ASSERT_TRUE(owner.Connect(token, world.now));
    world.Step({&owner});  // the owner's request reaches the server first
    world.Step({});
    Client thief;
    ASSERT_TRUE(thief.Connect(token, world.now));
    EXPECT_EQ(world.Settle(thief), ClientState::kConnectionRequestTimedOut);
    EXPECT_TRUE(world.EventsOf(ServerEventType::kClientConnected).empty());
}

TEST(ServerClient, FullServerDeniesConnection) {
    World world(1);
    Client first;
    Client second;
    ASSERT_TRUE(world.Connect(first, world.Token(world.Params(1))));
    ASSERT_TRUE(second.Connect(world.Token(world.Params(2)), world.now));
    for (int i = 0; i < 20 && second.state() == ClientState::kSendingConnectionRequest; ++i) {
        world.Step({&first, &second});
    }
    EXPECT_EQ(second.state(), ClientState::kConnectionDenied);
    EXPECT_EQ(first.state(), ClientState::kConnected);
}

TEST(ServerClient, ClientTimesOutWhenTheServerGoesSilent) {
    World world;
    Client client;
    ASSERT_TRUE(world.Connect(client, world.Token(world.Params(1))));
    world.Step({&client}, 49, /*update_server=*/false);
    EXPECT_EQ(client.state(), ClientState::kConnected);
    world.Step({&client}, 3, /*update_server=*/false);
    EXPECT_EQ(client.state(), ClientState::kConnectionTimedOut);
}

TEST(ServerClient, ServerTimesOutASilentClient) {
    World world;
    Client client;
    ASSERT_TRUE(world.Connect(client, world.Token(world.Params(9))));
    world.Events();
    world.Step({}, 52);
    auto disconnected = world.EventsOf(ServerEventType::kClientDisconnected);
    ASSERT_EQ(disconnected.size(), 1u);
    EXPECT_EQ(disconnected[0].reason, DisconnectReason::kTimedOut);
    EXPECT_EQ(disconnected[0].client_id, 9u);
}

TEST(ServerClient, TriesTheNextServerInTheToken) {
    World world;
    auto params = world.Params(1);
    params.public_server_addresses = {Address::Ipv4(127, 0, 0, 1, 1), world.server.bound_address()};
    params.internal_server_addresses = {world.server.bound_address()};
    Client client;
    ASSERT_TRUE(client.Connect(world.Token(params), world.now));
    EXPECT_EQ(world.Settle(client), ClientState::kConnected);
    EXPECT_EQ(client.server_address(), world.server.bound_address());
}

TEST(ServerClient, InvalidTokenSetsTheErrorState) {
    Client client;
    std::vector<std::uint8_t> garbage(kConnectTokenBytes, 0x42);
    EXPECT_FALSE(client.Connect(garbage, 0).has_value());
    EXPECT_EQ(client.state(), ClientState::kInvalidConnectToken);
}

TEST(ServerClient, RestartReseedsTheGlobalSequence) {
    World world;
    EXPECT_EQ(world.server.global_sequence(), kServerGlobalSequenceStart);
    Client client;
    ASSERT_TRUE(world.Connect(client, world.Token(world.Params(1))));
    EXPECT_GT(world.server.global_sequence(), kServerGlobalSequenceStart);
    world.server.Stop();
    EXPECT_FALSE(world.server.running());
    ASSERT_TRUE(world.server.Start());
    EXPECT_EQ(world.server.global_sequence(), kServerGlobalSequenceStart);
}

// A UDP relay between one client and the server that duplicates and reverses what the client sends.
class MisbehavingLink {
  public:
    explicit MisbehavingLink(const Address& server) : server_(server), socket_(*detail::UdpSocket::Open(kLoopback)) {}

    const Address& address() const { return socket_.local_address(); }

    void Pump() {
        std::array<std::uint8_t, 2048> buffer;
        Address from;
        std::vector<std::vector<std::uint8_t>> from_client;
        while (auto size = socket_.ReceiveFrom(buffer, from)) {
            std::vector<std::uint8_t> datagram(buffer.begin(), buffer.begin() + *size);
            if (from == server_) {
                (void)socket_.SendTo(client_, datagram);
            } else {
                client_ = from;
                from_client.push_back(std::move(datagram));
            }
        }
        for (auto it = from_client.rbegin(); it != from_client.rend(); ++it) {
            for (int copy = 0; copy < 2; ++copy) (void)socket_.SendTo(server_, *it);
        }
    }

  private:
    Address server_;
    Address client_;
    detail::UdpSocket socket_;
};

TEST(ServerClient, DuplicatedAndReorderedPacketsAreDeliveredOnce) {
    World world;
    MisbehavingLink link(world.server.bound_address());
    auto params = world.Params(3);
    params.public_server_addresses = {link.address()};
    params.internal_server_addresses = {world.server.bound_address()};
    Client client;
    ASSERT_TRUE(client.Connect(world.Token(params), world.now));
    for (int i = 0; i < 30 && client.state() != ClientState::kConnected; ++i) {
        world.Step({&client});
        link.Pump();
    }
    ASSERT_EQ(client.state(), ClientState::kConnected);
    world.Events();
    for (char c : std::string("abcde")) ASSERT_TRUE(client.SendPayload(Bytes(std::string(1, c))));
    link.Pump();
    world.Step({&client});
    std::string order;
    for (const ServerEvent& event : world.EventsOf(ServerEventType::kPayload))
        order += static_cast<char>(event.payload[0]);
    EXPECT_EQ(order, "edcba");
}

std::mt19937 SeededRandom() {
    const char* text = std::getenv("GAPKIT_TEST_SEED");
    const unsigned seed =
        text != nullptr ? static_cast<unsigned>(std::strtoul(text, nullptr, 10)) : std::random_device{}();
    std::cout << "GAPKIT_TEST_SEED=" << seed << '\n';
    return std::mt19937(seed);
}

TEST(ServerClient, GarbageDatagramsOfEveryLengthAreDropped) {
    World world;
    Client client;
    ASSERT_TRUE(world.Connect(client, world.Token(world.Params(1))));
    world.Events();
    auto attacker = *detail::UdpSocket::Open(kLoopback);
    auto rng = SeededRandom();
    std::vector<std::uint8_t> garbage(1500);
    for (std::size_t length = 0; length <= garbage.size(); ++length) {
        for (auto& byte : garbage) byte = static_cast<std::uint8_t>(rng());
        if (length > 0 && length % 3 == 0) garbage[0] = static_cast<std::uint8_t>((length % 9) << 4 | (length % 7));
        (void)attacker.SendTo(world.server.bound_address(), std::span(garbage).first(length));
        (void)attacker.SendTo(client.local_address(), std::span(garbage).first(length));
        if (length % 50 == 0) world.Step({&client});
    }
    world.Step({&client});
    EXPECT_TRUE(world.Events().empty());
    EXPECT_EQ(client.state(), ClientState::kConnected);
    EXPECT_FALSE(client.Poll(garbage));
    ASSERT_TRUE(client.SendPayload(Bytes("still here")));
    world.Step({&client});
    EXPECT_EQ(world.EventsOf(ServerEventType::kPayload).size(), 1u);
}

// A stand-in for a WebTransport endpoint: the client talks UDP to the relay's own socket, and the
// relay hands its packets to the server as coming from `link_address`, an address of the link's
// own. The server's answers for that address come back through Send, and go out to the client.
struct Relay : PacketLink {
    Relay() : socket(*detail::UdpSocket::Open(kLoopback)) {}
    bool Serves(const Address& address) const override { return address == served; }
    void Send(const Address& to, std::span<const std::uint8_t> packet) override {
        EXPECT_EQ(to, served);
        ++sent;
        (void)socket.SendTo(client, packet);
    }
    // Hands the server what the client sent since the last call.
    void Pump(World& world) {
        std::array<std::uint8_t, kMaxPacketBytes> buffer;
        Address from;
        while (auto size = socket.ReceiveFrom(buffer, from)) {
            client = from;
            world.server.ReceiveFromLink(link_address, std::span(buffer).first(*size), world.unix_now());
        }
    }
    detail::UdpSocket socket;
    Address link_address = Address::Ipv4(192, 0, 2, 1, 1);
    Address served = link_address;
    Address client;
    int sent = 0;
};

TEST(ServerClient, AClientOverALinkIsAdmittedWithTheServersOwnAddressInItsToken) {
    World world;
    Relay relay;
    world.server.SetLink(&relay);
    auto params = world.Params(31);
    params.public_server_addresses = {relay.socket.local_address()};    // where the client sends
    params.internal_server_addresses = {world.server.bound_address()};  // what the server checks
    Client client;
    ASSERT_TRUE(client.Connect(world.Token(params), world.now));
    for (int i = 0; i < 50 && client.state() != ClientState::kConnected; ++i) {
        world.Step({&client});
        relay.Pump(world);
    }
    ASSERT_EQ(client.state(), ClientState::kConnected);
    auto connected = world.EventsOf(ServerEventType::kClientConnected);
    ASSERT_EQ(connected.size(), 1u);
    EXPECT_EQ(connected[0].address, relay.link_address);
    EXPECT_EQ(connected[0].client_id, 31u);

    ASSERT_TRUE(world.server.SendPayload(connected[0].client_index, Bytes("over the link")));
    world.Step({&client});
    std::vector<std::uint8_t> received;
    EXPECT_TRUE(client.Poll(received));
    EXPECT_EQ(received, Bytes("over the link"));
    EXPECT_GT(relay.sent, 0);
}

TEST(ServerClient, UdpDatagramsFromALinksAddressAreDropped) {
    World world;
    Relay relay;
    world.server.SetLink(&relay);
    Client client;
    ASSERT_TRUE(client.Connect(world.Token(world.Params(32)), world.now));
    world.Step({&client});
    // The client's real UDP source (it binds 0.0.0.0) is now an address the link claims.
    relay.served = Address::Ipv4(127, 0, 0, 1, client.local_address().port);
    EXPECT_EQ(world.Settle(client), ClientState::kConnectionRequestTimedOut);
    EXPECT_TRUE(world.EventsOf(ServerEventType::kClientConnected).empty());
}

// A client and a server joined in memory, with no socket on the client's side: the client's
// packets reach the server through ReceiveFromLink, the server's come back through the pipe.
struct Pipe : PacketLink, ClientLink {
    bool Serves(const Address& address) const override { return address == client_address; }
    void Send(const Address&, std::span<const std::uint8_t> packet) override {
        to_client.emplace_back(packet.begin(), packet.end());
    }
    void Send(std::span<const std::uint8_t> packet) override { to_server.emplace_back(packet.begin(), packet.end()); }
    bool Receive(std::vector<std::uint8_t>& packet) override {
        if (to_client.empty()) return false;
        packet = std::move(to_client.front());
        to_client.pop_front();
        return true;
    }
    void Pump(World& world) {
        for (auto& packet : to_server) world.server.ReceiveFromLink(client_address, packet, world.unix_now());
        to_server.clear();
    }
    Address client_address = Address::Ipv6({0x100, 0, 0, 0, 0, 0, 0, 1}, 7);
    std::deque<std::vector<std::uint8_t>> to_client;
    std::vector<std::vector<std::uint8_t>> to_server;
};

TEST(ServerClient, AClientOverItsOwnLinkOpensNoSocketAndPlays) {
    World world;
    Pipe pipe;
    world.server.SetLink(&pipe);
    Client client;
    client.SetLink(&pipe);
    ASSERT_TRUE(client.Connect(world.Token(world.Params(33)), world.now));
    for (int i = 0; i < 50 && client.state() != ClientState::kConnected; ++i) {
        world.Step({&client});
        pipe.Pump(world);
    }
    ASSERT_EQ(client.state(), ClientState::kConnected);
    EXPECT_EQ(client.local_address().type, AddressType::kNone);
    ASSERT_TRUE(client.SendPayload(Bytes("up")));
    pipe.Pump(world);
    auto payloads = world.EventsOf(ServerEventType::kPayload);
    ASSERT_EQ(payloads.size(), 1u);
    EXPECT_EQ(payloads[0].payload, Bytes("up"));
    EXPECT_EQ(payloads[0].address, pipe.client_address);
    ASSERT_TRUE(world.server.SendPayload(payloads[0].client_index, Bytes("down")));
    world.Step({&client});
    std::vector<std::uint8_t> received;
    ASSERT_TRUE(client.Poll(received));
    EXPECT_EQ(received, Bytes("down"));
}

}  // namespace
}  // namespace gapkit::netcode
