// gapkit.js's netcode 1.02 client in Node.js, no browser: tokens and packets against the golden
// vectors the reference C implementation generated from fixed inputs (netcode.rs tests/vectors,
// docs: /work/shared/reference netcode-1.02.md §13.2 and §13.3; libs/netcode/src/known_answer_test.cpp
// checks the C++ code against the same vectors), then the client state machine against a server
// scripted here. CTest runs it (web.GapkitJsNetcode) with GAPKIT_WEB_ROOT=<build>/web-root, the root
// the build assembled, since gapkit.js loads libsodium from vendor/ beside it:
//   GAPKIT_WEB_ROOT=build/web-root node --test web/gapkit/netcode.test.mjs
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import { pathToFileURL } from "node:url";

const webRoot = process.env.GAPKIT_WEB_ROOT;
const modulePath = webRoot && join(webRoot, "gapkit", "gapkit.js");
if (!modulePath || !existsSync(join(webRoot, "gapkit", "vendor", "libsodium-wrappers.mjs"))) {
  throw new Error("GAPKIT_WEB_ROOT must name an assembled web root with gapkit/vendor/: build the target " +
    "gapkit_web_root after 'npm ci --prefix web/gapkit'");
}
const gapkit = await import(pathToFileURL(modulePath).href);
const { default: sodium } = await import(pathToFileURL(join(webRoot, "gapkit", "vendor", "libsodium-wrappers.mjs")).href);
const { PacketType, NetcodeState } = gapkit;

const sha256 = (bytes) => createHash("sha256").update(bytes).digest("hex");
const hex = (bytes) => Buffer.from(bytes).toString("hex");
const fromHex = (text) => Uint8Array.from(Buffer.from(text.replaceAll(" ", ""), "hex"));
const bytesOf = (length, f) => Uint8Array.from({ length }, (_, i) => f(i));
const u64 = (value) => { const b = Buffer.alloc(8); b.writeBigUInt64LE(value); return b; };
const u32 = (value) => { const b = Buffer.alloc(4); b.writeUInt32LE(value); return b; };
const i32 = (value) => { const b = Buffer.alloc(4); b.writeInt32LE(value); return b; };
const VERSION_INFO = Buffer.from("NETCODE 1.02\0");

// The fixed inputs of netcode.rs src/wire_compat.rs (reference §13.2).
const V = {
  protocolId: 0x1122334455667788n,
  clientId: 0x0102030405060708n,
  timeoutSeconds: 15,
  create: 1720000000n,
  expire: 1720000100n,
  challengeSequence: 1000n,
  packetSequence: 0x1122334455n,
  privateKey: fromHex("606abe6ec91910ea9a6562f66f2b30e44371d62cd19927266b3c60f4b715aba1"),
  c2s: bytesOf(32, (i) => i),
  s2c: bytesOf(32, (i) => 255 - i),
  challengeKey: bytesOf(32, (i) => 2 * i),
  packetKey: bytesOf(32, (i) => i + 17),
  userData: bytesOf(256, (i) => i),
  nonce: bytesOf(24, (i) => 100 + i),
  // 127.0.0.1:40000 and [::1]:50000, IPv6 groups little-endian as the reference writes them.
  addresses: Buffer.concat([Buffer.from([1, 127, 0, 0, 1]), Buffer.from([0x40, 0x9c]),
    Buffer.from([2]), Buffer.alloc(14), Buffer.from([1, 0]), Buffer.from([0x50, 0xc3])]),
};

function padded(parts, size) {
  const out = new Uint8Array(size);
  out.set(Buffer.concat(parts));
  return out;
}

function referencePrivateToken() {
  const plain = padded([u64(V.clientId), u32(V.timeoutSeconds), u32(2), V.addresses, V.c2s, V.s2c, V.userData], 1024);
  const ad = Buffer.concat([VERSION_INFO, u64(V.protocolId), u64(V.expire)]);
  const sealed = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(plain.subarray(0, 1008), ad, null, V.nonce, V.privateKey);
  return { plain, sealed };
}

function referenceConnectToken() {
  return padded([VERSION_INFO, u64(V.protocolId), u64(V.create), u64(V.expire), V.nonce, referencePrivateToken().sealed,
    u32(V.timeoutSeconds), u32(2), V.addresses, V.c2s, V.s2c], 2048);
}

