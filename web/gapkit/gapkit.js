// gapkit.js: the browser client of gapkit. It asks the matchmaker for a game server over its
// WebSocket (docs/protocol/matchmaking.md), then speaks netcode 1.02 (docs/protocol/netcode.md) to
// that server over WebTransport, one netcode packet per datagram, trusting the server's
// self-signed certificate by the `cert_digest` the matchmaker sends. It mirrors gapkit::client
// (docs/client-library.md): the same states, progress texts and player texts. docs/gapkit-js.md is
// the guide (API, states, errors, limits), docs/browser.md the server side.
//
//   import { GameClient, GapkitError } from "/gapkit/gapkit.js";
//   const client = new GameClient({ matchmakerUrl: "ws://127.0.0.1:3000/matchmaker/ws" });
//   client.onprogress = (text) => {};
//   client.onstatechange = ({ state, text, error }) => {};
//   client.onpayload = (bytes) => {};
//   await client.findServer("spaceships", "1");   // rejects with a GapkitError
//   client.send(new Uint8Array([1, 2, 3]));
//   client.disconnect();
//
// Crypto (ChaCha20-Poly1305-IETF, which WebCrypto lacks) is libsodium-wrappers, served beside this
// file in vendor/ (the web root assembly, web/CMakeLists.txt, puts it there). Everything the
// page does not need is exported for the tests (web/gapkit/netcode.test.mjs) only.
import sodium from "./vendor/libsodium-wrappers.mjs";

const VERSION_INFO = new TextEncoder().encode("NETCODE 1.02\0");
export const CONNECT_TOKEN_BYTES = 2048;
const PRIVATE_TOKEN_BYTES = 1024;
const KEY_BYTES = 32;
const MAC_BYTES = 16;
const NONCE_BYTES = 24;
const CHALLENGE_TOKEN_BYTES = 300;
const MAX_SERVERS_PER_TOKEN = 32;
const CONNECTION_REQUEST_BYTES = 1078;
const NETCODE_MAX_PAYLOAD_BYTES = 1200;
const PACKET_SEND_INTERVAL_SECONDS = 0.1;
const REDUNDANT_DISCONNECT_PACKETS = 10;
const REPLAY_BUFFER_SIZE = 256;
const U64_MAX = (1n << 64n) - 1n;
const TICK_MS = 20;

/** The largest payload `send` takes: a full netcode packet must fit one WebTransport datagram. */
export const MAX_PAYLOAD_BYTES = 1100;

export const PacketType = Object.freeze({
  kConnectionRequest: 0, kConnectionDenied: 1, kConnectionChallenge: 2, kConnectionResponse: 3,
  kKeepAlive: 4, kPayload: 5, kDisconnect: 6,
});

/** The reference's client states (netcode.h), as gapkit::netcode::ClientState numbers them. */
export const NetcodeState = Object.freeze({
  kConnectTokenExpired: -6, kInvalidConnectToken: -5, kConnectionTimedOut: -4,
  kConnectionResponseTimedOut: -3, kConnectionRequestTimedOut: -2, kConnectionDenied: -1,
  kDisconnected: 0, kSendingConnectionRequest: 1, kSendingConnectionResponse: 2, kConnected: 3,
});

// Player texts: the same sentences as gapkit::client's PlayerText (libs/client/src/events.cpp).
const TEXTS = Object.freeze({
  matchmaker_unreachable: "Cannot reach the matchmaker. Check your connection and try again.",
  matchmaker_error: "The matchmaker could not find a server.",
  malformed_reply: "The matchmaker sent an answer this game does not understand. Is the game up to date?",
  matchmaker_closed: "The matchmaker hung up before finding a server. Try again.",
  matchmaking_timeout: "Finding a server took too long. Try again.",
  invalid_token: "The server ticket is not valid for this game.",
  token_expired: "The server ticket expired before the connection was made. Try again.",
  denied: "The game server refused the connection.",
  timeout: "The game server did not answer.",
  lost: "The connection to the game server was lost.",
  closed: "The server closed the connection.",
  certificate_mismatch: "Could not open a secure connection to the game server: its certificate does not match " +
    "the one the matchmaker announced, or it does not accept browser players.",
  webtransport_unavailable:
    "This browser cannot connect to game servers: it lacks WebTransport, or the page is not served over https.",
});

