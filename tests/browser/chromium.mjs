// What the WebTransport tests of this folder share: Debian's headless Chromium launched one way,
// and what its NetLog says about failed sessions. The environment, as the run_*_test.sh scripts
// pass it:
//   CHROMIUM       the browser (/usr/bin/chromium)
//   GAPKIT_NETLOG  when set, Chromium writes its NetLog there (capture mode Everything): the place
//                  to read why a handshake or a CONNECT failed
import { existsSync, readFileSync } from "node:fs";
import { chromium } from "playwright-core";

// Keep Chromium off the network (no name resolves; tests use IP literals) and away from anything
// a developer's own profile holds. QUIC stays on: WebTransport runs on it.
const CHROMIUM_ARGS = [
  "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
  "--disable-component-update", "--disable-sync", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
];

// The value of the environment variable `name`; throws when it is not set.
export function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set; run this test through its tests/browser/run_*_test.sh`);
  return value;
}

// Debian's headless Chromium with the arguments above, and the NetLog switches when GAPKIT_NETLOG is set.
export function launchChromium() {
  const netlog = process.env.GAPKIT_NETLOG;
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: netlog ? [...CHROMIUM_ARGS, `--log-net-log=${netlog}`, "--net-log-capture-mode=Everything"] : CHROMIUM_ARGS,
  });
}

// Why each WebTransport session in the NetLog failed or closed, one line each: the QUIC and
// WebTransport errors Chromium keeps from the page ("Opening handshake failed." is all a page
// learns). Empty without a NetLog; complete only once Chromium has exited.
export function netLogFailures() {
  const file = process.env.GAPKIT_NETLOG;
  if (!file || !existsSync(file)) return [];
  const netlog = JSON.parse(readFileSync(file, "utf8"));
  const names = Object.fromEntries(Object.entries(netlog.constants.logEventTypes).map(([name, id]) => [id, name]));
  const wanted = new Set(["QUIC_SESSION_WEBTRANSPORT_CLIENT_STATE_CHANGED", "QUIC_SESSION_CLOSED"]);
  return netlog.events
    .filter((event) => wanted.has(names[event.type]) && (event.params?.error || event.params?.quic_error !== undefined))
    .map((event) => `${names[event.type]} ${JSON.stringify(event.params)}`);
}