function referenceChallengeToken() {
  const plain = padded([u64(V.clientId), V.userData], 284);
  const nonce = Buffer.concat([Buffer.alloc(4), u64(V.challengeSequence)]);
  return sodium.crypto_aead_chacha20poly1305_ietf_encrypt(plain, null, null, nonce, V.challengeKey);
}

before(async () => {
  await gapkit.ready();
  await sodium.ready;
});

describe("connect token", () => {
  test("the reference token built from the fixed inputs has the reference's bytes", () => {
    const { plain, sealed } = referencePrivateToken();
    assert.equal(sha256(plain), "7b1896a06c8dd0688fece1cfdcfe06c21871d429ef9dee2070ae40e9f8e534bc");
    assert.equal(sha256(sealed), "3fc190a87b816c4340e0894a16d5b0d9c55507bab095d77da9c07daf7e3bf98a");
    assert.equal(sha256(referenceConnectToken()), "12cd58f0e2d17b002b629359f207018eac54e8cff2064382e600df738cfd4410");
  });

  test("parseConnectToken reads every public field of the reference token", () => {
    const token = gapkit.parseConnectToken(referenceConnectToken());
    assert.equal(token.protocolId, V.protocolId);
    assert.equal(token.createTimestamp, V.create);
    assert.equal(token.expireTimestamp, V.expire);
    assert.equal(token.timeoutSeconds, 15);
    assert.deepEqual(token.nonce, V.nonce);
    assert.deepEqual(token.privateToken, referencePrivateToken().sealed);
    assert.deepEqual(token.serverAddresses, [{ ip: "127.0.0.1", port: 40000 }, { ip: "0:0:0:0:0:0:0:1", port: 50000 }]);
    assert.deepEqual(token.clientToServerKey, V.c2s);
    assert.deepEqual(token.serverToClientKey, V.s2c);
  });

  test("parseConnectToken refuses what the reference's reader refuses", () => {
    const good = referenceConnectToken();
    const changed = (offset, value) => { const t = good.slice(); t[offset] = value; return t; };
    assert.equal(gapkit.parseConnectToken(good.subarray(0, 2047)), null);
    assert.equal(gapkit.parseConnectToken(changed(9, 0x33)), null, "version 1.03");
    assert.equal(gapkit.parseConnectToken(changed(1089, 0)), null, "no server");
    assert.equal(gapkit.parseConnectToken(changed(1089, 33)), null, "33 servers");
    assert.equal(gapkit.parseConnectToken(changed(1093, 3)), null, "address type 3");
    assert.equal(gapkit.parseConnectToken(changed(28, 0xff)), null, "created after it expires");
  });

  test("decodeBase64 takes the matchmaker's 2732 characters and refuses other text", () => {
    const text = Buffer.from(referenceConnectToken()).toString("base64");
    assert.equal(text.length, 2732);
    assert.deepEqual(gapkit.decodeBase64(text), referenceConnectToken());
    assert.equal(gapkit.decodeBase64(text.slice(1)), null);
    assert.equal(gapkit.decodeBase64(`${text.slice(0, 10)}!${text.slice(11)}`), null);
  });
});

