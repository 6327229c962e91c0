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
  // ControlNets (region ControlNet): canny, depth, openpose and lineart where InvokeAI has them;
  // FLUX has only the union model. Installed from HF repos, so diffusers folders.
  { name: 'Hard Edge Detection (canny)', base: 'sd-1', type: 'controlnet', format: 'diffusers', source: 'lllyasviel/control_v11p_sd15_canny', description: 'Uses detected edges in the image to control composition.' },
  { name: 'Depth Map', base: 'sd-1', type: 'controlnet', format: 'diffusers', source: 'lllyasviel/control_v11f1p_sd15_depth', description: 'Uses depth information in the image to control the depth in the generation.' },
  { name: 'Pose Detection (openpose)', base: 'sd-1', type: 'controlnet', format: 'diffusers', source: 'lllyasviel/control_v11p_sd15_openpose', description: 'Uses pose information to control the pose of human characters in the generation.' },
  { name: 'Lineart', base: 'sd-1', type: 'controlnet', format: 'diffusers', source: 'lllyasviel/control_v11p_sd15_lineart', description: 'Uses lineart detection to guide the lighting of the composition.' },
  { name: 'Hard Edge Detection (canny)', base: 'sdxl', type: 'controlnet', format: 'diffusers', source: 'xinsir/controlNet-canny-sdxl-1.0', description: 'Uses detected edges in the image to control composition.' },
  { name: 'Depth Map', base: 'sdxl', type: 'controlnet', format: 'diffusers', source: 'diffusers/controlNet-depth-sdxl-1.0', description: 'Uses depth information in the image to control the depth in the generation.' },
  { name: 'Pose Detection (openpose)', base: 'sdxl', type: 'controlnet', format: 'diffusers', source: 'xinsir/controlNet-openpose-sdxl-1.0', description: 'Uses pose information to control the pose of human characters in the generation.' },
  { name: 'FLUX.1-dev-Controlnet-Union', base: 'flux', type: 'controlnet', format: 'diffusers', source: 'InstantX/FLUX.1-dev-Controlnet-Union', description: 'A unified ControlNet for FLUX.1-dev model that supports 7 control modes, including canny (0), tile (1), depth (2), blur (3), pose (4), gray (5), low quality (6)' },
  // IP-Adapters (single .safetensors files: checkpoint) and the CLIP Vision encoders they load by
  // name (ip_adapter.py CLIP_VISION_MODEL_MAP: ViT-H, ViT-G, ViT-L).
  { name: 'Standard Reference (IP Adapter)', base: 'sd-1', type: 'ip_adapter', format: 'checkpoint', source: 'https://huggingface.co/InvokeAI/ip_adapter_sd15/resolve/main/ip-adapter_sd15.safetensors', description: 'References images with a more generalized/looser degree of precision.' },
  { name: 'Standard Reference (IP Adapter ViT-H)', base: 'sdxl', type: 'ip_adapter', format: 'checkpoint', source: 'https://huggingface.co/InvokeAI/ip_adapter_sdxl_vit_h/resolve/main/ip-adapter_sdxl_vit-h.safetensors', description: 'References images with a higher degree of precision.' },
  { name: 'Standard Reference (XLabs FLUX IP-Adapter v2)', base: 'flux', type: 'ip_adapter', format: 'checkpoint', source: 'https://huggingface.co/XLabs-AI/flux-ip-adapter-v2/resolve/main/ip_adapter.safetensors', description: 'References images with a more generalized/looser degree of precision.' },
  { name: 'IP Adapter SD1.5 Image Encoder', base: 'any', type: 'clip_vision', format: 'diffusers', source: 'InvokeAI/ip_adapter_sd_image_encoder', description: 'IP Adapter SD Image Encoder' },
  { name: 'IP Adapter SDXL Image Encoder', base: 'any', type: 'clip_vision', format: 'diffusers', source: 'InvokeAI/ip_adapter_sdxl_image_encoder', description: 'IP Adapter SDXL Image Encoder' },
  { name: 'clip-vit-large-patch14', base: 'any', type: 'clip_vision', format: 'diffusers', source: 'InvokeAI/clip-vit-large-patch14', description: 'CLIP ViT-L Image Encoder' },
];

// ControlAdapterDefaultSettings.from_model_name (configs/controlnet.py): the first key in the name.
const PREPROCESSORS = [
  ['canny', 'canny_image_processor'], ['mlsd', 'mlsd_image_processor'], ['depth', 'depth_anything_image_processor'],
  ['bae', 'normalbae_image_processor'], ['normal', 'normalbae_image_processor'], ['sketch', 'pidi_image_processor'],
  ['scribble', 'lineart_image_processor'], ['lineart anime', 'lineart_anime_image_processor'], ['lineart_anime', 'lineart_anime_image_processor'],
  ['lineart', 'lineart_image_processor'], ['soft', 'hed_image_processor'], ['softedge', 'hed_image_processor'], ['hed', 'hed_image_processor'],
  ['shuffle', 'content_shuffle_image_processor'], ['pose', 'dw_openpose_image_processor'], ['mediapipe', 'mediapipe_face_processor'],
  ['pidi', 'pidi_image_processor'], ['zoe', 'zoe_depth_image_processor'], ['color', 'color_map_image_processor'],
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
  } else if (model.type === 'controlnet') {
    const lower = name.toLowerCase();
    config.default_settings = model.default_settings ?? { preprocessor: PREPROCESSORS.find(([k]) => lower.includes(k))?.[1] ?? null };
    if (config.format === 'diffusers') config.repo_variant = '';
    else config.config_path = null;
  } else if (model.type === 'clip_vision') {
    Object.assign(config, { repo_variant: '', cpu_only: null });
  } else if (model.type === 'lora') {
    Object.assign(config, { trigger_phrases: null, default_settings: null });
    config.format = model.format ?? 'lycoris';
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