/**
 * What findServer rejects with and `send` throws. `code` is one of "matchmaker_unreachable",
 * "matchmaker_error" (then `status` is the matchmaker's HTTP-like code when it sent one: 503 busy,
 * 429 rate limited, ...), "certificate_mismatch", "webtransport_unavailable", "timeout", "denied",
 * "token_expired", "disconnected", or for programming errors "invalid_argument" and
 * "not_connected". `message` can be shown to the player as is.
 */
export class GapkitError extends Error {
  constructor(code, message, status = undefined) {
    super(message);
    this.name = "GapkitError";
    this.code = code;
    if (status !== undefined) this.status = status;
  }
}

// ---------------------------------------------------------------------------------------------
// Bytes

function writeU64(view, offset, value) { view.setBigUint64(offset, BigInt.asUintN(64, value), true); }

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  for (const part of parts) { out.set(part, offset); offset += part.length; }
  return out;
}

function u64Bytes(value) {
  const out = new Uint8Array(8);
  writeU64(new DataView(out.buffer), 0, value);
  return out;
}

/** Standard padded base64 to bytes; null when it is not base64. */
export function decodeBase64(text) {
  if (typeof text !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) return null;
  const binary = atob(text);
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/** "ab:cd:..." (or bare hex, either case) to the 32 bytes serverCertificateHashes takes; null if malformed. */
export function parseCertDigest(digest) {
  const hex = String(digest).replaceAll(":", "");
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) return null;
  return Uint8Array.from(hex.match(/../g), (pair) => parseInt(pair, 16));
}

// ---------------------------------------------------------------------------------------------
// Connect token (reference §2): the public part the client reads.

function readAddress(view, offset) {
  const type = view.getUint8(offset);
  if (type === 1) {
    const ip = [1, 2, 3, 4].map((i) => view.getUint8(offset + i)).join(".");
    return { address: { ip, port: view.getUint16(offset + 5, true) }, bytes: 7 };
  }
  if (type === 2) {
    const groups = [];
    for (let i = 0; i < 8; ++i) groups.push(view.getUint16(offset + 1 + 2 * i, true).toString(16));
    return { address: { ip: groups.join(":"), port: view.getUint16(offset + 17, true) }, bytes: 19 };
  }
  return null;
}

/** The fields of a 2048-byte public connect token, or null when it does not parse (the reference's checks). */
export function parseConnectToken(bytes) {
  if (!(bytes instanceof Uint8Array) || bytes.length !== CONNECT_TOKEN_BYTES) return null;
  if (!VERSION_INFO.every((b, i) => bytes[i] === b)) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const token = {
    protocolId: view.getBigUint64(13, true),
    createTimestamp: view.getBigUint64(21, true),
    expireTimestamp: view.getBigUint64(29, true),
    nonce: bytes.slice(37, 37 + NONCE_BYTES),
    privateToken: bytes.slice(61, 61 + PRIVATE_TOKEN_BYTES),
    timeoutSeconds: view.getInt32(1085, true),
    serverAddresses: [],
  };
  if (token.createTimestamp > token.expireTimestamp) return null;
  const count = view.getUint32(1089, true);
  if (count < 1 || count > MAX_SERVERS_PER_TOKEN) return null;
  let offset = 1093;
  for (let i = 0; i < count; ++i) {
    const read = readAddress(view, offset);
    if (!read) return null;
    token.serverAddresses.push(read.address);
    offset += read.bytes;
  }
  token.clientToServerKey = bytes.slice(offset, offset + KEY_BYTES);
  token.serverToClientKey = bytes.slice(offset + KEY_BYTES, offset + 2 * KEY_BYTES);
  return token;
}

// ---------------------------------------------------------------------------------------------
// Packets (reference §5)

/** The request (type 0, 1078 bytes, not encrypted) for a parsed token. */
export function writeConnectionRequest(token) {
  const out = new Uint8Array(CONNECTION_REQUEST_BYTES);
  const view = new DataView(out.buffer);
  out.set(VERSION_INFO, 1);
  writeU64(view, 14, token.protocolId);
  writeU64(view, 22, token.expireTimestamp);
  out.set(token.nonce, 30);
  out.set(token.privateToken, 54);
  return out;
}