describe("packets", () => {
  const write = (type, body, sequence = V.packetSequence) => gapkit.writePacket(type, sequence, body, V.packetKey, V.protocolId);
  const serverReads = new Set([3, 4, 5, 6]);

  test("the connection request of the reference token has the reference's bytes", () => {
    const request = gapkit.writeConnectionRequest(gapkit.parseConnectToken(referenceConnectToken()));
    assert.equal(request.length, 1078);
    assert.equal(sha256(request), "fc7d9221a4b2d74dfaa7accd870730d434caa2315724cce1141c91ad47969968");
  });

  test("keep-alive, denied and disconnect have the reference's bytes", () => {
    const keepAlive = write(PacketType.kKeepAlive, Buffer.concat([u32(7), u32(32)]));
    assert.equal(hex(keepAlive), "54554433221102a85bb8a396ae350caaae147506e5acae951f983789c832");
    assert.equal(hex(write(PacketType.kConnectionDenied, new Uint8Array(0))), "5155443322117d50da833982dbfec854b412fc8a5c84");
    assert.equal(hex(write(PacketType.kDisconnect, new Uint8Array(0))), "5655443322111d1a23ccf0be58180af3daa88fd65225");
  });

  test("payload, challenge and response have the reference's bytes", () => {
    assert.equal(sha256(write(PacketType.kPayload, bytesOf(1200, (i) => i & 0xff))),
      "e991282ba33dae3d19f4a9ecd0577f876a8175cf399180af5e3b21a33a4c6377");
    const challengeToken = referenceChallengeToken();
    assert.equal(sha256(challengeToken), "33c5560aaed4192fc714fbba4910c38f235a4298f9121901c0d47549cc0a62e0");
    const body = Buffer.concat([u64(V.challengeSequence), challengeToken]);
    assert.equal(sha256(write(PacketType.kConnectionChallenge, body)),
      "22fc408d3ab1e8655d9edf9dd9bdad69b06978ff85323a564c0563fc7dfbf6a7");
    assert.equal(sha256(write(PacketType.kConnectionResponse, body)),
      "d7f8965bb2961ae0c355f50ecedc13347575d38832668b6e4b7c5f6ae49973e9");
  });

  test("keep-alives at sequences 0, 256 and 2^64-1 match the reference's gen_vectors output", () => {
    const key = bytesOf(32, (i) => i);
    const body = Buffer.concat([u32(3), u32(32)]);
    const at = (sequence) => hex(gapkit.writePacket(PacketType.kKeepAlive, sequence, body, key, 0x1234567890abcdefn));
    assert.equal(at(0n), "14001bb842318de6a6d1ea9c6dedef680ec6a1528c6db35d5ce7");
    assert.equal(at(256n), "240001ff81f979d58a2a1f2d9c64a6ababb9903685c1cb7345e2e1");
    assert.equal(at((1n << 64n) - 1n), "84ffffffffffffffff538355438205b22c890388b4e03971e4c6a7953a60668dca");
  });

  test("readPacket reads each type back and refuses tampering, other keys and wrong sizes", () => {
    const payload = bytesOf(1200, (i) => i & 0xff);
    const read = gapkit.readPacket(write(PacketType.kPayload, payload), V.packetKey, V.protocolId, null);
    assert.equal(read.type, PacketType.kPayload);
    assert.equal(read.sequence, V.packetSequence);
    assert.deepEqual(read.body, payload);
    const keepAlive = write(PacketType.kKeepAlive, new Uint8Array(8));
    assert.ok(gapkit.readPacket(keepAlive, V.packetKey, V.protocolId, null));
    const flipped = keepAlive.slice();
    flipped[8] ^= 1;
    assert.equal(gapkit.readPacket(flipped, V.packetKey, V.protocolId, null), null, "tampered");
    assert.equal(gapkit.readPacket(keepAlive, V.c2s, V.protocolId, null), null, "other key");
    assert.equal(gapkit.readPacket(keepAlive, V.packetKey, V.protocolId + 1n, null), null, "other protocol");
    assert.equal(gapkit.readPacket(write(PacketType.kKeepAlive, new Uint8Array(9)), V.packetKey, V.protocolId, null), null);
    assert.equal(gapkit.readPacket(write(PacketType.kConnectionResponse, new Uint8Array(308)), V.packetKey, V.protocolId, null),
      null, "a client does not read responses");
    assert.ok(gapkit.readPacket(write(PacketType.kConnectionResponse, new Uint8Array(308)), V.packetKey, V.protocolId, null, serverReads));
    for (let length = 0; length < keepAlive.length; ++length) {
      assert.equal(gapkit.readPacket(keepAlive.subarray(0, length), V.packetKey, V.protocolId, null), null);
    }
  });

  test("readPacket drops a replayed keep-alive, payload or disconnect but not a challenge", () => {
    const replay = new gapkit.ReplayProtection();
    const packet = write(PacketType.kKeepAlive, new Uint8Array(8), 5n);
    assert.ok(gapkit.readPacket(packet, V.packetKey, V.protocolId, replay));
    assert.equal(gapkit.readPacket(packet, V.packetKey, V.protocolId, replay), null);
    const challenge = write(PacketType.kConnectionChallenge, new Uint8Array(308), 5n);
    assert.ok(gapkit.readPacket(challenge, V.packetKey, V.protocolId, replay));
    assert.ok(gapkit.readPacket(challenge, V.packetKey, V.protocolId, replay));
  });

  test("sequence numbers take the fewest little-endian bytes", () => {
    const cases = [[0n, "00"], [0x11n, "11"], [0x1122n, "2211"], [1000n, "e803"], [0x1122334455667788n, "8877665544332211"]];
    for (const [sequence, expected] of cases) assert.equal(hex(gapkit.sequenceBytes(sequence)), expected);
  });
});

