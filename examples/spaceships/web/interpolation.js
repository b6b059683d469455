// What to draw between snapshots: the page renders the world a little in the past, between the two
// snapshots around that moment, so 30 Hz snapshots look smooth at the display's rate. The same rules
// as the SDL client (examples/spaceships/client/src/interpolation.hpp; docs/spaceships-client.md
// "How the ships move smoothly"). Pure logic: no DOM, no clock.

import { ARENA_HEIGHT, ARENA_WIDTH, TICK_RATE_HZ } from "./messages.js";

/** How far behind the newest snapshot the page renders (seconds): three ticks. */
export const INTERPOLATION_DELAY_SECONDS = 0.1;
/** A ship moving farther than this per tick (world units, after wrap-around) jumped: not slid. */
export const MAX_SHIP_STEP_PER_TICK = 60;
/** Bullets farther apart than this per tick are not the same bullet. */
export const MAX_BULLET_STEP_PER_TICK = 60;

function tickSeconds(tick) {
  return tick / TICK_RATE_HZ;
}

// The signed step from `from` to `to` along one wrapping axis of length `size`, the short way.
function wrappedDelta(from, to, size) {
  let delta = to - from;
  if (delta > size / 2) delta -= size;
  if (delta < -size / 2) delta += size;
  return delta;
}

function wrapInto(value, size) {
  let wrapped = value % size;
  if (wrapped < 0) wrapped += size;
  return wrapped >= size ? 0 : wrapped;
}

function wrappedDistance(x0, y0, x1, y1) {
  return Math.hypot(wrappedDelta(x0, x1, ARENA_WIDTH), wrappedDelta(y0, y1, ARENA_HEIGHT));
}

function lerpPosition(a, b, alpha) {
  return {
    x: wrapInto(a.x + wrappedDelta(a.x, b.x, ARENA_WIDTH) * alpha, ARENA_WIDTH),
    y: wrapInto(a.y + wrappedDelta(a.y, b.y, ARENA_HEIGHT) * alpha, ARENA_HEIGHT),
  };
}

function lerpAngle(from, to, alpha) {
  return from + wrappedDelta(from, to, 2 * Math.PI) * alpha;
}

function maxStep(older, newer, perTick) {
  return perTick * Math.max(1, newer.tick - older.tick);
}

function blendShip(a, b, alpha, step) {
  const ship = { ...(alpha < 0.5 ? a : b) };
  if (a.alive !== b.alive || wrappedDistance(a.x, a.y, b.x, b.y) > step) return ship;
  Object.assign(ship, lerpPosition(a, b, alpha));
  ship.angleRadians = lerpAngle(a.angleRadians, b.angleRadians, alpha);
  return ship;
}

function addShips(older, newer, alpha, frame) {
  const step = maxStep(older, newer, MAX_SHIP_STEP_PER_TICK);
  for (const b of newer.ships) {
    const a = older.ships.find((ship) => ship.id === b.id);
    if (a) frame.ships.push(blendShip(a, b, alpha, step));
    else if (alpha >= 0.5) frame.ships.push(b);
  }
  if (alpha >= 0.5) return;
  for (const a of older.ships) {
    if (!newer.ships.some((ship) => ship.id === a.id)) frame.ships.push(a);
  }
}

// Bullets carry no id: each newer bullet takes the nearest unused older bullet of the same owner
// within reach; the rest appear or vanish at the half-way point.
function addBullets(older, newer, alpha, frame) {
  const step = maxStep(older, newer, MAX_BULLET_STEP_PER_TICK);
  const used = new Array(older.bullets.length).fill(false);
  for (const b of newer.bullets) {
    let best = -1;
    let bestDistance = step;
    older.bullets.forEach((a, i) => {
      const distance = wrappedDistance(a.x, a.y, b.x, b.y);
      if (!used[i] && a.owner === b.owner && distance <= bestDistance) {
        best = i;
        bestDistance = distance;
      }
    });
    if (best < 0) {
      if (alpha >= 0.5) frame.bullets.push(b);
      continue;
    }
    used[best] = true;
    frame.bullets.push({ ...lerpPosition(older.bullets[best], b, alpha), owner: b.owner });
  }
  if (alpha >= 0.5) return;
  older.bullets.forEach((a, i) => {
    if (!used[i]) frame.bullets.push(a);
  });
}

/**
 * The frame {tick, yourId, ships, bullets} between two decoded snapshots at `alpha` in [0, 1]
 * (0 = older). Ships match by id, bullets by owner and nearest position; positions and angles move
 * the short way around; what only one snapshot has shows while that snapshot is the nearer one.
 */
export function interpolate(older, newer, alpha) {
  const clamped = Math.min(1, Math.max(0, alpha));
  const frame = { tick: newer.tick, yourId: newer.yourId, ships: [], bullets: [] };
  addShips(older, newer, clamped, frame);
  addBullets(older, newer, clamped, frame);
  return frame;
}

/**
 * The last few snapshots with the local time each arrived. Each snapshot sits on the server's
 * timeline (tick / 30 s); the offset to local time is the smallest `receive - tick time` seen (the
 * least delayed arrival), so arrival jitter does not make ships shake.
 */
export class SnapshotBuffer {
  /** Snapshots kept (about a quarter of a second). */
  static CAPACITY = 8;

  constructor() {
    this.entries = [];
  }

  /** Adds a snapshot received at `receiveSeconds`; a tick not newer than the newest is dropped (false). */
  push(snapshot, receiveSeconds) {
    const newest = this.entries.at(-1);
    if (newest && snapshot.tick <= newest.snapshot.tick) return false;
    this.entries.push({ snapshot, receiveSeconds });
    if (this.entries.length > SnapshotBuffer.CAPACITY) this.entries.shift();
    return true;
  }

  /** The frame at local time `renderSeconds` (never extrapolated), or null when empty. */
  sample(renderSeconds) {
    if (this.entries.length === 0) return null;
    const offset = Math.min(...this.entries.map((e) => e.receiveSeconds - tickSeconds(e.snapshot.tick)));
    const serverSeconds = renderSeconds - offset;
    const index = this.entries.findIndex((e) => tickSeconds(e.snapshot.tick) > serverSeconds);
    if (index === 0) return interpolate(this.entries[0].snapshot, this.entries[0].snapshot, 0);
    if (index < 0) return interpolate(this.newest, this.newest, 1);
    const older = this.entries[index - 1].snapshot;
    const newer = this.entries[index].snapshot;
    const olderSeconds = tickSeconds(older.tick);
    return interpolate(older, newer, (serverSeconds - olderSeconds) / (tickSeconds(newer.tick) - olderSeconds));
  }

  /** The newest snapshot, or undefined. */
  get newest() {
    return this.entries.at(-1)?.snapshot;
  }

  /** The newest snapshot's receive time; 0 when empty. */
  get newestReceiveSeconds() {
    return this.entries.at(-1)?.receiveSeconds ?? 0;
  }

  clear() {
    this.entries = [];
  }
}
