import { inflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";

import { coverage, createMask, encodeMaskPng, isEmpty, paintStroke } from "./mask";

/** Reads back an 8-bit grayscale, unfiltered PNG: the signature, IHDR, and the pixels of its IDAT. */
function decode(bytes: Uint8Array) {
  expect([...bytes.subarray(0, 8)]).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  let offset = 8;
  let width = 0;
  let height = 0;
  const idat: Uint8Array[] = [];
  const types: string[] = [];
  while (offset < bytes.length) {
    const length = view.getUint32(offset);
    const type = String.fromCharCode(...bytes.subarray(offset + 4, offset + 8));
    const data = bytes.subarray(offset + 8, offset + 8 + length);
    types.push(type);
    if (type === "IHDR") {
      width = view.getUint32(offset + 8);
      height = view.getUint32(offset + 12);
      expect([...data.subarray(8)]).toEqual([8, 0, 0, 0, 0]);
    }
    if (type === "IDAT") {
      idat.push(data);
    }
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const pixels = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    expect(raw[y * (width + 1)]).toBe(0);
    pixels.set(raw.subarray(y * (width + 1) + 1, (y + 1) * (width + 1)), y * width);
  }
  return { width, height, pixels, types };
}

describe("mask painting", () => {
  it("paints a round brush and erases it again", () => {
    const mask = createMask(32, 32);
    expect(isEmpty(mask)).toBe(true);
    paintStroke(mask, { x: 16, y: 16 }, { x: 16, y: 16 }, 4, "brush");
    expect(mask.pixels[16 * 32 + 16]).toBe(255);
    expect(mask.pixels[0]).toBe(0);
    // About π r² pixels.
    expect(coverage(mask) * 32 * 32).toBeGreaterThan(40);
    expect(coverage(mask) * 32 * 32).toBeLessThan(60);
    paintStroke(mask, { x: 16, y: 16 }, { x: 16, y: 16 }, 6, "eraser");
    expect(isEmpty(mask)).toBe(true);
  });

  it("covers a fast stroke without gaps and stays inside the image", () => {
    const mask = createMask(100, 10);
    paintStroke(mask, { x: -20, y: 5 }, { x: 140, y: 5 }, 2, "brush");
    for (let x = 0; x < 100; x++) {
      expect(mask.pixels[5 * 100 + x]).toBe(255);
    }
    expect(mask.pixels.length).toBe(1000);
  });
});

describe("the mask PNG", () => {
  it("is the mask's size, white where painted and black elsewhere", async () => {
    const mask = createMask(40, 30);
    paintStroke(mask, { x: 0, y: 0 }, { x: 0, y: 30 }, 10, "brush");
    const blob = await encodeMaskPng(mask);
    expect(blob.type).toBe("image/png");

    const png = decode(new Uint8Array(await blob.arrayBuffer()));

    expect([png.width, png.height]).toEqual([40, 30]);
    expect(png.types).toEqual(["IHDR", "IDAT", "IEND"]);
    expect([...png.pixels]).toEqual([...mask.pixels]);
    expect(png.pixels[15 * 40 + 2]).toBe(255);
    expect(png.pixels[15 * 40 + 39]).toBe(0);
  });
});