/** Minimal little-endian sequence bytes: 1..8, sequence 0 still takes one. */
export function sequenceBytes(sequence) {
  const bytes = [];
  let rest = BigInt.asUintN(64, sequence);
  do { bytes.push(Number(rest & 0xffn)); rest >>= 8n; } while (rest > 0n);
  return Uint8Array.from(bytes);
}

function packetNonce(sequence) { return concat(new Uint8Array(4), u64Bytes(sequence)); }

function additionalData(protocolId, prefix) { return concat(VERSION_INFO, u64Bytes(protocolId), Uint8Array.of(prefix)); }

/** An encrypted packet of type 1..6: prefix, sequence, ChaCha20-Poly1305-IETF body and MAC. */
export function writePacket(type, sequence, body, key, protocolId) {
  const seq = sequenceBytes(sequence);
  const prefix = (seq.length << 4) | type;
  const sealed = sodium.crypto_aead_chacha20poly1305_ietf_encrypt(
    body, additionalData(protocolId, prefix), null, packetNonce(sequence), key);
  return concat(Uint8Array.of(prefix), seq, sealed);
}

const CLIENT_READS = new Set([PacketType.kConnectionDenied, PacketType.kConnectionChallenge, PacketType.kKeepAlive,
  PacketType.kPayload, PacketType.kDisconnect]);

function bodySizeValid(type, size) {
  switch (type) {
    case PacketType.kConnectionChallenge:
    case PacketType.kConnectionResponse: return size === 8 + CHALLENGE_TOKEN_BYTES;
    case PacketType.kKeepAlive: return size === 8;
    case PacketType.kPayload: return size >= 1 && size <= NETCODE_MAX_PAYLOAD_BYTES;
    default: return size === 0;
  }
}

/**
 * Reads a packet in the reference's order (§5.6): null when it is malformed, of a type the reader
 * does not take (`allowed`, default: what a client reads), a replay, or fails to decrypt.
 * `replay` (a ReplayProtection) is consulted and advanced for keep-alive, payload and disconnect.
 */
export function readPacket(packet, key, protocolId, replay, allowed = CLIENT_READS) {
  if (!(packet instanceof Uint8Array) || packet.length < 1 + 1 + MAC_BYTES) return null;
  const prefix = packet[0];
  const type = prefix & 0x0f;
  const count = prefix >> 4;
  if (type === PacketType.kConnectionRequest || type > 6 || !allowed.has(type)) return null;
  if (count < 1 || count > 8 || packet.length < 1 + count + MAC_BYTES) return null;
  let sequence = 0n;
  for (let i = count; i >= 1; --i) sequence = (sequence << 8n) | BigInt(packet[i]);
  const replayChecked = replay && type >= PacketType.kKeepAlive;
  if (replayChecked && replay.alreadyReceived(sequence)) return null;
  let body;
  try {
    body = sodium.crypto_aead_chacha20poly1305_ietf_decrypt(
      null, packet.subarray(1 + count), additionalData(protocolId, prefix), packetNonce(sequence), key);
  } catch {
    return null;
  }
  if (replayChecked) replay.advance(sequence);
  if (!bodySizeValid(type, body.length)) return null;
  return { type, sequence, body };
}

/** The reference's 256-entry replay window with the overflow-safe comparison. */
export class ReplayProtection {
  constructor() { this.reset(); }

  reset() {
    this.mostRecent = 0n;
    this.received = new Array(REPLAY_BUFFER_SIZE).fill(U64_MAX);
  }

  alreadyReceived(sequence) {
    if (this.mostRecent >= BigInt(REPLAY_BUFFER_SIZE) && sequence <= this.mostRecent - BigInt(REPLAY_BUFFER_SIZE)) return true;
    const entry = this.received[Number(sequence % BigInt(REPLAY_BUFFER_SIZE))];
    return entry !== U64_MAX && entry >= sequence;
  }

