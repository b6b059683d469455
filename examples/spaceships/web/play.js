// spaceships in a browser tab: the Play button, the matchmaker's progress, then the arena, played
// over WebTransport with gapkit.js (served at /gapkit/gapkit.js, see docs/browser.md). The page's
// parts: messages.js (wire format), interpolation.js, input.js (keys), render.js (canvas).
//
// For tests and tools the page shows what it is doing (docs/spaceships.md, "In a browser tab"):
//   document.body.dataset.gapkitState  idle | matchmaking | connecting | connected | error
//   window.spaceships                  {state, message, ships, myIndex, myShip, tick, snapshots, malformed,
//                                       maxDatagramSize}
//   document.body.dataset.ships / .myIndex   the same two numbers as attributes
// and `?autoplay=1` presses Play once the page has loaded.

import { SnapshotBuffer, INTERPOLATION_DELAY_SECONDS } from "./interpolation.js";
import { InputSender, inputFromKeys, isGameKey } from "./input.js";
import { ARENA_HEIGHT, ARENA_WIDTH, decodeSnapshot } from "./messages.js";
import { clearArena, drawArena } from "./render.js";

const GAPKIT_URL = "/gapkit/gapkit.js";
const PROTOCOL_ID = 80085;  // spaceships::kDefaultProtocolId, the local stack's
const GAME = "spaceships";
const GAME_VERSION = "1";

const canvas = document.getElementById("arena");
const context = canvas.getContext("2d");
const overlay = document.getElementById("overlay");
const playButton = document.getElementById("play");
const heading = document.getElementById("heading");
const hint = document.getElementById("hint");
const messageLine = document.getElementById("message");

// A failed load shows on Play as an error, not as a page that never answers.
const gapkit = import(GAPKIT_URL).catch((error) => ({ loadError: error }));

const buffer = new SnapshotBuffer();
const sender = new InputSender();
const keysDown = new Set();
const stats = {
  state: "idle", message: "", ships: 0, myIndex: null, myShip: null, tick: null, snapshots: 0, malformed: 0,
  maxDatagramSize: 0,
};
window.spaceships = stats;
let client = null;  // the GameClient of the current game, null on the title screen
let loading = false;  // Play was pressed and gapkit.js is still loading
let frameRequest = 0;

// One canvas pixel per device pixel, so the arena is sharp at any window size and pixel ratio.
function fitCanvas() {
  const width = Math.round(canvas.clientWidth * (window.devicePixelRatio || 1));
  if (width <= 0 || width === canvas.width) return;
  canvas.width = width;
  canvas.height = Math.round((width * ARENA_HEIGHT) / ARENA_WIDTH);
  clearArena(context);  // resizing blanked it; a game redraws on its next frame
}

function nowSeconds() {
  return performance.now() / 1000;
}

function matchmakerUrl() {
  return `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}/matchmaker/ws`;
}

function setState(state, message = "") {
  stats.state = state;
  stats.message = message;
  document.body.dataset.gapkitState = state;
  const onTitle = state === "idle" || state === "error";
  overlay.hidden = state === "connected";
  playButton.hidden = !onTitle;
  heading.textContent = onTitle ? "SPACESHIPS" : "Finding a game";
  hint.textContent = onTitle ? "Enter or click to play" : "Esc cancels";
  messageLine.textContent = message;
  messageLine.className = state === "error" ? "error" : "";
}

function showProgress(text) {
  if (stats.state === "matchmaking" || stats.state === "connecting") messageLine.textContent = text;
}

function countShips(snapshot) {
  stats.ships = snapshot.ships.length;
  stats.myIndex = snapshot.yourId;
  stats.myShip = snapshot.ships.find((ship) => ship.id === snapshot.yourId) ?? null;
  stats.tick = snapshot.tick;
  document.body.dataset.ships = String(stats.ships);
  document.body.dataset.myIndex = String(stats.myIndex);
}

