// Graph builders for the tests, shaped like InvokeAI's own UI graphs (buildSD1Graph.ts,
// buildSDXLGraph.ts, buildFLUXGraph.ts and the upscale tab), from the models the node lists.

export const ident = (c) => ({ key: c.key, hash: c.hash, name: c.name, base: c.base, type: c.type });

const edge = (s, sf, d, df) => ({ source: { node_id: s, field: sf }, destination: { node_id: d, field: df } });

export function sd15Graph(models, { width = 512, height = 512, steps = 4, seed = 42, scheduler = 'euler', init = null, strength = 0.6, mask = null } = {}) {
  const main = models.find((m) => m.name === 'Dreamshaper 8');
  const nodes = {
    loader: { id: 'loader', type: 'main_model_loader', model: ident(main) },
    clip_skip: { id: 'clip_skip', type: 'clip_skip', skipped_layers: 0 },
    pos: { id: 'pos', type: 'compel', prompt: 'a lighthouse at dusk' },
    neg: { id: 'neg', type: 'compel', prompt: '' },
    noise: { id: 'noise', type: 'noise', seed, width, height, use_cpu: true },
    denoise: { id: 'denoise', type: 'denoise_latents', steps, cfg_scale: 7.5, scheduler, denoising_start: init ? 1 - strength : 0, denoising_end: 1, use_cache: false },
    output: { id: 'output', type: 'l2i', fp32: false, is_intermediate: false, use_cache: false },
  };
  const edges = [
    edge('loader', 'unet', 'denoise', 'unet'),
    edge('loader', 'clip', 'clip_skip', 'clip'),
    edge('clip_skip', 'clip', 'pos', 'clip'),
    edge('clip_skip', 'clip', 'neg', 'clip'),
    edge('pos', 'conditioning', 'denoise', 'positive_conditioning'),
    edge('neg', 'conditioning', 'denoise', 'negative_conditioning'),
    edge('noise', 'noise', 'denoise', 'noise'),
    edge('denoise', 'latents', 'output', 'latents'),
    edge('loader', 'vae', 'output', 'vae'),
  ];
  if (init) {
    nodes.i2l = { id: 'i2l', type: 'i2l', image: { image_name: init }, fp32: false };
    edges.push(edge('loader', 'vae', 'i2l', 'vae'), edge('i2l', 'latents', 'denoise', 'latents'));
    if (mask) {
      nodes.mask = { id: 'mask', type: 'create_denoise_mask', mask: { image_name: mask }, image: { image_name: init }, fp32: false, tiled: false };
      edges.push(edge('loader', 'vae', 'mask', 'vae'), edge('mask', 'denoise_mask', 'denoise', 'denoise_mask'));
    }
  }
  return { id: 'sd15', nodes, edges };
}

export function sdxlGraph(models, { width = 1024, height = 1024, steps = 4, seed = 7 } = {}) {
  const main = models.find((m) => m.name === 'Juggernaut XL v9');
  const prompt = (id, text) => ({ id, type: 'sdxl_compel_prompt', prompt: text, style: text, original_width: width, original_height: height, target_width: width, target_height: height, crop_top: 0, crop_left: 0 });
  return {
    id: 'sdxl',
    nodes: {
      loader: { id: 'loader', type: 'sdxl_model_loader', model: ident(main) },
      pos: prompt('pos', 'a red fox'),
      neg: prompt('neg', ''),
      noise: { id: 'noise', type: 'noise', seed, width, height, use_cpu: true },
      denoise: { id: 'denoise', type: 'denoise_latents', steps, cfg_scale: 6, scheduler: 'dpmpp_2m_k', denoising_start: 0, denoising_end: 1, use_cache: false },
      output: { id: 'output', type: 'l2i', fp32: false, use_cache: false },
    },
    edges: [
      edge('loader', 'unet', 'denoise', 'unet'),
      edge('loader', 'clip', 'pos', 'clip'), edge('loader', 'clip2', 'pos', 'clip2'),
      edge('loader', 'clip', 'neg', 'clip'), edge('loader', 'clip2', 'neg', 'clip2'),
      edge('pos', 'conditioning', 'denoise', 'positive_conditioning'),
      edge('neg', 'conditioning', 'denoise', 'negative_conditioning'),
      edge('noise', 'noise', 'denoise', 'noise'),
      edge('denoise', 'latents', 'output', 'latents'),
      edge('loader', 'vae', 'output', 'vae'),
    ],
  };
}

export function fluxGraph(models, { name = 'FLUX.1 schnell', width = 768, height = 512, steps = 4, seed = 3 } = {}) {
  const find = (pred) => ident(models.find(pred));
  return {
    id: 'flux',
    nodes: {
      loader: {
        id: 'loader', type: 'flux_model_loader',
        model: find((m) => m.name === name),
        t5_encoder_model: find((m) => m.type === 't5_encoder'),
        clip_embed_model: find((m) => m.type === 'clip_embed'),
        vae_model: find((m) => m.type === 'vae' && m.base === 'flux'),
      },
      enc: { id: 'enc', type: 'flux_text_encoder', prompt: 'a city at night' },
      denoise: { id: 'denoise', type: 'flux_denoise', width, height, num_steps: steps, guidance: 4, seed, scheduler: 'euler', denoising_start: 0, denoising_end: 1, use_cache: false },
      output: { id: 'output', type: 'flux_vae_decode', use_cache: false },
    },
    edges: [
      edge('loader', 'clip', 'enc', 'clip'),
      edge('loader', 't5_encoder', 'enc', 't5_encoder'),
      edge('loader', 'max_seq_len', 'enc', 't5_max_seq_len'),
      edge('loader', 'transformer', 'denoise', 'transformer'),
      edge('enc', 'conditioning', 'denoise', 'positive_text_conditioning'),
      edge('loader', 'vae', 'denoise', 'controlnet_vae'),
      edge('denoise', 'latents', 'output', 'latents'),
      edge('loader', 'vae', 'output', 'vae'),
    ],
  };
}

export function upscaleGraph(models, image, { name = 'RealESRGAN_x2plus' } = {}) {
  return {
    id: 'upscale',
    nodes: {
      output: {
        id: 'output', type: 'spandrel_image_to_image', image: { image_name: image },
        image_to_image_model: ident(models.find((m) => m.name === name)), tile_size: 512, use_cache: false,
      },
    },
    edges: [],
  };
}

export const batch = (graph, extra = {}) => ({ prepend: false, batch: { graph, runs: 1, origin: 'pingvas', destination: 'job-1', ...extra } });