  advance(sequence) {
    if (sequence > this.mostRecent) this.mostRecent = sequence;
    this.received[Number(sequence % BigInt(REPLAY_BUFFER_SIZE))] = sequence;
  }
}

// ---------------------------------------------------------------------------------------------
// The netcode client (reference §7), sans I/O: packets go out through `sendPacket(bytes)`, come in
// through `receive(bytes, now)`, and `update(now)` runs the timers. One server: a WebTransport
// session reaches only the address the matchmaker named, so there is no failover to the token's
// other addresses.

export class NetcodeClient {
  constructor(sendPacket) {
    this.sendPacket = sendPacket;
    this.state = NetcodeState.kDisconnected;
    this.sequence = 0n;
    this.replay = new ReplayProtection();
    this.clientIndex = -1;
    this.maxClients = 0;
    this.payloads = [];
  }

  connect(tokenBytes, now) {
    this.token = parseConnectToken(tokenBytes);
    if (!this.token) {
      this.state = NetcodeState.kInvalidConnectToken;
      return false;
    }
    this.state = NetcodeState.kSendingConnectionRequest;
    this.connectStart = now;
    this.lastSend = now - 1;
    this.lastReceive = now;
    this.challenge = null;
    this.pendingState = null;
    this.replay.reset();
    return true;
  }

  send(type, body) {
    const packet = type === PacketType.kConnectionRequest
      ? writeConnectionRequest(this.token)
      : writePacket(type, this.sequence, body, this.token.clientToServerKey, this.token.protocolId);
    this.sequence = BigInt.asUintN(64, this.sequence + 1n);
    this.sendPacket(packet);
  }

  receive(bytes, now) {
    if (this.state <= NetcodeState.kDisconnected) return;
    const packet = readPacket(bytes, this.token.serverToClientKey, this.token.protocolId, this.replay);
    if (!packet) return;
    const connecting = this.state === NetcodeState.kSendingConnectionRequest ||
      this.state === NetcodeState.kSendingConnectionResponse;
    const connected = this.state === NetcodeState.kConnected;
    switch (packet.type) {
      case PacketType.kConnectionDenied:
        if (!connecting) return;
        this.pendingState = NetcodeState.kConnectionDenied;
        break;
      case PacketType.kConnectionChallenge:
        if (this.state !== NetcodeState.kSendingConnectionRequest) return;
        this.challenge = packet.body;
        this.state = NetcodeState.kSendingConnectionResponse;
        break;
      case PacketType.kKeepAlive:
        if (this.state === NetcodeState.kSendingConnectionResponse) {
          const view = new DataView(packet.body.buffer, packet.body.byteOffset, 8);
          this.clientIndex = view.getUint32(0, true);
          this.maxClients = view.getUint32(4, true);
          this.state = NetcodeState.kConnected;
        } else if (!connected) {
          return;
        }
        break;
      case PacketType.kPayload:
        if (!connected) return;
        this.payloads.push(packet.body);
        break;
      case PacketType.kDisconnect:
        if (!connected) return;
        this.pendingState = NetcodeState.kDisconnected;
        break;
      default:
        return;
    }
    this.lastReceive = now;
  }

  update(now) {
    if (this.state <= NetcodeState.kDisconnected) return;
    if (this.lastSend + PACKET_SEND_INTERVAL_SECONDS < now) {
      if (this.state === NetcodeState.kSendingConnectionRequest) this.send(PacketType.kConnectionRequest);
      else if (this.state === NetcodeState.kSendingConnectionResponse) this.send(PacketType.kConnectionResponse, this.challenge);
      else this.send(PacketType.kKeepAlive, new Uint8Array(8));
      this.lastSend = now;
    }
    const connecting = this.state < NetcodeState.kConnected;
    const lifetime = Number(this.token.expireTimestamp - this.token.createTimestamp);
    if (connecting && now - this.connectStart >= lifetime) {
      this.state = NetcodeState.kConnectTokenExpired;
      return;
    }
    if (this.pendingState !== null) {
      this.state = this.pendingState;
      return;
    }
    const timeout = this.token.timeoutSeconds;
    if (timeout > 0 && this.lastReceive + timeout < now) {
      this.state = this.state === NetcodeState.kSendingConnectionRequest ? NetcodeState.kConnectionRequestTimedOut
        : this.state === NetcodeState.kSendingConnectionResponse ? NetcodeState.kConnectionResponseTimedOut
          : NetcodeState.kConnectionTimedOut;
    }
  }