describe("replay protection", () => {
  test("keeps a 256-entry window and survives sequence 2^64-1", () => {
    const replay = new gapkit.ReplayProtection();
    assert.equal(replay.alreadyReceived(0n), false);
    replay.advance(0n);
    assert.equal(replay.alreadyReceived(0n), true);
    replay.advance(300n);
    assert.equal(replay.alreadyReceived(44n), true, "at the window's edge");
    assert.equal(replay.alreadyReceived(45n), false);
    assert.equal(replay.alreadyReceived(299n), false);
    const max = (1n << 64n) - 1n;
    replay.advance(max);
    // 2^64-1 is also the empty slot's mark, so it never reads as received: the reference and
    // libs/netcode/src/replay_protection.cpp behave the same.
    assert.equal(replay.alreadyReceived(max), false);
    assert.equal(replay.alreadyReceived(max - 1n), false);
    assert.equal(replay.alreadyReceived(max - 256n), true);
  });
});

// A connect token for the state machine tests: only the public part matters to the client.
function testToken({ timeoutSeconds = 5, lifetimeSeconds = 30 } = {}) {
  const token = padded([VERSION_INFO, u64(V.protocolId), u64(V.create), u64(V.create + BigInt(lifetimeSeconds)), V.nonce,
    new Uint8Array(1024), i32(timeoutSeconds), u32(1), Buffer.from([1, 127, 0, 0, 1, 0x1a, 0x19]), V.c2s, V.s2c], 2048);
  return token;
}

// The server side of the handshake, written with the server's key as a gapkit server would.
class ScriptedServer {
  constructor() { this.sequence = 1n << 63n; }
  packet(type, body) { return gapkit.writePacket(type, this.sequence++, body, V.s2c, V.protocolId); }
  read(packet) { return gapkit.readPacket(packet, V.c2s, V.protocolId, null, new Set([3, 4, 5, 6])); }
}

function startClient(options) {
  const sent = [];
  const client = new gapkit.NetcodeClient((packet) => sent.push(packet));
  assert.equal(client.connect(testToken(options), 100), true);
  return { client, sent, server: new ScriptedServer() };
}

function handshake({ client, sent, server }) {
  client.update(100);
  const challengeBody = bytesOf(308, (i) => i * 7);
  client.receive(server.packet(PacketType.kConnectionChallenge, challengeBody), 100.05);
  client.update(100.2);
  const response = server.read(sent.at(-1));
  assert.equal(response.type, PacketType.kConnectionResponse);
  assert.deepEqual(response.body, challengeBody);
  client.receive(server.packet(PacketType.kKeepAlive, Buffer.concat([u32(5), u32(64)])), 100.25);
  assert.equal(client.state, NetcodeState.kConnected);
}

