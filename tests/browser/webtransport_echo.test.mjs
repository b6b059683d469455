// gapkit's WebTransport endpoint against Debian's headless Chromium: the page opens a
// WebTransport session to gapkit_webtransport_echo_test_support, pinning its self-signed
// certificate by digest as gapkit.js will, and every datagram must come back byte for byte.
// run_webtransport_echo_test.sh runs this file with `node --test`; it passes in the environment
// GAPKIT_WEBTRANSPORT_ECHO, the echo program, and what chromium.mjs reads.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { createInterface } from "node:readline";
import { after, before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";

import { launchChromium, netLogFailures, required } from "./chromium.mjs";

const PATH = "/netcode";
const START_TIMEOUT_MS = 10_000;
const LINE_TIMEOUT_MS = 5_000;
const ECHO_TIMEOUT_MS = 2_000;
const DATAGRAMS = 200;
const MAX_DATAGRAM_BYTES = 1100;

// The echo program and the lines it prints (webtransport_echo_test_support.cpp lists them).
class EchoProgram {
  constructor(binary) {
    this.lines = [];
    this.exit = null;
    this.child = spawn(binary, [], { stdio: ["pipe", "pipe", "pipe"] });
    createInterface({ input: this.child.stdout }).on("line", (line) => this.lines.push(line));
    createInterface({ input: this.child.stderr }).on("line", (line) => console.error(`[echo] ${line}`));
    this.exited = new Promise((resolve) => {
      // "close", not "exit": it comes once the last line of stdout has been read.
      this.child.on("close", (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      });
      this.child.on("error", (error) => {
        this.exit = { error: error.message };
        resolve(this.exit);
      });
    });
  }

  // The match of the first line at index `from` or later that matches `pattern` (`.input` is the line).
  async waitFor(pattern, timeoutMs, from = 0) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (const line of this.lines.slice(from)) {
        const match = line.match(pattern);
        if (match) return match;
      }
      if (this.exit) {
        throw new Error(`the echo program exited (${JSON.stringify(this.exit)}) before ${pattern}:\n${this.output()}`);
      }
      if (Date.now() > deadline) {
        throw new Error(`no ${pattern} from the echo program in ${timeoutMs} ms:\n${this.output()}`);
      }
      await sleep(20);
    }
  }

  // Writes one command line to the program's stdin.
  command(line) {
    this.child.stdin.write(`${line}\n`);
  }

  linesSince(from, pattern) {
    return this.lines.slice(from).filter((line) => pattern.test(line));
  }

  output() {
    return this.lines.join("\n");
  }

  async stop() {
    if (!this.exit) this.child.kill("SIGTERM");
    return this.exited;
  }
}