  /** A payload to the server; the caller checks the state and the size. */
  sendPayload(bytes, now) {
    this.send(PacketType.kPayload, bytes);
    this.lastSend = now;
  }

  /** Redundant disconnect packets, then kDisconnected. */
  disconnect() {
    if (this.state > NetcodeState.kDisconnected) {
      for (let i = 0; i < REDUNDANT_DISCONNECT_PACKETS; ++i) this.send(PacketType.kDisconnect, new Uint8Array(0));
    }
    this.state = NetcodeState.kDisconnected;
  }
}

/** Resolves once libsodium is loaded (findServer waits for it; tests call it first). */
export async function ready() {
  await sodium.ready;
}

// ---------------------------------------------------------------------------------------------
// The game client

const NAME_PATTERN = /^[A-Za-z0-9_-]{1,30}$/;
const AT_REST = new Set(["idle", "disconnected", "failed"]);

function now() { return performance.now() / 1000; }

function failureFor(netcodeState) {
  switch (netcodeState) {
    case NetcodeState.kConnectTokenExpired: return new GapkitError("token_expired", TEXTS.token_expired);
    case NetcodeState.kInvalidConnectToken: return new GapkitError("matchmaker_error", TEXTS.invalid_token);
    case NetcodeState.kConnectionDenied: return new GapkitError("denied", TEXTS.denied);
    default: return new GapkitError("timeout", TEXTS.timeout);
  }
}

// The session's URL: IPv6 literals go in brackets.
function transportUrl(ip, port) {
  return `https://${ip.includes(":") ? `[${ip}]` : ip}:${port}/netcode`;
}

/**
 * A player's way to a game: findServer, then send and onpayload until disconnect. States:
 * "idle" | "matchmaking" | "connecting" | "connected" | "disconnected" | "failed"; every change
 * calls onstatechange({ state, text, error }) with a text for the player (error: the GapkitError
 * of "failed", and of "disconnected" when the server closed or went silent).
 */
export class GameClient {
  /**
   * matchmakerUrl: ws:// or wss:// URL of the matchmaker WebSocket (default: this page's host,
   * /matchmaker/ws). protocolId (optional, number or BigInt): when given, tokens must carry it.
   * connectTimeoutSeconds (10): SessionReady to connected. matchmakingTimeoutSeconds (120):
   * findServer to SessionReady.
   */
  constructor({ matchmakerUrl, protocolId, connectTimeoutSeconds = 10, matchmakingTimeoutSeconds = 120 } = {}) {
    this.matchmakerUrl = matchmakerUrl ?? defaultMatchmakerUrl();
    this.protocolId = protocolId === undefined || protocolId === null ? null : BigInt(protocolId);
    this.connectTimeoutSeconds = connectTimeoutSeconds;
    this.matchmakingTimeoutSeconds = matchmakingTimeoutSeconds;
    this.onprogress = null;
    this.onstatechange = null;
    this.onpayload = null;
    this.state = "idle";
    this.clientIndex = -1;
    this.maxDatagramSize = 0;
    this.attempt = 0;
  }

  /** Matchmaking, then the WebTransport session and the netcode handshake; resolves when connected. */
  async findServer(game, version) {
    if (!AT_REST.has(this.state)) throw new GapkitError("invalid_argument", `findServer while ${this.state}`);
    if (!NAME_PATTERN.test(game) || !NAME_PATTERN.test(version)) {
      throw new GapkitError("invalid_argument", "game and version must match ^[A-Za-z0-9_-]{1,30}$");
    }
    const attempt = ++this.attempt;
    this.clientIndex = -1;
    this.enter("matchmaking", "Looking for a server");
    try {
      if (typeof WebTransport === "undefined" || globalThis.isSecureContext === false) {
        throw new GapkitError("webtransport_unavailable", TEXTS.webtransport_unavailable);
      }
      const readyP = ready();
      const session = await this.matchmake(game, version);
      await readyP;
      this.checkCurrent(attempt);
      await this.connect(session, attempt);
    } catch (error) {
      const failure = error instanceof GapkitError ? error : new GapkitError("disconnected", String(error?.message ?? error));
      if (attempt === this.attempt && this.state !== "idle" && this.state !== "disconnected") this.fail(failure);
      throw failure;
    }
  }

