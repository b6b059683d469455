// interpolation.js: the SDL client's rules (examples/spaceships/client/src/interpolation_test.cpp
// checks the same behaviours in C++): between and at the ends, wrap-around, jumps, appearing and
// vanishing ships and bullets, jitter, late snapshots, no extrapolation.
import assert from "node:assert/strict";
import { test } from "node:test";

import { interpolate, SnapshotBuffer } from "../interpolation.js";

function ship(id, x, y, angleRadians = 0, extra = {}) {
  return { id, x, y, angleRadians, score: 0, alive: true, thrusting: false, ...extra };
}

function snapshot(tick, ships, bullets = []) {
  return { tick, yourId: 0, ships, bullets };
}

function near(actual, expected, what) {
  assert.ok(Math.abs(actual - expected) < 1e-6, `${what}: ${actual}, expected ${expected}`);
}

test("A ship half way between two snapshots is half way along", () => {
  const frame = interpolate(snapshot(1, [ship(0, 100, 200, 0)]), snapshot(2, [ship(0, 110, 190, 0.2)]), 0.5);
  assert.equal(frame.tick, 2);
  near(frame.ships[0].x, 105, "x");
  near(frame.ships[0].y, 195, "y");
  near(frame.ships[0].angleRadians, 0.1, "angle");
});

test("A ship crossing the right edge moves the short way and wraps", () => {
  const frame = interpolate(snapshot(1, [ship(0, 1275, 10)]), snapshot(2, [ship(0, 5, 10)]), 0.25);
  near(frame.ships[0].x, 1277.5, "x");
  const after = interpolate(snapshot(1, [ship(0, 1275, 10)]), snapshot(2, [ship(0, 5, 10)]), 0.75);
  near(after.ships[0].x, 2.5, "x past the edge");
});

test("Angles turn the short way around the circle", () => {
  const frame = interpolate(snapshot(1, [ship(0, 1, 1, 3.1)]), snapshot(2, [ship(0, 1, 1, -3.1)]), 0.5);
  near(Math.abs(frame.ships[0].angleRadians), 3.1 + (2 * Math.PI - 6.2) / 2, "angle");
});

test("A ship that jumps (a respawn) is drawn at the nearer snapshot, not slid", () => {
  const older = snapshot(1, [ship(0, 100, 100)]);
  const newer = snapshot(2, [ship(0, 600, 400)]);
  assert.equal(interpolate(older, newer, 0.4).ships[0].x, 100);
  assert.equal(interpolate(older, newer, 0.6).ships[0].x, 600);
  const dying = snapshot(2, [ship(0, 101, 100, 0, { alive: false })]);
  assert.equal(interpolate(older, dying, 0.4).ships[0].alive, true);
  assert.equal(interpolate(older, dying, 0.6).ships[0].alive, false);
});

test("Ships in only one snapshot appear or vanish half way", () => {
  const older = snapshot(1, [ship(0, 1, 1), ship(1, 50, 50)]);
  const newer = snapshot(2, [ship(0, 2, 1), ship(2, 90, 90)]);
  assert.deepEqual(interpolate(older, newer, 0.4).ships.map((s) => s.id).sort(), [0, 1]);
  assert.deepEqual(interpolate(older, newer, 0.6).ships.map((s) => s.id).sort(), [0, 2]);
});

test("Bullets match the nearest bullet of the same owner", () => {
  const older = snapshot(1, [], [{ x: 100, y: 100, owner: 1 }, { x: 300, y: 100, owner: 1 }]);
  const newer = snapshot(2, [], [{ x: 320, y: 100, owner: 1 }, { x: 500, y: 500, owner: 2 }]);
  const early = interpolate(older, newer, 0.25);
  assert.equal(early.bullets.length, 2, "the matched one and the vanishing one");
  near(early.bullets[0].x, 305, "matched bullet x");
  const late = interpolate(older, newer, 0.75);
  assert.deepEqual(late.bullets.map((b) => b.owner).sort(), [1, 2]);
});

test("The buffer samples between snapshots on the server's timeline, despite jitter", () => {
  const buffer = new SnapshotBuffer();
  assert.equal(buffer.sample(0), null);
  // Ticks 30 and 31 (1 s and 1.033 s of server time) arrive 10 and 25 ms late.
  buffer.push(snapshot(30, [ship(0, 100, 0)]), 5.010);
  buffer.push(snapshot(31, [ship(0, 110, 0)]), 5.025 + 1 / 30);
  // The least delayed arrival fixes the offset (4.010 s): tick 30.5 is local 4.010 + 30.5 / 30.
  near(buffer.sample(4.010 + 30.5 / 30).ships[0].x, 105, "x half way");
  assert.equal(buffer.sample(0).ships[0].x, 100, "before the oldest: the oldest");
  assert.equal(buffer.sample(100).ships[0].x, 110, "past the newest: held, not extrapolated");
});

test("Late and duplicated snapshots are dropped and the buffer keeps eight", () => {
  const buffer = new SnapshotBuffer();
  assert.equal(buffer.push(snapshot(5, []), 1), true);
  assert.equal(buffer.push(snapshot(5, []), 1.1), false);
  assert.equal(buffer.push(snapshot(4, []), 1.2), false);
  for (let tick = 6; tick < 20; ++tick) buffer.push(snapshot(tick, []), tick);
  assert.equal(buffer.entries.length, SnapshotBuffer.CAPACITY);
  assert.equal(buffer.newest.tick, 19);
  assert.equal(buffer.newestReceiveSeconds, 19);
  buffer.clear();
  assert.equal(buffer.newest, undefined);
});
