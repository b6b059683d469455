// messages.js against the C++ wire format: every vector of messages_vectors_test_support (the C++
// encoder's bytes, the C++ decoder's errors) must decode to the same values, encode to the same
// bytes and be refused with the same message. run_node_tests.sh passes the program in
// GAPKIT_SPACESHIPS_VECTORS; without it only the tests that need no C++ run.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { test } from "node:test";

import {
  decodeInput, decodeSnapshot, encodeInput, encodeSnapshot, formatFloat, MalformedMessageError, MAX_SNAPSHOT_BYTES,
} from "../messages.js";

const program = process.env.GAPKIT_SPACESHIPS_VECTORS;
const vectors = program ? JSON.parse(execFileSync(program, { encoding: "utf8" })) : null;
const needsVectors = { skip: vectors ? false : "GAPKIT_SPACESHIPS_VECTORS is not set (run_node_tests.sh sets it)" };

function bytes(hex) {
  return Uint8Array.from(hex.match(/../g) ?? [], (pair) => parseInt(pair, 16));
}

function hex(array) {
  return Array.from(array, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

// The C++ view of a ship or bullet, with each float as the float32 the JSON text stands for.
function expectedShip(ship) {
  return {
    id: ship.id, x: Math.fround(ship.x), y: Math.fround(ship.y), angleRadians: Math.fround(ship.angle_radians),
    score: ship.score, alive: ship.alive, thrusting: ship.thrusting,
  };
}

function expectedBullet(bullet) {
  return { x: Math.fround(bullet.x), y: Math.fround(bullet.y), owner: bullet.owner };
}

test("Inputs encode and decode as in C++, for all 16 combinations", needsVectors, () => {
  assert.equal(vectors.inputs.length, 16);
  for (const vector of vectors.inputs) {
    const input = {
      thrust: vector.thrust, turnLeft: vector.turn_left, turnRight: vector.turn_right, fire: vector.fire,
    };
    assert.equal(hex(encodeInput(input)), vector.hex);
    assert.deepEqual(decodeInput(bytes(vector.hex)), input);
  }
});

test("Malformed inputs are refused with the C++ decoder's message", needsVectors, () => {
  for (const vector of vectors.malformed_inputs) {
    assert.throws(() => decodeInput(bytes(vector.hex)), { name: "MalformedMessageError", message: vector.error },
      vector.name);
  }
});

test("Snapshots the C++ code encodes decode to the same values and encode back to the same bytes", needsVectors,
  () => {
    assert.ok(vectors.snapshots.length >= 5);
    for (const vector of vectors.snapshots) {
      const decoded = decodeSnapshot(bytes(vector.hex));
      assert.deepEqual(decoded, {
        tick: vector.tick, yourId: vector.your_id, ships: vector.ships.map(expectedShip),
        bullets: vector.bullets.map(expectedBullet),
      }, vector.name);
      assert.equal(hex(encodeSnapshot(decoded)), vector.hex, vector.name);
    }
  });

test("The vectors cover dead, thrusting and firing ships and a full snapshot", needsVectors, () => {
  const ships = vectors.snapshots.flatMap((vector) => vector.ships);
  assert.ok(ships.some((ship) => !ship.alive), "no dead ship");
  assert.ok(ships.some((ship) => ship.thrusting), "no thrusting ship");
  assert.ok(ships.some((ship) => ship.score > 0), "no score");
  assert.ok(vectors.snapshots.some((vector) => vector.ships.length === 6 && vector.bullets.length > 20), "no full one");
});

test("Malformed snapshots are refused with the C++ decoder's message", needsVectors, () => {
  assert.ok(vectors.malformed_snapshots.length >= 15);
  for (const vector of vectors.malformed_snapshots) {
    assert.throws(() => decodeSnapshot(bytes(vector.hex)), { name: "MalformedMessageError", message: vector.error },
      vector.name);
  }
});

test("A snapshot in a view of a larger buffer decodes from its own bytes", () => {
  const encoded = encodeSnapshot({
    tick: 9, yourId: 2, ships: [{ id: 2, x: 1, y: 2, angleRadians: 0.25, score: 4, alive: true, thrusting: false }],
    bullets: [],
  });
  const padded = new Uint8Array(encoded.length + 10);
  padded.set(encoded, 5);
  assert.deepEqual(decodeSnapshot(padded.subarray(5, 5 + encoded.length)), decodeSnapshot(encoded));
});

test("Encoding leaves out ships and bullets beyond the caps, so the result always decodes", () => {
  const ship = (id) => ({ id, x: 1, y: 1, angleRadians: 0, score: 0, alive: true, thrusting: false });
  const encoded = encodeSnapshot({
    tick: 1, yourId: 0, ships: [0, 1, 2, 3, 4, 5, 0].map(ship),
    bullets: Array.from({ length: 40 }, () => ({ x: 3, y: 4, owner: 1 })),
  });
  assert.equal(encoded.length, MAX_SNAPSHOT_BYTES);
  const decoded = decodeSnapshot(encoded);
  assert.equal(decoded.ships.length, 6);
  assert.equal(decoded.bullets.length, 36);
});

test("formatFloat prints floats as fmt does", () => {
  assert.equal(formatFloat(1280), "1280");
  assert.equal(formatFloat(-1), "-1");
  assert.equal(formatFloat(Math.fround(1280.5)), "1280.5");
  assert.equal(formatFloat(Math.fround(0.1)), "0.1");
  assert.equal(formatFloat(NaN), "nan");
  assert.equal(formatFloat(-Infinity), "-inf");
  assert.ok(new MalformedMessageError("input", "x") instanceof Error);
});