  /** One payload (Uint8Array, 1..MAX_PAYLOAD_BYTES) to the server. */
  send(bytes) {
    if (!(bytes instanceof Uint8Array) || bytes.length < 1 || bytes.length > MAX_PAYLOAD_BYTES) {
      throw new GapkitError("invalid_argument", `a payload is a Uint8Array of 1..${MAX_PAYLOAD_BYTES} bytes`);
    }
    if (this.state !== "connected") throw new GapkitError("not_connected", "not connected to a game server");
    this.netcode.sendPayload(bytes, now());
  }

  /** Leaves the game (redundant netcode disconnect packets, then the session closes), or stops matchmaking. */
  disconnect() {
    if (AT_REST.has(this.state)) return;
    const matchmaking = this.state === "matchmaking";
    ++this.attempt;
    this.netcode?.disconnect();
    const cancelled = new GapkitError("disconnected", "Cancelled");
    this.cancelMatchmaking?.(cancelled);
    if (this.handshake) this.failHandshake(cancelled);
    this.teardown();
    this.enter(matchmaking ? "idle" : "disconnected", matchmaking ? "Cancelled" : "Disconnected");
  }

  // --- matchmaking ---

  matchmake(game, version) {
    return new Promise((resolve, reject) => {
      let socket;
      try {
        socket = new WebSocket(this.matchmakerUrl);
      } catch (error) {
        reject(new GapkitError("matchmaker_unreachable", TEXTS.matchmaker_unreachable));
        console.warn(`gapkit: matchmaker URL ${this.matchmakerUrl}: ${error.message}`);
        return;
      }
      this.socket = socket;
      let answered = false;
      let opened = false;
      const timer = setTimeout(() => finish(new GapkitError("timeout", TEXTS.matchmaking_timeout)),
        this.matchmakingTimeoutSeconds * 1000);
      const finish = (error, session) => {
        if (answered) return;
        answered = true;
        clearTimeout(timer);
        socket.onmessage = socket.onclose = socket.onerror = null;
        if (socket.readyState <= WebSocket.OPEN) socket.close();
        this.socket = null;
        this.cancelMatchmaking = null;
        if (error) reject(error); else resolve(session);
      };
      this.cancelMatchmaking = finish;
      socket.onopen = () => {
        opened = true;
        socket.send(JSON.stringify({ game, version, transport: "webtransport" }));
      };
      socket.onmessage = (message) => {
        const reply = parseReply(message.data);
        if (!reply) return finish(new GapkitError("matchmaker_error", TEXTS.malformed_reply));
        if (reply.progress) return this.progress(reply.progress);
        if (reply.error) {
          const [status, text] = reply.error;
          console.warn(`gapkit: matchmaker error ${status}: ${text}`);
          return finish(new GapkitError("matchmaker_error", `${TEXTS.matchmaker_error} ${text} (${status})`, status));
        }
        finish(this.sessionError(reply.ready), reply.ready);
      };
      // A browser does not say why a WebSocket failed (an upgrade refused with 429 or 503 looks like
      // a refused connection), so "busy" reaches the player only as an Error reply.
      socket.onclose = (close) => {
        console.warn(`gapkit: matchmaker socket closed (${close.code}${close.reason ? `: ${close.reason}` : ""})`);
        finish(opened ? new GapkitError("matchmaker_error", TEXTS.matchmaker_closed)
          : new GapkitError("matchmaker_unreachable", TEXTS.matchmaker_unreachable));
      };
    });
  }

