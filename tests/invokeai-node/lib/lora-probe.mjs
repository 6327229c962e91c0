// Identifies a downloaded file the way InvokeAI's model probe does for LoRAs
// (invokeai/backend/model_manager/configs/lora.py, LoRA_LyCORIS_*): a .safetensors file whose
// tensor names look like a LoRA, its base from the FLUX key layout or the token vector length.

/** Parses a safetensors header: { tensors: {name: {dtype, shape, data_offsets}}, metadata } or null. */
export function readSafetensors(bytes) {
  if (bytes.length < 8) return null;
  const length = bytes.readBigUInt64LE(0);
  if (length < 2n || length > BigInt(bytes.length - 8) || length > 100_000_000n) return null;
  let header;
  try {
    header = JSON.parse(bytes.subarray(8, 8 + Number(length)).toString('utf8'));
  } catch {
    return null;
  }
  if (!header || typeof header !== 'object' || Array.isArray(header)) return null;
  const dataSize = bytes.length - 8 - Number(length);
  const tensors = {};
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const offsets = info?.data_offsets;
    if (!Array.isArray(info?.shape) || !Array.isArray(offsets) || offsets.length !== 2 || offsets[1] > dataSize || offsets[0] > offsets[1]) return null;
    tensors[name] = info;
  }
  return { tensors, metadata: header.__metadata__ ?? {} };
}

const LORA_PREFIXES = ['lora_te_', 'lora_unet_', 'lora_te1_', 'lora_te2_', 'lora_transformer_'];
const LORA_SUFFIXES = ['to_k_lora.up.weight', 'to_q_lora.down.weight', 'lora_A.weight', 'lora_B.weight', 'lokr_w1', 'lokr_w2', 'hada_w1_a', 'hada_w2_a'];
// FLUX transformer blocks, in the Kohya (lora_unet_double_blocks_*), BFL (double_blocks.*) and
// diffusers (transformer.single_transformer_blocks.*) spellings InvokeAI recognises.
const FLUX_KEY = /(^|[._])(double_blocks|single_blocks|single_transformer_blocks)[._]|^transformer\.transformer_blocks\./;
const SDXL_UNET_ATTENTION = /^lora_unet_(?:down_blocks_2|up_blocks_0|mid_block)_attentions_\d+_transformer_blocks_(\d+)_/;

/**
 * { base } for a LoRA, or { error_type, error } as InvokeAI's probe fails: a file that is no
 * safetensors LoRA, or whose base is not recognised, is "Could not identify model".
 */
export function probeLora(bytes, localPath) {
  const unidentified = { error_type: 'InvalidModelConfigException', error: `Could not identify model for ${localPath}` };
  const file = readSafetensors(bytes);
  if (!file) return unidentified;
  const keys = Object.keys(file.tensors);
  const architecture = String(file.metadata['modelspec.architecture'] ?? '');
  const flux = keys.some((k) => FLUX_KEY.test(k)) || architecture.startsWith('flux-1');
  const looksLikeLora = keys.some((k) => LORA_PREFIXES.some((p) => k.startsWith(p)) || LORA_SUFFIXES.some((s) => k.endsWith(s)));
  if (!looksLikeLora && !flux) return unidentified;
  if (flux) return { base: 'flux' };
  const length = tokenVectorLength(file.tensors);
  if (length === 768) return { base: 'sd-1' };
  if (length === 1024) return { base: 'sd-2' };
  if (length === 1280 || length === 2048) return { base: 'sdxl' };
  if (keys.some((k) => Number(SDXL_UNET_ATTENTION.exec(k)?.[1]) >= 2)) return { base: 'sdxl' };
  return unidentified;
}

/** InvokeAI's lora_token_vector_length: the cross-attention input width (te1 + te2 for SDXL). */
function tokenVectorLength(tensors) {
  let te1 = null, te2 = null;
  for (const [key, tensor] of Object.entries(tensors)) {
    const [modelKey, loraKey] = [key.slice(0, key.indexOf('.')), key.slice(key.indexOf('.') + 1)];
    if (!key.includes('.') || (loraKey !== 'lora_down.weight' && loraKey !== 'hada_w1_b' && loraKey !== 'hada_w2_b')) continue;
    const width = tensor.shape[1];
    if (modelKey.startsWith('lora_unet_') && (modelKey.includes('_attn2_to_k') || modelKey.includes('_attn2_to_v') || modelKey.includes('time_emb_proj'))) return width;
    if (modelKey.startsWith('lora_te') && modelKey.includes('_self_attn_')) {
      if (modelKey.startsWith('lora_te_')) return width;
      if (modelKey.startsWith('lora_te1_')) te1 = width;
      if (modelKey.startsWith('lora_te2_')) te2 = width;
      if (te1 !== null && te2 !== null) return te1 + te2;
    }
  }
  return null;
}

/** A minimal safetensors file with these tensors (name -> shape), for the tests and the C# fixture. */
export function buildSafetensors(shapes, metadata = null) {
  const header = {};
  let offset = 0;
  for (const [name, shape] of Object.entries(shapes)) {
    const size = shape.reduce((a, b) => a * b, 1) * 2; // F16
    header[name] = { dtype: 'F16', shape, data_offsets: [offset, offset + size] };
    offset += size;
  }
  if (metadata) header.__metadata__ = metadata;
  let json = Buffer.from(JSON.stringify(header), 'utf8');
  const pad = (8 - (json.length % 8)) % 8;
  json = Buffer.concat([json, Buffer.alloc(pad, 0x20)]);
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([length, json, Buffer.alloc(offset, 0)]);
}