// A blank page from 127.0.0.1: a secure context, as WebTransport requires.
function startPageServer() {
  const server = createServer((request, response) => {
    response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    response.end('<!doctype html><meta charset="utf-8"><title>gapkit WebTransport echo</title>');
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

// "ab:cd:..." as the program prints it, to the bytes serverCertificateHashes takes.
function digestBytes(digest) {
  return digest.split(":").map((pair) => parseInt(pair, 16));
}

// Sizes 1..MAX_DATAGRAM_BYTES in a scattered order, both ends included.
function datagramSizes() {
  // 557 is prime to 1100, so the first 200 steps visit 200 different sizes.
  const size = (i) => (i === DATAGRAMS - 1 ? MAX_DATAGRAM_BYTES : 1 + ((i * 557) % MAX_DATAGRAM_BYTES));
  return Array.from({ length: DATAGRAMS }, (_, i) => size(i));
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function percentile(sorted, fraction) {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))];
}

// In the page: opens window.transport; returns maxDatagramSize once ready, or the error.
async function openTransport({ url, hash }) {
  if (!window.isSecureContext || typeof WebTransport !== "function") {
    return { error: `no WebTransport here (secure context: ${window.isSecureContext})` };
  }
  try {
    const serverCertificateHashes = [{ algorithm: "sha-256", value: new Uint8Array(hash) }];
    window.transport = new WebTransport(url, { serverCertificateHashes });
    window.transport.closed.catch(() => {});  // `ready` reports the failure; keep `closed` quiet.
    await window.transport.ready;
    return { maxDatagramSize: window.transport.datagrams.maxDatagramSize };
  } catch (error) {
    return { error: `${error.name}: ${error.message}`, source: error.source ?? null };
  }
}

// In the page: sends one datagram of each size, the next only once the previous one is back, so
// that Chromium's datagram queue never drops one. Each starts with its sequence number (2 bytes,
// little-endian, as many as fit) and is filled with a pattern of it.
async function echoDatagrams({ sizes, timeoutMs }) {
  const datagram = (sequence, size) => {
    const bytes = new Uint8Array(size);
    for (let i = 0; i < size; ++i) bytes[i] = (sequence * 7 + i * 13) & 0xff;
    bytes[0] = sequence & 0xff;
    if (size > 1) bytes[1] = sequence >> 8;
    return bytes;
  };
  const same = (a, b) => a.length === b.length && a.every((byte, i) => byte === b[i]);
  const writer = window.transport.datagrams.writable.getWriter();
  const reader = window.transport.datagrams.readable.getReader();
  const result = { roundTripsMs: [], lost: [], strays: [] };
  let next = reader.read();
  for (let sequence = 0; sequence < sizes.length; ++sequence) {
    const sent = datagram(sequence, sizes[sequence]);
    const start = performance.now();
    await writer.write(sent);
    for (;;) {
      let timer;
      const timeout = new Promise((resolve) => { timer = setTimeout(() => resolve(null), timeoutMs); });
      const read = await Promise.race([next, timeout]);
      clearTimeout(timer);
      if (read === null) {
        result.lost.push({ sequence, size: sent.length });
        break;
      }
      if (read.done) return { ...result, error: "the datagram stream ended" };
      next = reader.read();
      if (same(read.value, sent)) {
        result.roundTripsMs.push(performance.now() - start);
        break;
      }
      // A late echo of a lost one, or a corrupted one: note it and keep waiting for ours.
      result.strays.push({ expected: sequence, size: read.value.length, first: Array.from(read.value.slice(0, 2)) });
    }
  }
  writer.releaseLock();
  reader.releaseLock();
  return result;
}

// In the page: how window.transport's `closed` settles within `timeoutMs`.
async function awaitClosed({ timeoutMs }) {
  const timeout = new Promise((resolve) => setTimeout(() => resolve({ outcome: "timeout" }), timeoutMs));
  const closed = window.transport.closed.then(
    (info) => ({ outcome: "resolved", closeCode: info.closeCode, reason: info.reason }),
    (error) => ({ outcome: "rejected", error: `${error.name}: ${error.message}`, source: error.source ?? null }));
  return Promise.race([closed, timeout]);
}

// In the page: closes window.transport as a game would and waits until it is closed.
async function closeTransport() {
  window.transport.close({ closeCode: 0, reason: "test done" });
  const info = await window.transport.closed;
  return { closeCode: info.closeCode, reason: info.reason };
}

let echo;
let pageServer;
let browser;

before(async () => {
  echo = new EchoProgram(required("GAPKIT_WEBTRANSPORT_ECHO"));
  const ready = await echo.waitFor(/^ready port=(\d+) digest=([0-9a-f:]{95})$/, START_TIMEOUT_MS);
  echo.url = `https://127.0.0.1:${ready[1]}${PATH}`;
  echo.hash = digestBytes(ready[2]);
  pageServer = await startPageServer();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  pageServer?.close();
  if (echo) await echo.stop();
  // Chromium completes the NetLog's JSON when it exits.
  const failures = netLogFailures();
  if (failures.length > 0) {
    console.log(`Chromium's NetLog, sessions that failed or closed:\n  ${failures.join("\n  ")}`);
  }
});

async function newPage() {
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (error) => errors.push(error.message));
  await page.goto(`http://127.0.0.1:${pageServer.address().port}/`);
  return { page, errors };
}

// Opens a page with a ready transport and runs `use` with it and the session's address as the
// echo program printed it; closes the page afterwards.
async function withSession(use) {
  const from = echo.lines.length;
  const { page, errors } = await newPage();
  try {
    const opened = await page.evaluate(openTransport, { url: echo.url, hash: echo.hash });
    assert.equal(opened.error, undefined, `ready rejected; echo program:\n${echo.output()}`);
    const [, address] = await echo.waitFor(/^opened (\S+)/, LINE_TIMEOUT_MS, from);
    await use({ page, errors, opened, address, from });
  } finally {
    await page.close();
  }
}