  // Why a SessionReady cannot be used, or null.
  sessionError(ready) {
    const token = decodeBase64(ready.token);
    const parsed = token && parseConnectToken(token);
    if (!parsed || (this.protocolId !== null && parsed.protocolId !== this.protocolId)) {
      console.warn(`gapkit: unusable connect token${parsed ? ` (protocol id ${parsed.protocolId})` : ""}`);
      return new GapkitError("matchmaker_error", TEXTS.invalid_token);
    }
    if (ready.cert_digest && !parseCertDigest(ready.cert_digest)) {
      console.warn(`gapkit: malformed cert_digest ${JSON.stringify(ready.cert_digest)}`);
      return new GapkitError("matchmaker_error", TEXTS.malformed_reply);
    }
    ready.tokenBytes = token;
    return null;
  }

  // --- the WebTransport session and the netcode handshake ---

  async connect(session, attempt) {
    const url = transportUrl(session.ip, session.port);
    this.enter("connecting", `Connecting to ${session.ip}:${session.port}`);
    const digest = session.cert_digest ? parseCertDigest(session.cert_digest) : null;
    const options = digest ? { serverCertificateHashes: [{ algorithm: "sha-256", value: digest }] } : {};
    const deadline = now() + this.connectTimeoutSeconds;
    let transport;
    try {
      transport = new WebTransport(url, options);
    } catch (error) {
      console.warn(`gapkit: WebTransport ${url}: ${error.message}`);
      throw new GapkitError("webtransport_unavailable", TEXTS.webtransport_unavailable);
    }
    this.transport = transport;
    const opened = await withTimeout(transport.ready.then(() => true, (error) => error), deadline);
    this.checkCurrent(attempt);
    if (opened !== true) throw this.handshakeFailure(opened, digest, url);
    this.maxDatagramSize = transport.datagrams.maxDatagramSize;
    console.info(`gapkit: WebTransport session to ${url}, maxDatagramSize ${this.maxDatagramSize}`);
    this.writer = transport.datagrams.writable.getWriter();
    this.netcode = new NetcodeClient((packet) => this.writeDatagram(packet));
    this.netcode.connect(session.tokenBytes, now());
    this.readDatagrams(transport.datagrams.readable.getReader(), attempt);
    transport.closed.then(() => this.onTransportClosed(attempt), () => this.onTransportClosed(attempt));
    await new Promise((resolve, reject) => {
      this.handshake = { resolve, reject, deadline };
      this.timer = setInterval(() => this.tick(), TICK_MS);
      this.tick();
    });
  }

  // Chromium gives every failed opening handshake the same message ("Opening handshake failed.").
  // A server that does not answer leaves it waiting until the timeout (`opened` is null); one
  // that refused quickly either presented a certificate the browser does not trust (not the
  // pinned digest, or no digest came and no authority signed it) or has no WebTransport on that
  // port (an ICMP "port unreachable" fails as fast): the text names both.
  handshakeFailure(opened, digest, url) {
    this.teardown();
    if (opened === null) {
      console.warn(`gapkit: no WebTransport session to ${url} within ${this.connectTimeoutSeconds} s`);
      return new GapkitError("timeout", TEXTS.timeout);
    }
    const pinned = digest ? "pinned by cert_digest" : "no cert_digest from the matchmaker";
    console.warn(`gapkit: WebTransport session to ${url} (${pinned}) failed: ${opened?.message ?? opened}`);
    return new GapkitError("certificate_mismatch", TEXTS.certificate_mismatch);
  }

  writeDatagram(packet) {
    if (!this.writer) return;
    if (this.maxDatagramSize && packet.length > this.maxDatagramSize) {
      console.warn(`gapkit: a ${packet.length}-byte packet exceeds maxDatagramSize ${this.maxDatagramSize}; dropped`);
      return;
    }
    this.lastWrite = this.writer.write(packet).catch(() => {});
  }

