// The spaceships wire format in JavaScript, byte for byte the C++ one
// (examples/spaceships/game/include/spaceships/messages.hpp; the table is in docs/spaceships.md).
// Little-endian; the first byte is the message type. The decoders face the network: they check
// size, type, counts, ids, flags, NaN and ranges in the C++ decoder's order and throw a
// MalformedMessageError whose message is the C++ decoder's ("malformed snapshot: 7 ships, at most 6").
// Pure functions, no DOM: the page and node's tests (tests/messages.test.mjs) share them.

export const ARENA_WIDTH = 1280;
export const ARENA_HEIGHT = 720;
export const TICK_RATE_HZ = 30;
export const MAX_SHIPS = 6;
export const MAX_BULLETS = 36;
export const INPUT_TYPE = 0x01;
export const SNAPSHOT_TYPE = 0x02;
export const INPUT_BYTES = 2;
export const SNAPSHOT_HEADER_BYTES = 8;
export const SHIP_VIEW_BYTES = 16;
export const BULLET_VIEW_BYTES = 9;
export const MAX_SNAPSHOT_BYTES = SNAPSHOT_HEADER_BYTES + MAX_SHIPS * SHIP_VIEW_BYTES + MAX_BULLETS * BULLET_VIEW_BYTES;

const THRUST_BIT = 0x01;
const TURN_LEFT_BIT = 0x02;
const TURN_RIGHT_BIT = 0x04;
const FIRE_BIT = 0x08;
const ALIVE_BIT = 0x01;
const THRUSTING_BIT = 0x02;
// 2 * pi as the C++ float constant: doubling is exact, so this is fround(2 * pi).
const MAX_ABS_ANGLE = Math.fround(2 * Math.PI);

/** A message that is not a valid spaceships message; `message` names the first problem. */
export class MalformedMessageError extends Error {
  constructor(what, problem) {
    super(`malformed ${what}: ${problem}`);
    this.name = "MalformedMessageError";
  }
}

function hexByte(value) {
  return `0x${value.toString(16).padStart(2, "0")}`;
}

// A float32 as fmt's "{}" prints it (shortest text that reads back as the same float), so error
// messages equal the C++ ones.
export function formatFloat(value) {
  if (Number.isNaN(value)) return "nan";
  if (!Number.isFinite(value)) return value < 0 ? "-inf" : "inf";
  if (Number.isInteger(value) && Math.abs(value) < 1e16) return String(value);
  for (let digits = 1; digits < 9; ++digits) {
    const text = value.toPrecision(digits);
    if (Math.fround(Number(text)) === value) return String(Number(text));
  }
  return String(Number(value.toPrecision(9)));
}

/**
 * Encodes what the player holds down ({thrust, turnLeft, turnRight, fire}, booleans) into the
 * 2-byte input message.
 */
export function encodeInput(input) {
  let flags = 0;
  if (input.thrust) flags |= THRUST_BIT;
  if (input.turnLeft) flags |= TURN_LEFT_BIT;
  if (input.turnRight) flags |= TURN_RIGHT_BIT;
  if (input.fire) flags |= FIRE_BIT;
  return Uint8Array.of(INPUT_TYPE, flags);
}

/** Decodes an input message (what the server does); throws MalformedMessageError. */
export function decodeInput(bytes) {
  if (bytes.length !== INPUT_BYTES) {
    throw new MalformedMessageError("input", `${bytes.length} bytes, expected ${INPUT_BYTES}`);
  }
  if (bytes[0] !== INPUT_TYPE) {
    throw new MalformedMessageError("input", `type byte ${hexByte(bytes[0])}, expected ${hexByte(INPUT_TYPE)}`);
  }
  const flags = bytes[1];
  if (flags & ~(THRUST_BIT | TURN_LEFT_BIT | TURN_RIGHT_BIT | FIRE_BIT)) {
    throw new MalformedMessageError("input", `unknown flags ${hexByte(flags)}`);
  }
  return {
    thrust: (flags & THRUST_BIT) !== 0,
    turnLeft: (flags & TURN_LEFT_BIT) !== 0,
    turnRight: (flags & TURN_RIGHT_BIT) !== 0,
    fire: (flags & FIRE_BIT) !== 0,
  };
}

function malformedSnapshot(problem) {
  return new MalformedMessageError("snapshot", problem);
}

function checkCoordinate(name, value, limit) {
  if (!Number.isFinite(value) || value < 0 || value >= limit) {
    throw malformedSnapshot(`${name} ${formatFloat(value)} is outside [0, ${limit})`);
  }
}

function checkPosition(x, y) {
  checkCoordinate("x", x, ARENA_WIDTH);
  checkCoordinate("y", y, ARENA_HEIGHT);
}

function checkId(name, id) {
  if (id >= MAX_SHIPS) throw malformedSnapshot(`${name} ${id} is not below ${MAX_SHIPS}`);
}

