// spaceships in a browser tab (issue 14): headless Chromium opens /play/?autoplay=1 on the local
// stack, matchmakes and connects over WebTransport; then a native spaceships-bot (UDP) joins, and
// both must play on the same deployment, the page seeing two ships; a second game ends when the
// deployment is stopped, and the page must say so. run_play_test.sh starts the
// stack and runs this file with `node --test`; it passes in the environment:
//   GAPKIT_HTTPD_URL   httpd, e.g. http://127.0.0.1:3000/ (required)
//   MATCHMAKER_URL     the matchmaker WebSocket, for the bot (required)
//   GAPKIT_SIM_URL     edgegap-sim's API, to check where the sessions were placed (required)
//   GAPKIT_SIM_API_KEY edgegap-sim's API key (required)
//   GAPKIT_BIN_DIR     where spaceships-bot is (required)
//   GAPKIT_SCREENSHOT  where to save the tab as PNG, pass or fail (required)
//   GAPKIT_NETLOG      when set, Chromium writes its NetLog there; a failure prints why each
//                      WebTransport session failed (tests/browser/chromium.mjs)
//   CHROMIUM           the browser (/usr/bin/chromium)
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";

import { launchChromium, netLogFailures, required } from "./chromium.mjs";

const CONNECT_TIMEOUT_MS = 60_000;
const SECOND_SHIP_TIMEOUT_MS = 60_000;
const BOT_SECONDS = 10;
const TURN_MS = 600;
const STOP_TIMEOUT_MS = 20_000;
// The arena fills the viewport: (768 px - 3 rem of help line) * 16 / 9 = 1280 px.
const VIEWPORT = { width: 1280, height: 768 };

async function simCall(method, path) {
  const response = await fetch(`${required("GAPKIT_SIM_URL")}${path}`, {
    method, headers: { authorization: `token ${required("GAPKIT_SIM_API_KEY")}` },
  });
  assert.ok(response.status === 200 || response.status === 202, `edgegap-sim: ${method} ${path}: ${response.status}`);
  return response.json();
}

const simGet = (path) => simCall("GET", path);

// A native player: spaceships-bot through the matchmaker, its output kept for failure messages.
function startBot() {
  const bot = { output: "" };
  const args = ["--matchmaker", required("MATCHMAKER_URL"), "--seconds", String(BOT_SECONDS)];
  const child = spawn(`${required("GAPKIT_BIN_DIR")}/spaceships-bot`, args, { stdio: ["ignore", "pipe", "pipe"] });
  child.stdout.on("data", (data) => { bot.output += data; });
  child.stderr.on("data", (data) => { bot.output += data; });
  bot.exited = new Promise((resolve) => child.on("close", (code, signal) => resolve({ code, signal })));
  bot.child = child;
  return bot;
}

// What the page shows about itself (play.js: window.spaceships).
function pageStats(page) {
  return page.evaluate(() => ({ ...window.spaceships, state: document.body.dataset.gapkitState }));
}

// Polls the page until `done(stats)`; fails at once when the page reaches `error`.
async function waitForPage(page, done, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const stats = await pageStats(page);
    if (done(stats)) return stats;
    assert.notEqual(stats.state, "error", `the page failed before ${what}: ${stats.message}`);
    assert.ok(Date.now() < deadline, `no ${what} within ${timeoutMs} ms; the page: ${JSON.stringify(stats)}`);
    await sleep(100);
  }
}

function angleBetween(a, b) {
  const turn = Math.abs(a - b) % (2 * Math.PI);
  return Math.min(turn, 2 * Math.PI - turn);
}

