// The node's image store (uploads and outputs) and the renderers that make output pixels.
import { encodePng, readImage } from './png.mjs';
import { invokeTimestamp, random, uuid } from './util.mjs';

export class ImageStore {
  constructor() {
    this.images = new Map(); // image_name -> { dto, png, rgb, width, height }
  }

  has(name) {
    return this.images.has(name);
  }

  get(name) {
    return this.images.get(name);
  }

  names() {
    return [...this.images.keys()];
  }

  /** Stores an upload (any image the sniffers read) as InvokeAI does: a new PNG under a new name. */
  addUpload(bytes, { category, isIntermediate, boardId }) {
    const image = readImage(bytes);
    return this.#add(image.width, image.height, image.rgb, {
      image_origin: 'internal', image_category: category, is_intermediate: isIntermediate,
      session_id: null, node_id: null, board_id: boardId ?? null,
    });
  }

  /** Stores a node's output image. */
  addOutput(width, height, rgb, { sessionId, nodeId, isIntermediate, boardId }) {
    return this.#add(width, height, rgb, {
      image_origin: 'internal', image_category: 'general', is_intermediate: isIntermediate,
      session_id: sessionId, node_id: nodeId, board_id: boardId ?? null,
    });
  }

  delete(name) {
    return this.images.delete(name);
  }

  #add(width, height, rgb, fields) {
    const name = `${uuid()}.png`;
    const now = invokeTimestamp();
    const dto = {
      image_name: name,
      image_url: `api/v1/images/i/${name}/full`,
      thumbnail_url: `api/v1/images/i/${name}/thumbnail`,
      image_origin: fields.image_origin,
      image_category: fields.image_category,
      width,
      height,
      created_at: now,
      updated_at: now,
      deleted_at: null,
      is_intermediate: fields.is_intermediate,
      session_id: fields.session_id,
      node_id: fields.node_id,
      starred: false,
      has_workflow: false,
      image_subfolder: '',
      board_id: fields.board_id,
    };
    const entry = { dto, png: encodePng(width, height, rgb), rgb, width, height };
    this.images.set(name, entry);
    return entry;
  }
}

/**
 * A deterministic picture from a seed: a colour gradient plus seeded grain in 8×8 blocks (one value
 * per latent pixel, as a VAE decode would roughly give), which also keeps the PNGs small and fast.
 */
export function renderFromSeed(width, height, seed) {
  const next = random(seed);
  const base = [next() * 255, next() * 255, next() * 255];
  const shift = [next() * 255, next() * 255, next() * 255];
  const bw = Math.ceil(width / 8), bh = Math.ceil(height / 8);
  const grain = new Float32Array(bw * bh);
  for (let i = 0; i < grain.length; i++) grain[i] = (next() - 0.5) * 48;
  // base·(1−t) + shift·t with t = (x/w + y/h)/2, split into a column and a row term per channel.
  const cols = new Float32Array(width * 3), rows = new Float32Array(height * 3);
  for (let c = 0; c < 3; c++) {
    const d = (shift[c] - base[c]) / 2;
    for (let x = 0; x < width; x++) cols[x * 3 + c] = base[c] + (d * x) / width;
    for (let y = 0; y < height; y++) rows[y * 3 + c] = (d * y) / height;
  }
  const rgb = Buffer.alloc(width * height * 3);
  const clamped = new Uint8ClampedArray(rgb.buffer, rgb.byteOffset, rgb.length); // rounds and clamps on write
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const g = grain[(y >> 3) * bw + (x >> 3)];
      const i = (y * width + x) * 3;
      clamped[i] = cols[x * 3] + rows[y * 3] + g;
      clamped[i + 1] = cols[x * 3 + 1] + rows[y * 3 + 1] + g;
      clamped[i + 2] = cols[x * 3 + 2] + rows[y * 3 + 2] + g;
    }
  }
  return rgb;
}

/** Nearest-neighbour resampling of RGB pixels. */
export function resample(src, sw, sh, dw, dh) {
  const out = Buffer.alloc(dw * dh * 3);
  for (let y = 0; y < dh; y++) {
    const sy = Math.min(sh - 1, Math.floor((y * sh) / dh));
    for (let x = 0; x < dw; x++) {
      const sx = Math.min(sw - 1, Math.floor((x * sw) / dw));
      src.copy(out, (y * dw + x) * 3, (sy * sw + sx) * 3, (sy * sw + sx) * 3 + 3);
    }
  }
  return out;
}

/** Mixes an init image into seeded pixels by strength (img2img: denoising_start = 1 - strength). */
export function blend(init, generated, keep) {
  const out = Buffer.alloc(generated.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.round(init[i] * keep + generated[i] * (1 - keep));
  return out;
}

/**
 * Inpainting with InvokeAI's denoise-mask convention (InpaintExt: "a value of 1 means that the pixel
 * should not be inpainted"): white (>= 128) keeps the init image, black is generated.
 */
export function paste(init, generated, mask) {
  const out = Buffer.from(init);
  for (let p = 0; p < out.length / 3; p++) {
    if (mask[p * 3] < 128) generated.copy(out, p * 3, p * 3, p * 3 + 3);
  }
  return out;
}

/** A small preview for invocation_progress: a PNG data URL (InvokeAI sends a JPEG one). */
export function previewDataUrl(width, height, seed, step) {
  const scale = Math.max(1, Math.ceil(Math.max(width, height) / 64));
  const w = Math.max(1, Math.floor(width / scale)), h = Math.max(1, Math.floor(height / scale));
  const rgb = renderFromSeed(w, h, (seed + step * 7919) >>> 0);
  return { width: w, height: h, dataURL: `data:image/png;base64,${encodePng(w, h, rgb).toString('base64')}` };
}