function receive(bytes) {
  let snapshot;
  try {
    snapshot = decodeSnapshot(bytes);
  } catch (error) {
    // A bad snapshot is dropped, never fatal, as in the C++ client; the first one is logged.
    if (stats.malformed++ === 0) console.warn(`spaceships: ${error.message}`);
    return;
  }
  stats.snapshots++;
  if (buffer.push(snapshot, nowSeconds())) countShips(snapshot);
}

function frame() {
  frameRequest = requestAnimationFrame(frame);
  const now = nowSeconds();
  const input = sender.next(inputFromKeys(keysDown), now);
  if (input) {
    try {
      client.send(input);
    } catch (error) {
      console.warn(`spaceships: input not sent: ${error.message}`);
    }
  }
  const sampled = buffer.sample(now - INTERPOLATION_DELAY_SECONDS);
  if (sampled) {
    drawArena(context, sampled, { transport: "WebTransport", snapshotAgeSeconds: now - buffer.newestReceiveSeconds });
  }
}

function startPlaying() {
  Object.assign(stats, { ships: 0, myIndex: null, myShip: null, tick: null, snapshots: 0, malformed: 0 });
  delete document.body.dataset.ships;
  delete document.body.dataset.myIndex;
  buffer.clear();
  sender.reset();
  clearArena(context);
  cancelAnimationFrame(frameRequest);
  frameRequest = requestAnimationFrame(frame);
}

// Back to the title: `message` says why (empty when the player left), `state` idle or error.
function endGame(state, message) {
  cancelAnimationFrame(frameRequest);
  const ending = client;
  client = null;
  setState(state, message);
  try {
    ending?.disconnect();
  } catch (error) {
    console.warn(`spaceships: disconnect: ${error.message}`);
  }
}

function connected(owner) {
  if (owner !== client || stats.state === "connected") return;
  setState("connected");
  startPlaying();
  stats.maxDatagramSize = owner.maxDatagramSize ?? 0;
}

function onStateChange(owner, { state, text }) {
  if (owner !== client) return;  // events of a game the player already left
  if (state === "matchmaking" || state === "connecting") setState(state, text ?? "");
  else if (state === "connected") connected(owner);
  else if (state === "failed" || state === "disconnected") endGame("error", text || "The game ended.");
}

async function play() {
  if (client || loading) return;
  setState("matchmaking", "Looking for a game...");
  loading = true;
  const module = await gapkit;
  loading = false;
  if (stats.state !== "matchmaking") return;  // Esc while loading
  if (module.loadError) {
    setState("error", `Cannot load the game client (${GAPKIT_URL}): ${module.loadError.message}`);
    return;
  }
  const game = new module.GameClient({ matchmakerUrl: matchmakerUrl(), protocolId: PROTOCOL_ID });
  client = game;
  game.onprogress = (text) => {
    if (game === client) showProgress(text);
  };
  game.onstatechange = (change) => onStateChange(game, change);
  game.onpayload = (bytes) => {
    if (game === client) receive(bytes);
  };
  try {
    await game.findServer(GAME, GAME_VERSION);
    connected(game);
  } catch (error) {
    if (game === client) endGame("error", error.message);
  }
}

function leave() {
  if (client) endGame("idle", "");
  else if (loading) setState("idle");
}

window.addEventListener("keydown", (event) => {
  if (event.code === "Escape") return leave();
  if (event.code === "Enter") return void play();
  if (!client || !isGameKey(event.code)) return;
  event.preventDefault();  // no scrolling on arrows and space while playing
  keysDown.add(event.code);
});
window.addEventListener("keyup", (event) => keysDown.delete(event.code));
// Keys released while the tab had no focus never send keyup: forget them all.
window.addEventListener("blur", () => keysDown.clear());
window.addEventListener("pagehide", leave);
playButton.addEventListener("click", () => void play());

new ResizeObserver(fitCanvas).observe(canvas);
clearArena(context);
setState("idle");
if (new URLSearchParams(location.search).get("autoplay") === "1") void play();