test("A browser tab and a native bot play spaceships on one deployment", { timeout: 180_000 }, async () => {
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: VIEWPORT });
  const pageErrors = [];
  const consoleLines = [];
  page.on("pageerror", (error) => pageErrors.push(error.message));
  page.on("console", (message) => consoleLines.push(`${message.type()}: ${message.text()}`));
  let bot = null;
  let failed = false;
  let screenshot = null;
  const takeScreenshot = () => (screenshot ??= page
    .screenshot({ path: required("GAPKIT_SCREENSHOT") })
    .catch((error) => console.error(`screenshot failed: ${error.message}`)));
  try {
    const response = await page.goto(new URL("play/?autoplay=1", required("GAPKIT_HTTPD_URL")).href);
    assert.equal(response.status(), 200, "GET /play/ (is the web root assembled?)");
    const connected = await waitForPage(page, (s) => s.state === "connected" && s.snapshots > 0, CONNECT_TIMEOUT_MS,
      "connected with a snapshot");
    assert.equal(connected.ships, 1, "the tab is alone on a new deployment");
    assert.ok(connected.maxDatagramSize > 0, "the tab plays over a WebTransport session (its datagram size)");

    // The keyboard reaches the server: holding Left turns the page's own ship (3.5 rad/s), checked
    // while the tab is alone, so no bullet of the bot's can stop the ship.
    const before = (await pageStats(page)).myShip;
    await page.keyboard.down("ArrowLeft");
    await sleep(TURN_MS);
    await page.keyboard.up("ArrowLeft");
    await sleep(300);  // the last turning snapshots arrive
    const after = (await pageStats(page)).myShip;
    assert.ok(angleBetween(before.angleRadians, after.angleRadians) > 0.8,
      `the ship did not turn: ${JSON.stringify(before)} -> ${JSON.stringify(after)}`);

    bot = startBot();
    const together = await waitForPage(page, (s) => s.ships === 2, SECOND_SHIP_TIMEOUT_MS, "the bot's ship");
    assert.notEqual(together.myIndex, null);

    const sessions = await simGet("/v1/sessions");
    assert.equal(sessions.data.length, 2, `two sessions: ${JSON.stringify(sessions.data)}`);
    assert.ok(sessions.data[0].deployment_request_id, "the session has a deployment");
    assert.equal(sessions.data[0].deployment_request_id, sessions.data[1].deployment_request_id, "one deployment");
    const deployments = await simGet("/v1/deployments");
    assert.equal(deployments.data.length, 1, `one deployment: ${JSON.stringify(deployments.data)}`);

    await sleep(1000);  // the bot closes in and fires: a livelier screenshot
    const stats = await pageStats(page);
    assert.equal(stats.state, "connected");
    assert.equal(stats.malformed, 0, "every snapshot decoded");
    await takeScreenshot();
    await page.keyboard.press("Escape");
    await waitForPage(page, (s) => s.state === "idle", 5_000, "idle after Esc");

    const exit = await bot.exited;
    assert.deepEqual(exit, { code: 0, signal: null }, `spaceships-bot failed:\n${bot.output}`);
    assert.match(bot.output, /bot 1: ok /);

    // Enter plays again; a server that goes away sends the tab back to the title with the reason.
    await page.keyboard.press("Enter");
    await waitForPage(page, (s) => s.state === "connected" && s.snapshots > 0, CONNECT_TIMEOUT_MS, "a second game");
    for (const deployment of (await simGet("/v1/deployments")).data) {
      await simCall("DELETE", `/v1/stop/${deployment.request_id}`);
    }
    const ended = await waitForPage(page, (s) => s.state !== "connected", STOP_TIMEOUT_MS, "the end of the game");
    assert.equal(ended.state, "error");
    assert.match(ended.message, /server/i, "the page says why the game ended");
    assert.deepEqual(pageErrors, [], "the page threw");
  } catch (error) {
    failed = true;
    console.error(`the page's console:\n${consoleLines.join("\n")}`);
    if (bot) console.error(`spaceships-bot so far:\n${bot.output}`);
    throw error;
  } finally {
    bot?.child.kill();
    await takeScreenshot();  // on failure: the tab as it was when the test gave up
    await browser.close();
    // Complete only once Chromium has exited.
    if (failed && netLogFailures().length) console.error(`Chromium's NetLog:\n${netLogFailures().join("\n")}`);
  }
});
