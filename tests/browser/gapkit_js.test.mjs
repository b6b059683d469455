// gapkit.js in headless Chromium against the local stack (issue 14): from a page of httpd (a
// secure context: 127.0.0.1), GameClient.findServer matchmakes over the WebSocket, opens a
// WebTransport session to the spaceships server with the cert_digest the matchmaker sent, and
// completes the netcode handshake with the C++ server; then the server's snapshots must arrive.
// A SessionReady whose cert_digest was changed on the way must fail as "certificate_mismatch", and
// a matchmaker that is not there as "matchmaker_unreachable". run_gapkit_js_test.sh starts the
// stack and runs this file with `node --test`; it passes in the environment:
//   GAPKIT_HTTPD_URL   httpd, e.g. http://127.0.0.1:3000/, serving the assembled web root (required)
//   MATCHMAKER_URL     the matchmaker WebSocket (required)
//   GAPKIT_NETLOG      when set, Chromium writes its NetLog there (why a WebTransport session failed)
//   GAME, GAME_VERSION the app the stack serves (spaceships, 1)
//   CHROMIUM           the browser (/usr/bin/chromium)
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { after, before, test } from "node:test";
import { chromium } from "playwright-core";

const FIND_TIMEOUT_MS = 60_000;
// Keep Chromium off the network (IP literals only) and away from a developer's own profile. QUIC
// stays on: WebTransport runs on it.
const CHROMIUM_ARGS = [
  "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
  "--disable-component-update", "--disable-sync", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
];

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set; run this through tests/browser/run_gapkit_js_test.sh`);
  return value;
}

function chromiumArgs() {
  const netlog = process.env.GAPKIT_NETLOG;
  return netlog ? [...CHROMIUM_ARGS, `--log-net-log=${netlog}`, "--net-log-capture-mode=Everything"] : CHROMIUM_ARGS;
}

// A loopback port that nobody listens on: one the system just handed out and was given back.
async function closedPort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

let browser;
before(async () => {
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", headless: true, args: chromiumArgs() });
});
after(async () => browser?.close());

async function openPage() {
  const page = await browser.newPage();
  page.on("console", (message) => console.log(`[page ${message.type()}] ${message.text()}`));
  page.on("pageerror", (error) => console.log(`[page error] ${error.message}`));
  await page.goto(required("GAPKIT_HTTPD_URL"));
  return page;
}

// In the page: findServer with gapkit.js; what happened, as plain data.
async function findServer(page, matchmakerUrl, { holdMs = 0 } = {}) {
  const args = { matchmakerUrl, game: process.env.GAME ?? "spaceships", version: process.env.GAME_VERSION ?? "1", holdMs };
  return page.evaluate(async ({ matchmakerUrl, game, version, holdMs }) => {
    const { GameClient } = await import("/gapkit/gapkit.js");
    const client = new GameClient({ matchmakerUrl, protocolId: 80085, connectTimeoutSeconds: 15 });
    const seen = { states: [], progress: [], payloads: 0, payloadBytes: 0 };
    client.onprogress = (text) => seen.progress.push(text);
    client.onstatechange = ({ state, text }) => seen.states.push(`${state}: ${text}`);
    client.onpayload = (bytes) => { seen.payloads += 1; seen.payloadBytes += bytes.length; };
    const started = performance.now();
    try {
      await client.findServer(game, version);
    } catch (error) {
      return { ...seen, error: { name: error.name, code: error.code, message: error.message, status: error.status } };
    }
    const connected = { clientIndex: client.clientIndex, maxDatagramSize: client.maxDatagramSize,
      findServerMs: Math.round(performance.now() - started) };
    await new Promise((resolve) => setTimeout(resolve, holdMs));
    const stateBeforeDisconnect = client.state;
    client.disconnect();
    return { ...seen, ...connected, stateBeforeDisconnect, finalState: client.state };
  }, args);
}

test("findServer connects to the spaceships server over WebTransport and gets its snapshots", { timeout: 2 * FIND_TIMEOUT_MS }, async () => {
  const page = await openPage();
  const result = await findServer(page, required("MATCHMAKER_URL"), { holdMs: 2000 });
  const story = JSON.stringify(result, null, 2);
  console.log(story);
  assert.equal(result.error, undefined, story);
  assert.deepEqual(result.states.map((line) => line.split(":")[0]), ["matchmaking", "connecting", "connected", "disconnected"], story);
  assert.ok(result.clientIndex >= 0, story);
  assert.ok(result.maxDatagramSize >= 1100, story);
  assert.equal(result.stateBeforeDisconnect, "connected", `the session did not last 2 s: ${story}`);
  assert.ok(result.payloads > 0, `no payload from the server in 2 s: ${story}`);
  assert.equal(result.finalState, "disconnected");
  await page.close();
});

test("a changed cert_digest fails as certificate_mismatch", { timeout: 2 * FIND_TIMEOUT_MS }, async () => {
  const page = await openPage();
  // Between the page and httpd: every SessionReady gets the digest of some other certificate.
  await page.routeWebSocket(/\/matchmaker\/ws$/, (ws) => {
    const server = ws.connectToServer();
    ws.onMessage((message) => server.send(message));
    server.onMessage((message) => {
      const reply = JSON.parse(message);
      if (reply?.SessionReady) reply.SessionReady.cert_digest = Array(32).fill("ab").join(":");
      ws.send(JSON.stringify(reply));
    });
  });
  const result = await findServer(page, required("MATCHMAKER_URL"));
  assert.equal(result.error?.code, "certificate_mismatch", JSON.stringify(result, null, 2));
  assert.equal(result.states.at(-1), `failed: ${result.error.message}`);
  await page.close();
});

test("a matchmaker that is not there fails as matchmaker_unreachable", { timeout: FIND_TIMEOUT_MS }, async () => {
  const page = await openPage();
  const result = await findServer(page, `ws://127.0.0.1:${await closedPort()}/matchmaker/ws`);
  assert.equal(result.error?.code, "matchmaker_unreachable", JSON.stringify(result, null, 2));
  await page.close();
});
