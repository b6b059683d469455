// input.js: the SDL client's keys and pacing (examples/spaceships/client/src/input_test.cpp).
import assert from "node:assert/strict";
import { test } from "node:test";

import { INPUT_RESEND_SECONDS, InputSender, inputFromKeys, isGameKey } from "../input.js";

test("Arrows and WASD turn and thrust, Space fires", () => {
  assert.deepEqual(inputFromKeys(new Set()), { thrust: false, turnLeft: false, turnRight: false, fire: false });
  assert.deepEqual(inputFromKeys(new Set(["ArrowUp", "ArrowLeft", "Space"])),
    { thrust: true, turnLeft: true, turnRight: false, fire: true });
  assert.deepEqual(inputFromKeys(new Set(["KeyW", "KeyD"])),
    { thrust: true, turnLeft: false, turnRight: true, fire: false });
  assert.deepEqual(inputFromKeys(new Set(["KeyA", "KeyQ"])),
    { thrust: false, turnLeft: true, turnRight: false, fire: false });
  assert.ok(isGameKey("ArrowRight") && isGameKey("Space") && !isGameKey("Escape") && !isGameKey("KeyQ"));
});

test("The input is sent when it changes and at least every 100 ms", () => {
  const sender = new InputSender();
  const idle = inputFromKeys(new Set());
  const thrust = inputFromKeys(new Set(["ArrowUp"]));
  // Times in binary fractions, so the arithmetic is exact.
  assert.deepEqual(sender.next(idle, 10), Uint8Array.of(0x01, 0x00), "the first frame sends");
  assert.equal(sender.next(idle, 10.0625), null, "unchanged within 100 ms");
  assert.deepEqual(sender.next(thrust, 10.125), Uint8Array.of(0x01, 0x01), "a change sends at once");
  assert.equal(sender.next(thrust, 10.125 + INPUT_RESEND_SECONDS / 2), null);
  assert.deepEqual(sender.next(thrust, 10.25), Uint8Array.of(0x01, 0x01), "resent after 125 ms");
  sender.reset();
  assert.notEqual(sender.next(thrust, 10.25), null, "a new game sends at once");
});