function readShip(view, offset, seenIds) {
  const id = view.getUint8(offset);
  checkId("ship id", id);
  if (seenIds.has(id)) throw malformedSnapshot(`ship id ${id} appears twice`);
  seenIds.add(id);
  const x = view.getFloat32(offset + 1, true);
  const y = view.getFloat32(offset + 5, true);
  checkPosition(x, y);
  const angleRadians = view.getFloat32(offset + 9, true);
  if (!Number.isFinite(angleRadians) || Math.abs(angleRadians) > MAX_ABS_ANGLE) {
    throw malformedSnapshot(`angle ${formatFloat(angleRadians)} is outside [-2pi, 2pi]`);
  }
  const score = view.getUint16(offset + 13, true);
  const flags = view.getUint8(offset + 15);
  if (flags & ~(ALIVE_BIT | THRUSTING_BIT)) throw malformedSnapshot(`unknown ship flags ${hexByte(flags)}`);
  return { id, x, y, angleRadians, score, alive: (flags & ALIVE_BIT) !== 0, thrusting: (flags & THRUSTING_BIT) !== 0 };
}

function readBullet(view, offset) {
  const x = view.getFloat32(offset, true);
  const y = view.getFloat32(offset + 4, true);
  checkPosition(x, y);
  const owner = view.getUint8(offset + 8);
  checkId("bullet owner", owner);
  return { x, y, owner };
}

/**
 * Decodes a snapshot (Uint8Array) into {tick, yourId, ships: [{id, x, y, angleRadians, score,
 * alive, thrusting}], bullets: [{x, y, owner}]}; throws MalformedMessageError.
 */
export function decodeSnapshot(bytes) {
  if (bytes.length < SNAPSHOT_HEADER_BYTES) {
    throw malformedSnapshot(`${bytes.length} bytes, shorter than the ${SNAPSHOT_HEADER_BYTES}-byte header`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const type = view.getUint8(0);
  if (type !== SNAPSHOT_TYPE) throw malformedSnapshot(`type byte ${hexByte(type)}, expected ${hexByte(SNAPSHOT_TYPE)}`);
  const tick = view.getUint32(1, true);
  const yourId = view.getUint8(5);
  checkId("your_id", yourId);
  const shipCount = view.getUint8(6);
  const bulletCount = view.getUint8(7);
  if (shipCount > MAX_SHIPS) throw malformedSnapshot(`${shipCount} ships, at most ${MAX_SHIPS}`);
  if (bulletCount > MAX_BULLETS) throw malformedSnapshot(`${bulletCount} bullets, at most ${MAX_BULLETS}`);
  const expected = SNAPSHOT_HEADER_BYTES + shipCount * SHIP_VIEW_BYTES + bulletCount * BULLET_VIEW_BYTES;
  if (bytes.length !== expected) {
    const why = bytes.length < expected ? "truncated" : "trailing bytes";
    throw malformedSnapshot(
      `${bytes.length} bytes for ${shipCount} ships and ${bulletCount} bullets, expected ${expected} (${why})`);
  }
  const seenIds = new Set();
  const ships = [];
  let offset = SNAPSHOT_HEADER_BYTES;
  for (let i = 0; i < shipCount; ++i, offset += SHIP_VIEW_BYTES) ships.push(readShip(view, offset, seenIds));
  const bullets = [];
  for (let i = 0; i < bulletCount; ++i, offset += BULLET_VIEW_BYTES) bullets.push(readBullet(view, offset));
  return { tick, yourId, ships, bullets };
}

/**
 * Encodes a snapshot as the server does (for tests and stand-ins; the page only decodes). Ships
 * and bullets beyond the caps are left out, as in C++.
 */
export function encodeSnapshot(snapshot) {
  const ships = snapshot.ships.slice(0, MAX_SHIPS);
  const bullets = snapshot.bullets.slice(0, MAX_BULLETS);
  const size = SNAPSHOT_HEADER_BYTES + ships.length * SHIP_VIEW_BYTES + bullets.length * BULLET_VIEW_BYTES;
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  view.setUint8(0, SNAPSHOT_TYPE);
  view.setUint32(1, snapshot.tick, true);
  view.setUint8(5, snapshot.yourId);
  view.setUint8(6, ships.length);
  view.setUint8(7, bullets.length);
  let offset = SNAPSHOT_HEADER_BYTES;
  for (const ship of ships) {
    view.setUint8(offset, ship.id);
    view.setFloat32(offset + 1, ship.x, true);
    view.setFloat32(offset + 5, ship.y, true);
    view.setFloat32(offset + 9, ship.angleRadians, true);
    view.setUint16(offset + 13, ship.score, true);
    view.setUint8(offset + 15, (ship.alive ? ALIVE_BIT : 0) | (ship.thrusting ? THRUSTING_BIT : 0));
    offset += SHIP_VIEW_BYTES;
  }
  for (const bullet of bullets) {
    view.setFloat32(offset, bullet.x, true);
    view.setFloat32(offset + 4, bullet.y, true);
    view.setUint8(offset + 8, bullet.owner);
    offset += BULLET_VIEW_BYTES;
  }
  return bytes;
}
