// httpd's test page (`/`) driven by Debian's headless Chromium: a person fills in the form,
// clicks "Find a server" and must see SessionReady. run_page_test.sh starts the local stack and
// runs this file with `node --test`; it passes everything in the environment:
//   GAPKIT_HTTPD_URL   the page, e.g. http://127.0.0.1:3000/ (required)
//   GAPKIT_SIM_URL     edgegap-sim's API, to check where the session was placed (required)
//   GAPKIT_SIM_API_KEY edgegap-sim's API key (required)
//   GAPKIT_SCREENSHOT  where to save the page as PNG, pass or fail (required)
//   GAME, GAME_VERSION the app the stack serves (spaceships, 1)
//   CHROMIUM           the browser (/usr/bin/chromium)
import assert from "node:assert/strict";
import { test } from "node:test";
import { chromium } from "playwright-core";

const CLIENT_IP = "81.128.157.123";
const MATCHMAKING_TIMEOUT_MS = 60_000;
// Keep Chromium off the network and away from anything a developer's own profile holds.
const CHROMIUM_ARGS = [
  "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
  "--disable-component-update", "--disable-sync",
];

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set; run this through tests/browser/run_page_test.sh`);
  return value;
}

async function findServer(page) {
  await page.goto(required("GAPKIT_HTTPD_URL"));
  await page.locator("#game").fill(process.env.GAME ?? "spaceships");
  await page.locator("#version").fill(process.env.GAME_VERSION ?? "1");
  await page.locator("#client-ip").fill(CLIENT_IP);
  await page.locator("#find-server").click();
  // The page marks #result with class "ready" or "error" when the final reply arrives.
  await page.locator("#result.ready, #result.error").waitFor({ timeout: MATCHMAKING_TIMEOUT_MS });
  return {
    result: await page.locator("#result").textContent(),
    log: await page.locator("#log li").allTextContents(),
  };
}

function lineIndex(log, prefix) {
  const index = log.findIndex((line) => line.startsWith(prefix));
  assert.notEqual(index, -1, `no "${prefix}" in the page's log:\n${log.join("\n")}`);
  return index;
}

async function sessionIps(sessionId) {
  const response = await fetch(`${required("GAPKIT_SIM_URL")}/v1/session/${sessionId}`, {
    headers: { authorization: `token ${required("GAPKIT_SIM_API_KEY")}` },
  });
  assert.equal(response.status, 200, `edgegap-sim does not know session ${sessionId}`);
  const session = await response.json();
  return session.session_ips.map((user) => user.ip);
}

test("Find a server shows SessionReady", { timeout: 2 * MATCHMAKING_TIMEOUT_MS }, async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: CHROMIUM_ARGS,
  });
  const page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
  const pageErrors = [];
  page.on("pageerror", (error) => pageErrors.push(error.message));
  try {
    const { result, log } = await findServer(page);
    assert.match(result, /^SessionReady: \d+\.\d+\.\d+\.\d+:\d+ \(token \d+ chars\)$/, `log:\n${log.join("\n")}`);
    // "Acknowledged" comes only when the matchmaker has not answered otherwise within 50 ms.
    const acknowledged = log.findIndex((line) => line.startsWith("Acknowledged"));
    const accepted = lineIndex(log, "SessionRequestAccepted: ");
    const ready = lineIndex(log, "SessionReady: ");
    assert.ok(acknowledged < accepted && accepted < ready, `out of order:\n${log.join("\n")}`);
    const sessionId = log[accepted].slice("SessionRequestAccepted: ".length);
    assert.deepEqual(await sessionIps(sessionId), [CLIENT_IP], "the Client IP field did not reach Edgegap");
    assert.deepEqual(pageErrors, [], "the page threw");
  } finally {
    // A failed screenshot must not hide why the test failed; the wrapper reports a missing file.
    await page
      .screenshot({ path: required("GAPKIT_SCREENSHOT"), fullPage: true })
      .catch((error) => console.error(`screenshot failed: ${error.message}`));
    await browser.close();
  }
});