describe("netcode client", () => {
  test("sends the request at 10 Hz, answers the challenge and is connected by the keep-alive", () => {
    const resending = startClient();
    for (const at of [100, 100.05, 100.09, 100.11, 100.15]) resending.client.update(at);
    assert.equal(resending.sent.length, 2, "one request per 0.1 s");
    assert.deepEqual(resending.sent[0], gapkit.writeConnectionRequest(gapkit.parseConnectToken(testToken())));
    const session = startClient();
    const { client } = session;
    handshake(session);
    assert.equal(client.clientIndex, 5);
    assert.equal(client.maxClients, 64);
  });

  test("delivers payloads, sends its own with the client's key and keeps alive when idle", () => {
    const session = startClient();
    const { client, sent, server } = session;
    handshake(session);
    client.receive(server.packet(PacketType.kPayload, Uint8Array.of(9, 8, 7)), 100.3);
    assert.deepEqual(client.payloads, [Uint8Array.of(9, 8, 7)]);
    client.sendPayload(Uint8Array.of(1, 2), 100.3);
    const payload = server.read(sent.at(-1));
    assert.equal(payload.type, PacketType.kPayload);
    assert.deepEqual(payload.body, Uint8Array.of(1, 2));
    const count = sent.length;
    client.update(100.35);
    assert.equal(sent.length, count, "a payload counts as sending");
    client.update(100.45);
    assert.equal(server.read(sent.at(-1)).type, PacketType.kKeepAlive);
  });

  test("drops payloads before it is connected and a replayed payload after", () => {
    const session = startClient();
    const { client, server } = session;
    client.receive(server.packet(PacketType.kPayload, Uint8Array.of(1)), 100);
    handshake(session);
    const payload = server.packet(PacketType.kPayload, Uint8Array.of(2));
    client.receive(payload, 100.3);
    client.receive(payload, 100.3);
    assert.deepEqual(client.payloads, [Uint8Array.of(2)]);
  });

  test("a disconnect from the server ends the connection; disconnect() sends ten", () => {
    const session = startClient();
    handshake(session);
    session.client.receive(session.server.packet(PacketType.kDisconnect, new Uint8Array(0)), 101);
    session.client.update(101);
    assert.equal(session.client.state, NetcodeState.kDisconnected);

    const other = startClient();
    handshake(other);
    const before = other.sent.length;
    other.client.disconnect();
    const packets = other.sent.slice(before).map((p) => other.server.read(p));
    assert.equal(packets.length, 10);
    assert.ok(packets.every((p) => p.type === PacketType.kDisconnect));
    assert.equal(other.client.state, NetcodeState.kDisconnected);
  });

  test("denied, silent and expired handshakes end in the reference's states", () => {
    const denied = startClient();
    denied.client.update(100);
    denied.client.receive(denied.server.packet(PacketType.kConnectionDenied, new Uint8Array(0)), 100.1);
    denied.client.update(100.1);
    assert.equal(denied.client.state, NetcodeState.kConnectionDenied);

    const silent = startClient({ timeoutSeconds: 5 });
    silent.client.update(105);
    assert.equal(silent.client.state, NetcodeState.kSendingConnectionRequest);
    silent.client.update(105.01);
    assert.equal(silent.client.state, NetcodeState.kConnectionRequestTimedOut);

    const expired = startClient({ timeoutSeconds: -1, lifetimeSeconds: 3 });
    expired.client.update(102.9);
    assert.equal(expired.client.state, NetcodeState.kSendingConnectionRequest);
    expired.client.update(103);
    assert.equal(expired.client.state, NetcodeState.kConnectTokenExpired);

    const lost = startClient({ timeoutSeconds: 5 });
    handshake(lost);
    lost.client.update(105.3);
    assert.equal(lost.client.state, NetcodeState.kConnectionTimedOut);
  });

  test("a token that does not parse is kInvalidConnectToken", () => {
    const client = new gapkit.NetcodeClient(() => {});
    assert.equal(client.connect(new Uint8Array(2048), 0), false);
    assert.equal(client.state, NetcodeState.kInvalidConnectToken);
  });
});

describe("matchmaker replies and certificate digests", () => {
  test("parseReply reads the five forms and refuses others", () => {
    assert.deepEqual(gapkit.parseReply('"Acknowledged"'), { progress: "Looking for a server" });
    assert.deepEqual(gapkit.parseReply('{"SessionRequestAccepted":"abc"}'), { progress: "Starting a server session" });
    assert.deepEqual(gapkit.parseReply('{"ProgressReport":"Waiting (1.2s)"}'), { progress: "Waiting (1.2s)" });
    assert.deepEqual(gapkit.parseReply('{"Error":[503,"busy"]}'), { error: [503, "busy"] });
    assert.deepEqual(gapkit.parseReply('{"SessionReady":{"token":"x","ip":"1.2.3.4","port":30004}}'),
      { ready: { token: "x", ip: "1.2.3.4", port: 30004, cert_digest: "" } });
    for (const bad of ["nope", "{}", '"Other"', '{"Error":[503]}', '{"SessionReady":{"token":"x","ip":"1.2.3.4","port":0}}']) {
      assert.equal(gapkit.parseReply(bad), null, bad);
    }
  });

  test("parseCertDigest takes the colon form and bare hex of 32 bytes only", () => {
    const digest = Array.from({ length: 32 }, (_, i) => i.toString(16).padStart(2, "0")).join(":");
    assert.deepEqual(gapkit.parseCertDigest(digest), bytesOf(32, (i) => i));
    assert.deepEqual(gapkit.parseCertDigest(digest.replaceAll(":", "").toUpperCase()), bytesOf(32, (i) => i));
    assert.equal(gapkit.parseCertDigest(digest.slice(3)), null);
    assert.equal(gapkit.parseCertDigest("zz".repeat(32)), null);
  });
});
