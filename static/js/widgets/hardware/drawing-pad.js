// The 16 × 16 drawing grid on a canvas: a mouse, a finger or a pen draws; with the keyboard
// the arrow keys move a cursor, Space inks or rubs out, Shift with an arrow draws a line.

import { drawExampleDigit, inkSegment, SIDE } from "./strokes.js";

const MOVES = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };

export class DrawingPad {
  // canvas: the pad; say(text): tells a screen reader what happened.
  constructor(canvas, say) {
    this.canvas = canvas;
    this.say = say;
    this.grid = new Float64Array(SIDE * SIDE);
    this.cursor = { row: 7, col: 7 };
    this.bind();
    this.draw();
    window.matchMedia("(prefers-color-scheme: dark)").addEventListener("change", () => this.draw());
  }

  bind() {
    const pad = this.canvas;
    let last = null;
    const cellAt = (event) => {
      const rect = pad.getBoundingClientRect();
      return [((event.clientX - rect.left) / rect.width) * SIDE, ((event.clientY - rect.top) / rect.height) * SIDE];
    };
    pad.addEventListener("pointerdown", (event) => {
      if (event.button !== 0) return;
      event.preventDefault();
      pad.setPointerCapture(event.pointerId);
      pad.focus({ preventScroll: true });
      last = cellAt(event);
      this.ink(last, last);
    });
    pad.addEventListener("pointermove", (event) => {
      if (!last) return;
      const next = cellAt(event);
      this.ink(last, next);
      last = next;
    });
    const stop = () => {
      if (last) this.say("Drawn. Press Read it to ask the model.");
      last = null;
    };
    pad.addEventListener("pointerup", stop);
    pad.addEventListener("pointercancel", stop);
    pad.addEventListener("keydown", (event) => this.onKey(event));
    pad.addEventListener("focus", () => this.draw());
    pad.addEventListener("blur", () => this.draw());
  }

  ink(a, b) {
    inkSegment(this.grid, a, b);
    this.draw();
  }

  onKey(event) {
    const c = this.cursor;
    const i = () => c.row * SIDE + c.col;
    if (MOVES[event.key]) {
      if (event.shiftKey) this.grid[i()] = 1;
      const [dr, dc] = MOVES[event.key];
      c.row = Math.min(SIDE - 1, Math.max(0, c.row + dr));
      c.col = Math.min(SIDE - 1, Math.max(0, c.col + dc));
      if (event.shiftKey) this.grid[i()] = 1;
    } else if (event.key === " " || event.key === "Spacebar") {
      this.grid[i()] = this.grid[i()] >= 0.5 ? 0 : 1;
    } else if (event.key === "Delete" || event.key === "Backspace") {
      this.grid[i()] = 0;
    } else {
      return;
    }
    event.preventDefault();
    this.draw();
    this.say(`Row ${c.row + 1}, column ${c.col + 1}: ${this.grid[i()] >= 0.5 ? "ink" : "blank"}.`);
  }

  clear() {
    this.grid.fill(0);
    this.draw();
    this.say("The grid is blank.");
  }

  drawExample(digit) {
    drawExampleDigit(this.grid, digit);
    this.draw();
    this.say(`An example ${digit} is drawn. Press Read it to ask the model.`);
  }

  // The grid on the canvas, in the page's colours, with the keyboard cursor when focused.
  draw() {
    const pad = this.canvas;
    const ratio = window.devicePixelRatio || 1;
    const size = Math.round((pad.clientWidth || 224) * ratio);
    if (pad.width !== size) {
      pad.width = size;
      pad.height = size;
    }
    const ctx = pad.getContext("2d");
    const style = getComputedStyle(pad);
    const colour = (name, fallback) => style.getPropertyValue(name).trim() || fallback;
    const cell = pad.width / SIDE;
    ctx.fillStyle = colour("--bg", "#fff");
    ctx.fillRect(0, 0, pad.width, pad.height);
    ctx.fillStyle = colour("--text", "#000");
    for (let i = 0; i < SIDE * SIDE; i += 1) {
      if (this.grid[i] <= 0) continue;
      ctx.globalAlpha = this.grid[i];
      ctx.fillRect((i % SIDE) * cell, Math.floor(i / SIDE) * cell, Math.ceil(cell), Math.ceil(cell));
    }
    ctx.globalAlpha = 1;
    ctx.strokeStyle = colour("--grid", "#ddd");
    ctx.lineWidth = 1;
    ctx.beginPath();
    for (let k = 1; k < SIDE; k += 1) {
      const at = Math.round(k * cell) + 0.5;
      ctx.moveTo(at, 0);
      ctx.lineTo(at, pad.height);
      ctx.moveTo(0, at);
      ctx.lineTo(pad.width, at);
    }
    ctx.stroke();
    if (document.activeElement === pad) {
      ctx.strokeStyle = colour("--focus", "#f2b600");
      ctx.lineWidth = Math.max(2, cell / 5);
      ctx.strokeRect(this.cursor.col * cell + 1, this.cursor.row * cell + 1, cell - 2, cell - 2);
    }
  }
}
