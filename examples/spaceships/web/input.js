// Keyboard to the game's input, and when to send it: the SDL client's keys and pacing
// (examples/spaceships/client/src/input.hpp). Left/A and Right/D turn, Up/W thrusts, Space fires.
// Keys are KeyboardEvent.code values, so WASD stays where it is on any keyboard layout.

import { encodeInput } from "./messages.js";

/** The longest time between two input messages (seconds), so a lost datagram is repaired quickly. */
export const INPUT_RESEND_SECONDS = 0.1;

const KEYS = {
  thrust: ["ArrowUp", "KeyW"],
  turnLeft: ["ArrowLeft", "KeyA"],
  turnRight: ["ArrowRight", "KeyD"],
  fire: ["Space"],
};

/** True for the codes the game uses (the page keeps the browser from scrolling on them). */
export function isGameKey(code) {
  return Object.values(KEYS).some((codes) => codes.includes(code));
}

/** The input for the set of KeyboardEvent.code values held down now. */
export function inputFromKeys(down) {
  const any = (codes) => codes.some((code) => down.has(code));
  return {
    thrust: any(KEYS.thrust), turnLeft: any(KEYS.turnLeft), turnRight: any(KEYS.turnRight), fire: any(KEYS.fire),
  };
}

function sameInput(a, b) {
  return a.thrust === b.thrust && a.turnLeft === b.turnLeft && a.turnRight === b.turnRight && a.fire === b.fire;
}

/** Decides which frames send the input: when it changed, and at least every INPUT_RESEND_SECONDS. */
export class InputSender {
  constructor() {
    this.reset();
  }

  /** The encoded message to send now for `input` at `nowSeconds`, or null. */
  next(input, nowSeconds) {
    const due = !this.lastSent || !sameInput(this.lastSent, input) ||
      nowSeconds - this.lastSentSeconds >= INPUT_RESEND_SECONDS;
    if (!due) return null;
    this.lastSent = { ...input };
    this.lastSentSeconds = nowSeconds;
    return encodeInput(input);
  }

  /** Forgets the last input sent: the next call sends. */
  reset() {
    this.lastSent = null;
    this.lastSentSeconds = 0;
  }
}
