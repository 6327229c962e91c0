// Installed models: InvokeAI's starter models that Pingvas uses (names, bases, types and sources
// from invokeai/backend/model_manager/starter_models.py), completed to full model configs.
import crypto from 'node:crypto';

const STARTERS = [
  { name: 'Dreamshaper 8', base: 'sd-1', type: 'main', format: 'diffusers', source: 'Lykon/dreamshaper-8', description: 'Popular versatile model.' },
  { name: 'Juggernaut XL v9', base: 'sdxl', type: 'main', format: 'diffusers', source: 'RunDiffusion/Juggernaut-XL-v9', description: 'Photograph-focused model.' },
  { name: 'sdxl-vae-fp16-fix', base: 'sdxl', type: 'vae', format: 'diffusers', source: 'madebyollin/sdxl-vae-fp16-fix', description: 'SDXL VAE that works with FP16.' },
  { name: 'FLUX.1 schnell', base: 'flux', type: 'main', format: 'checkpoint', variant: 'schnell', source: 'InvokeAI/flux_schnell::transformer/base/flux1-schnell.safetensors', description: 'FLUX schnell transformer in bfloat16. Total size with dependencies: ~33GB' },
  { name: 'FLUX.1 dev', base: 'flux', type: 'main', format: 'checkpoint', variant: 'dev', source: 'InvokeAI/flux_dev::transformer/base/flux1-dev.safetensors', description: 'FLUX dev transformer in bfloat16. Total size with dependencies: ~33GB' },
  { name: 't5_base_encoder', base: 'any', type: 't5_encoder', format: 't5_encoder', source: 'InvokeAI/t5-v1_1-xxl::bfloat16', description: 'T5-XXL text encoder (used in FLUX pipelines). ~8GB' },
  { name: 'clip-vit-large-patch14', base: 'any', type: 'clip_embed', format: 'diffusers', variant: 'large', source: 'InvokeAI/clip-vit-large-patch14-text-encoder::bfloat16', description: 'CLIP-L text encoder (used in FLUX pipelines). ~250MB' },
  { name: 'FLUX.1-schnell_ae', base: 'flux', type: 'vae', format: 'checkpoint', source: 'black-forest-labs/FLUX.1-schnell::ae.safetensors', description: 'FLUX VAE compatible with both schnell and dev variants.' },
  { name: 'RealESRGAN_x2plus', base: 'any', type: 'spandrel_image_to_image', format: 'checkpoint', source: 'https://github.com/xinntao/Real-ESRGAN/releases/download/v0.2.1/RealESRGAN_x2plus.pth', description: 'A Real-ESRGAN 2x upscaling model (general-purpose).' },
  { name: 'RealESRGAN_x4plus', base: 'any', type: 'spandrel_image_to_image', format: 'checkpoint', source: 'https://github.com/xinntao/Real-ESRGAN/releases/download/v0.1.0/RealESRGAN_x4plus.pth', description: 'A Real-ESRGAN 4x upscaling model (general-purpose).' },
];

// Stable keys and hashes (derived from the name) so test runs are reproducible.
function derived(seed, kind) {
  const digest = crypto.createHash('sha256').update(`${kind}:${seed}`).digest('hex');
  if (kind === 'key') {
    return `${digest.slice(0, 8)}-${digest.slice(8, 12)}-4${digest.slice(13, 16)}-a${digest.slice(17, 20)}-${digest.slice(20, 32)}`;
  }
  return `blake3:${digest}`;
}

/** A full model config as GET /api/v2/models/ returns it, from the fields a test gives. */
export function completeConfig(model) {
  const name = model.name;
  const source = model.source ?? `test/${name}`;
  const config = {
    key: model.key ?? derived(`${model.base}/${model.type}/${name}`, 'key'),
    hash: model.hash ?? derived(`${model.base}/${model.type}/${name}`, 'hash'),
    path: model.path ?? `${model.base}/${model.type}/${name.replace(/[^A-Za-z0-9._-]+/g, '_')}`,
    file_size: model.file_size ?? 2_132_626_066,
    name,
    description: model.description ?? null,
    source,
    source_type: model.source_type ?? (source.startsWith('http') ? 'url' : 'hf_repo_id'),
    source_api_response: null,
    source_url: null,
    cover_image: null,
    base: model.base,
    type: model.type,
    format: model.format ?? 'checkpoint',
  };
  if (model.type === 'main') {
    Object.assign(config, { trigger_phrases: null, default_settings: null, variant: model.variant ?? 'normal' });
    if (config.format === 'diffusers') Object.assign(config, { repo_variant: 'fp16', prediction_type: 'epsilon' });
    if (config.format === 'checkpoint') config.config_path = null;
  } else if (model.type === 'vae') {
    Object.assign(config, { cpu_only: null });
    if (config.format === 'checkpoint') config.config_path = null;
    else config.repo_variant = '';
  } else if (model.type === 't5_encoder') {
    config.cpu_only = null;
  } else if (model.type === 'clip_embed') {
    Object.assign(config, { repo_variant: '', cpu_only: null, variant: model.variant ?? 'large' });
  }
  return config;
}

export function starterModels() {
  return STARTERS.map(completeConfig);
}

/** The upscale factor of a spandrel model: the xN (or Nx) in its name, as the real network would have. */
export function upscaleFactor(config) {
  const match = /(?:^|[^0-9])x([0-9])|([0-9])x(?:[^0-9]|$)/i.exec(config?.name ?? '');
  return match ? Number(match[1] ?? match[2]) : 4;
}