  async readDatagrams(reader, attempt) {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done || attempt !== this.attempt) return;
        this.netcode?.receive(value, now());
        if (this.state === "connected") this.deliverPayloads();
        else if (this.handshake) this.tick();
      }
    } catch {
      // The session closed; onTransportClosed reports it.
    }
  }

  tick() {
    const netcode = this.netcode;
    if (!netcode) return;
    const at = now();
    netcode.update(at);
    if (this.handshake) {
      if (netcode.state === NetcodeState.kConnected) {
        this.clientIndex = netcode.clientIndex;
        const { resolve } = this.handshake;
        this.handshake = null;
        this.enter("connected", `Connected to the game server (slot ${this.clientIndex})`);
        this.deliverPayloads();
        resolve();
      } else if (netcode.state <= NetcodeState.kDisconnected) {
        this.failHandshake(failureFor(netcode.state));
      } else if (at >= this.handshake.deadline) {
        this.failHandshake(new GapkitError("timeout", TEXTS.timeout));
      }
      return;
    }
    this.deliverPayloads();
    if (netcode !== this.netcode || netcode.state === NetcodeState.kConnected) return;
    const lost = netcode.state === NetcodeState.kConnectionTimedOut;
    this.lose(new GapkitError("disconnected", lost ? TEXTS.lost : TEXTS.closed));
  }

  failHandshake(error) {
    const { reject } = this.handshake;
    this.handshake = null;
    this.teardown();
    reject(error);
  }

  deliverPayloads() {
    if (!this.netcode) return;
    const payloads = this.netcode.payloads;
    this.netcode.payloads = [];
    for (const payload of payloads) this.onpayload?.(payload);
  }

  onTransportClosed(attempt) {
    if (attempt !== this.attempt) return;
    if (this.handshake) return this.failHandshake(new GapkitError("disconnected", TEXTS.lost));
    if (this.state === "connected") this.lose(new GapkitError("disconnected", TEXTS.lost));
  }

  lose(error) {
    ++this.attempt;
    this.teardown();
    this.enter("disconnected", error.message, error);
  }

  teardown() {
    clearInterval(this.timer);
    this.timer = null;
    if (this.socket) { this.socket.onclose = null; this.socket.close(); this.socket = null; }
    this.writer = null;
    this.netcode = null;
    const transport = this.transport;
    this.transport = null;
    if (!transport) return;
    // The disconnect packets were handed to the writer just now: close once they are out.
    (this.lastWrite ?? Promise.resolve()).then(() => {
      try { transport.close(); } catch { /* already closed */ }
    });
    this.lastWrite = null;
  }

  checkCurrent(attempt) {
    if (attempt !== this.attempt) throw new GapkitError("disconnected", "Cancelled");
  }

  fail(error) {
    this.teardown();
    this.enter("failed", error.message, error);
  }

  enter(state, text, error = undefined) {
    this.state = state;
    this.onstatechange?.({ state, text, error });
  }

  progress(text) {
    this.onprogress?.(text);
  }
}

function defaultMatchmakerUrl() {
  const location = globalThis.location;
  if (!location) return "ws://127.0.0.1:3000/matchmaker/ws";
  return `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}/matchmaker/ws`;
}

// Resolves with the promise's value, or null when the deadline (seconds, performance clock) passes first.
function withTimeout(promise, deadline) {
  let timer;
  const expired = new Promise((resolve) => { timer = setTimeout(() => resolve(null), Math.max(0, deadline - now()) * 1000); });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

// One matchmaker reply (docs/protocol/matchmaking.md) as { progress } | { error: [code, text] } |
// { ready }, or null when it is none of the five forms.
export function parseReply(data) {
  let reply;
  try { reply = JSON.parse(data); } catch { return null; }
  if (reply === "Acknowledged") return { progress: "Looking for a server" };
  if (!reply || typeof reply !== "object" || Object.keys(reply).length !== 1) return null;
  if (typeof reply.SessionRequestAccepted === "string") return { progress: "Starting a server session" };
  if (typeof reply.ProgressReport === "string") return { progress: reply.ProgressReport };
  const error = reply.Error;
  if (Array.isArray(error) && error.length === 2 && Number.isInteger(error[0]) && typeof error[1] === "string") {
    return { error };
  }
  const ready = reply.SessionReady;
  if (ready && typeof ready.token === "string" && typeof ready.ip === "string" && Number.isInteger(ready.port) &&
      ready.port >= 1 && ready.port <= 65535 && (ready.cert_digest === undefined || typeof ready.cert_digest === "string")) {
    return { ready: { ...ready, cert_digest: ready.cert_digest ?? "" } };
  }
  return null;
}