// The echo program's "closed" line for `address`, printed at index `from` or later.
async function closedLine(address, from) {
  const match = await echo.waitFor(new RegExp(`^closed ${escapeRegExp(address)}( |$)`), LINE_TIMEOUT_MS, from);
  return match.input;
}

test("Chromium's datagrams come back byte for byte", { timeout: 60_000 }, async () => {
  await withSession(async ({ page, errors, opened }) => {
    console.log(`maxDatagramSize: ${opened.maxDatagramSize} bytes`);
    assert.ok(opened.maxDatagramSize >= MAX_DATAGRAM_BYTES, `Chromium allows only ${opened.maxDatagramSize} bytes`);
    const sizes = datagramSizes();
    const result = await page.evaluate(echoDatagrams, { sizes, timeoutMs: ECHO_TIMEOUT_MS });
    const sorted = [...result.roundTripsMs].sort((a, b) => a - b);
    if (sorted.length > 0) {
      console.log(`round trip over ${sorted.length} datagrams: median ${percentile(sorted, 0.5).toFixed(2)} ms, ` +
        `p99 ${percentile(sorted, 0.99).toFixed(2)} ms, max ${sorted.at(-1).toFixed(2)} ms`);
    }
    assert.equal(result.error, undefined);
    assert.deepEqual(result.lost, [], "datagrams without an echo");
    assert.deepEqual(result.strays, [], "echoes that matched no datagram");
    assert.equal(result.roundTripsMs.length, sizes.length);
    assert.deepEqual(errors, [], "the page threw");
  });
});

test("closing the transport ends the session on the server", { timeout: 30_000 }, async () => {
  await withSession(async ({ page, address, from }) => {
    const closed = await page.evaluate(closeTransport);
    console.log(`the page saw: closed ${JSON.stringify(closed)}`);
    console.log(`the echo program saw: ${await closedLine(address, from)}`);
  });
});

test("the server closing a session closes the page's transport", { timeout: 30_000 }, async () => {
  await withSession(async ({ page, address, from }) => {
    echo.command(`close ${address}`);
    const closed = await page.evaluate(awaitClosed, { timeoutMs: LINE_TIMEOUT_MS });
    console.log(`the page saw: ${JSON.stringify(closed)}`);
    // The endpoint ends a session with a CLOSE_WEBTRANSPORT_SESSION capsule, which resolves
    // `closed` with its code and reason (a bare CONNECTION_CLOSE would reject it: "Connection lost.").
    assert.equal(closed.outcome, "resolved", `the page's transport did not close cleanly: ${JSON.stringify(closed)}`);
    assert.equal(closed.reason, "closed by the server");
    console.log(`the echo program saw: ${await closedLine(address, from)}`);
  });
});

// A page whose transport must not become ready; returns the page's error text.
async function expectRefused(url, hash) {
  const from = echo.lines.length;
  const { page } = await newPage();
  try {
    const opened = await page.evaluate(openTransport, { url, hash });
    assert.notEqual(opened.error, undefined, `ready resolved for ${url}`);
    console.log(`the page saw: ${opened.error} (source ${opened.source})`);
    await sleep(200);  // room for a late "opened" line
    assert.deepEqual(echo.linesSince(from, /^opened /), [], "the echo program opened a session");
    return opened.error;
  } finally {
    await page.close();
  }
}

test("a wrong certificate digest is refused before any session", { timeout: 30_000 }, async () => {
  const wrong = [...echo.hash];
  wrong[0] ^= 0xff;
  await expectRefused(echo.url, wrong);
});

test("a wrong path is refused", { timeout: 30_000 }, async () => {
  await expectRefused(echo.url.replace(PATH, "/nope"), echo.hash);
});

test("the echo program stops cleanly and counted every session", { timeout: 30_000 }, async () => {
  const exit = await echo.stop();
  const { input: line } = await echo.waitFor(/^stats /, LINE_TIMEOUT_MS);
  console.log(`the echo program: ${line}`);
  assert.deepEqual(exit, { code: 0, signal: null });
  const stats = Object.fromEntries(line.split(" ").slice(1).map((pair) => pair.split("="))
    .map(([name, value]) => [name, Number(value)]));
  assert.equal(stats.sessions_opened, 3, "the echo test and the two close tests each open one session");
  assert.equal(stats.sessions_refused, 1, "the wrong path");
  assert.equal(stats.protocol_errors, 0);
});
