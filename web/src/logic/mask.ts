// The inpaint mask as the API wants it: the init image's size, white = repaint, black = keep.
// Painted here, not read back from a <canvas>, so it is exact and testable; encoded as a PNG.

export interface Mask {
  width: number;
  height: number;
  /** One byte per pixel: 255 repaint, 0 keep. */
  pixels: Uint8Array;
}

export type Tool = "brush" | "eraser";

export function createMask(width: number, height: number): Mask {
  return { width, height, pixels: new Uint8Array(width * height) };
}

/** A round stamp of `radius` pixels at (x, y), clipped to the mask. */
function stamp(mask: Mask, x: number, y: number, radius: number, value: number): void {
  const r2 = radius * radius;
  const top = Math.max(0, Math.floor(y - radius));
  const bottom = Math.min(mask.height - 1, Math.ceil(y + radius));
  const left = Math.max(0, Math.floor(x - radius));
  const right = Math.min(mask.width - 1, Math.ceil(x + radius));
  for (let py = top; py <= bottom; py++) {
    for (let px = left; px <= right; px++) {
      const dx = px + 0.5 - x;
      const dy = py + 0.5 - y;
      if (dx * dx + dy * dy <= r2) {
        mask.pixels[py * mask.width + px] = value;
      }
    }
  }
}

/** Paints (brush) or clears (eraser) a stroke segment: stamps no further apart than a quarter radius. */
export function paintStroke(mask: Mask, from: { x: number; y: number }, to: { x: number; y: number }, radius: number, tool: Tool): void {
  const value = tool === "brush" ? 255 : 0;
  const distance = Math.hypot(to.x - from.x, to.y - from.y);
  const steps = Math.max(1, Math.ceil(distance / Math.max(0.5, radius / 4)));
  for (let i = 0; i <= steps; i++) {
    const t = i / steps;
    stamp(mask, from.x + (to.x - from.x) * t, from.y + (to.y - from.y) * t, radius, value);
  }
}

export function isEmpty(mask: Mask): boolean {
  return !mask.pixels.some((p) => p !== 0);
}

/** The share of pixels marked for repaint, 0–1. */
export function coverage(mask: Mask): number {
  let painted = 0;
  for (const p of mask.pixels) {
    if (p !== 0) {
      painted += 1;
    }
  }
  return painted / mask.pixels.length;
}

const crcTable = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) {
      c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    }
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  }
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  const typeAndData = out.subarray(4, 8 + data.length);
  typeAndData.set([...type].map((ch) => ch.charCodeAt(0)));
  typeAndData.set(data, 4);
  view.setUint32(8 + data.length, crc32(typeAndData));
  return out;
}

async function zlib(data: Uint8Array): Promise<Uint8Array> {
  // CompressionStream("deflate") is the zlib format PNG's IDAT wants.
  const stream = new Blob([data as BlobPart]).stream().pipeThrough(new CompressionStream("deflate"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** The mask as an 8-bit grayscale PNG (white repaint, black keep). */
export async function encodeMaskPng(mask: Mask): Promise<Blob> {
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, mask.width);
  view.setUint32(4, mask.height);
  header.set([8, 0, 0, 0, 0], 8); // bit depth 8, grayscale, deflate, no filter method, no interlace
  const raw = new Uint8Array((mask.width + 1) * mask.height);
  for (let y = 0; y < mask.height; y++) {
    raw[y * (mask.width + 1)] = 0; // filter: none
    raw.set(mask.pixels.subarray(y * mask.width, (y + 1) * mask.width), y * (mask.width + 1) + 1);
  }
  const signature = new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10]);
  const parts = [signature, chunk("IHDR", header), chunk("IDAT", await zlib(raw)), chunk("IEND", new Uint8Array())];
  return new Blob(parts as BlobPart[], { type: "image/png" });
}
