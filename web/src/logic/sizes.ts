// Size presets a plan allows: common aspect ratios at the model's side, within the plan's maximum.

export interface SizePreset {
  key: "square" | "portrait" | "landscape" | "tall" | "wide";
  width: number;
  height: number;
}

const ratios: { key: SizePreset["key"]; w: number; h: number }[] = [
  { key: "square", w: 1, h: 1 },
  { key: "portrait", w: 3, h: 4 },
  { key: "landscape", w: 4, h: 3 },
  { key: "tall", w: 9, h: 16 },
  { key: "wide", w: 16, h: 9 },
];

/** Down to a multiple of 8, at least 64 (the API's size rule). */
export function toGrid(side: number): number {
  return Math.max(64, Math.floor(side / 8) * 8);
}

/** Presets whose long side is the model's default side, capped at the plan's maximum side. */
export function sizePresets(defaultSide: number, maxSide: number): SizePreset[] {
  const longSide = Math.min(defaultSide, maxSide);
  return ratios.map(({ key, w, h }) => {
    const scale = longSide / Math.max(w, h);
    return { key, width: toGrid(w * scale), height: toGrid(h * scale) };
  });
}
