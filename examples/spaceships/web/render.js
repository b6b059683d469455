// Drawing the arena on a 2D canvas as the SDL client does (examples/spaceships/client/src/render.cpp):
// ships as triangles coloured by id, a flame when thrusting, your own ship ringed in white, a ghost
// outline while respawning, copies of a ship crossing an edge on the far side, bullets, scores and
// a status line. The canvas is the arena, whatever its size in pixels: drawing is in world units.

import { ARENA_HEIGHT, ARENA_WIDTH } from "./messages.js";

const ARENA_COLOUR = "rgb(18, 22, 40)";
const FLAME = "rgb(255, 160, 40)";
const DIM_TEXT = "rgb(140, 150, 175)";
const GHOST_ALPHA = 120 / 255;
const PALETTE = [[235, 80, 80], [90, 200, 110], [90, 150, 255], [240, 210, 70], [210, 100, 230], [70, 215, 220]];
// Ship outline in world units, nose first, pointing along +x (about the collision radius across).
const SHIP_SHAPE = [[18, 0], [-13, 12], [-13, -12]];
const OWN_RING_SHAPE = [[26, 0], [-18, 17], [-18, -17]];
const FLAME_SHAPE = [[-14, 6], [-14, -6], [-30, 0]];
const BULLET_SIZE = 5;
// Farther than any point of a ship and its flame from its centre.
const WRAP_REACH = 32;
const FONT = "16px system-ui, sans-serif";

/** The CSS colour of ship `id`, optionally with an alpha in [0, 1]. */
export function shipColour(id, alpha = 1) {
  const [r, g, b] = PALETTE[id % PALETTE.length];
  return `rgba(${r}, ${g}, ${b}, ${alpha})`;
}

function bulletColour(owner) {
  const [r, g, b] = PALETTE[owner % PALETTE.length].map((c) => Math.floor((c + 255) / 2));
  return `rgb(${r}, ${g}, ${b})`;
}

// Screen y grows downwards, so counter-clockwise angles turn the shape with -sin.
function tracePath(context, shape, ship) {
  const c = Math.cos(ship.angleRadians);
  const s = Math.sin(ship.angleRadians);
  context.beginPath();
  for (const [px, py] of shape) context.lineTo(ship.x + px * c + py * s, ship.y - px * s + py * c);
  context.closePath();
}

function drawShip(context, ship, own, tick) {
  if (ship.alive) {
    if (ship.thrusting && tick % 4 !== 0) {
      tracePath(context, FLAME_SHAPE, ship);
      context.fillStyle = FLAME;
      context.fill();
    }
    tracePath(context, SHIP_SHAPE, ship);
    context.fillStyle = shipColour(ship.id);
    context.fill();
  } else {
    tracePath(context, SHIP_SHAPE, ship);
    context.strokeStyle = shipColour(ship.id, GHOST_ALPHA);
    context.stroke();
  }
  if (own) {
    tracePath(context, OWN_RING_SHAPE, ship);
    context.strokeStyle = `rgba(255, 255, 255, ${ship.alive ? 1 : GHOST_ALPHA})`;
    context.stroke();
  }
}

// A ship near an edge is also drawn where it re-enters on the far side (the canvas clips the rest).
function drawShipWrapped(context, ship, own, tick) {
  const dx = ship.x < WRAP_REACH ? ARENA_WIDTH : ship.x > ARENA_WIDTH - WRAP_REACH ? -ARENA_WIDTH : 0;
  const dy = ship.y < WRAP_REACH ? ARENA_HEIGHT : ship.y > ARENA_HEIGHT - WRAP_REACH ? -ARENA_HEIGHT : 0;
  const shifts = [[0, 0]];
  if (dx) shifts.push([dx, 0]);
  if (dy) shifts.push([0, dy]);
  if (dx && dy) shifts.push([dx, dy]);
  for (const [sx, sy] of shifts) drawShip(context, { ...ship, x: ship.x + sx, y: ship.y + sy }, own, tick);
}

function drawBullets(context, bullets) {
  for (const bullet of bullets) {
    context.fillStyle = bulletColour(bullet.owner);
    context.fillRect(bullet.x - BULLET_SIZE / 2, bullet.y - BULLET_SIZE / 2, BULLET_SIZE, BULLET_SIZE);
  }
}

function drawScores(context, frame) {
  const ships = [...frame.ships].sort((a, b) => a.id - b.id);
  context.font = FONT;
  context.textBaseline = "top";
  ships.forEach((ship, row) => {
    context.fillStyle = shipColour(ship.id);
    const you = ship.id === frame.yourId ? "  (you)" : "";
    context.fillText(`Player ${ship.id + 1}: ${ship.score}${you}`, 12, 8 + row * 20);
  });
}

function drawStatus(context, frame, status) {
  context.font = FONT;
  context.textBaseline = "bottom";
  context.fillStyle = DIM_TEXT;
  const age = Math.round(status.snapshotAgeSeconds * 1000);
  context.fillText(`${status.transport}   tick ${frame.tick}   last snapshot ${age} ms ago   ` +
    "arrows/WASD, Space fires, Esc leaves", 12, ARENA_HEIGHT - 8);
}

/**
 * Draws `frame` (interpolation.js) on `context`, the 2D context of a canvas with the arena's
 * shape; `status` is {transport: text, snapshotAgeSeconds}.
 */
export function drawArena(context, frame, status) {
  clearArena(context);
  context.lineWidth = 1.5;
  drawBullets(context, frame.bullets);
  for (const ship of frame.ships) drawShipWrapped(context, ship, ship.id === frame.yourId, frame.tick);
  drawScores(context, frame);
  drawStatus(context, frame, status);
}

/** Clears the arena (before the first snapshot and between games) and sets world units. */
export function clearArena(context) {
  context.setTransform(context.canvas.width / ARENA_WIDTH, 0, 0, context.canvas.height / ARENA_HEIGHT, 0, 0);
  context.fillStyle = ARENA_COLOUR;
  context.fillRect(0, 0, ARENA_WIDTH, ARENA_HEIGHT);
}
