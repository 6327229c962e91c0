// LoRA loaders, ControlNet, IP-Adapter and preprocessor nodes: validation, execution and the starter models.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { batch, fluxGraph, ident, sd15Graph } from './graphs.mjs';
import { eventually, startServer } from './harness.mjs';
import { FLUX_LORA, SD1_LORA, SDXL_LORA, serveFiles } from './loras.mjs';

let h;
let files;
afterEach(async () => {
  await h?.close();
  await files?.close();
  h = files = undefined;
});

const edge = (s, sf, d, df) => ({ source: { node_id: s, field: sf }, destination: { node_id: d, field: df } });
const find = (models, name, base, type) => models.find((m) => m.name === name && m.base === base && m.type === type);

/** InvokeAI's SD1 graph with a LoRA loader, a canny preprocessor + ControlNet and an IP-Adapter collected into denoise. */
function adapterGraph(models, lora, controlImage) {
  const graph = sd15Graph(models, { steps: 2, width: 256, height: 256 });
  graph.edges = graph.edges.filter((e) => !(e.source.node_id === 'loader' && ['unet', 'clip'].includes(e.source.field)));
  Object.assign(graph.nodes, {
    lora: { id: 'lora', type: 'lora_loader', lora: ident(lora), weight: 0.8 },
    canny: { id: 'canny', type: 'canny_edge_detection', image: { image_name: controlImage } },
    control: { id: 'control', type: 'controlnet', control_model: ident(find(models, 'Hard Edge Detection (canny)', 'sd-1', 'controlnet')), control_weight: 0.7, begin_step_percent: 0, end_step_percent: 0.8 },
    control_collect: { id: 'control_collect', type: 'collect' },
    reference: { id: 'reference', type: 'ip_adapter', image: { image_name: controlImage }, ip_adapter_model: ident(find(models, 'Standard Reference (IP Adapter)', 'sd-1', 'ip_adapter')), clip_vision_model: 'ViT-H', weight: 0.5 },
    reference_collect: { id: 'reference_collect', type: 'collect' },
  });
  graph.edges.push(
    edge('loader', 'unet', 'lora', 'unet'), edge('loader', 'clip', 'lora', 'clip'),
    edge('lora', 'unet', 'denoise', 'unet'), edge('lora', 'clip', 'clip_skip', 'clip'),
    edge('canny', 'image', 'control', 'image'), edge('control', 'control', 'control_collect', 'item'),
    edge('control_collect', 'collection', 'denoise', 'control'),
    edge('reference', 'ip_adapter', 'reference_collect', 'item'), edge('reference_collect', 'collection', 'denoise', 'ip_adapter'),
  );
  return graph;
}

async function installLora(bytes, path) {
  const res = await h.call('POST', `/api/v2/models/install?source=${encodeURIComponent(files.url(path))}`, {});
  return eventually(async () => {
    const job = (await h.call('GET', `/api/v2/models/install/${res.data.id}`)).data;
    return job.status === 'completed' && job.config_out;
  }, 'the LoRA install');
}

test('the starter models include InvokeAI\'s ControlNets, IP-Adapters and CLIP Vision encoders', async () => {
  h = await startServer();
  const has = (name, base, type, format) => {
    const m = find(h.models, name, base, type);
    assert.ok(m, `${name} (${base} ${type})`);
    assert.equal(m.format, format, `${name} format`);
    return m;
  };
  for (const name of ['Hard Edge Detection (canny)', 'Depth Map', 'Pose Detection (openpose)', 'Lineart']) has(name, 'sd-1', 'controlnet', 'diffusers');
  for (const name of ['Hard Edge Detection (canny)', 'Depth Map', 'Pose Detection (openpose)']) has(name, 'sdxl', 'controlnet', 'diffusers');
  has('FLUX.1-dev-Controlnet-Union', 'flux', 'controlnet', 'diffusers');
  has('Standard Reference (IP Adapter)', 'sd-1', 'ip_adapter', 'checkpoint');
  has('Standard Reference (IP Adapter ViT-H)', 'sdxl', 'ip_adapter', 'checkpoint');
  has('Standard Reference (XLabs FLUX IP-Adapter v2)', 'flux', 'ip_adapter', 'checkpoint');
  for (const name of ['IP Adapter SD1.5 Image Encoder', 'IP Adapter SDXL Image Encoder', 'clip-vit-large-patch14']) has(name, 'any', 'clip_vision', 'diffusers');
  assert.equal(find(h.models, 'Hard Edge Detection (canny)', 'sd-1', 'controlnet').default_settings.preprocessor, 'canny_image_processor');
  assert.equal(find(h.models, 'Pose Detection (openpose)', 'sdxl', 'controlnet').default_settings.preprocessor, 'dw_openpose_image_processor');
  assert.equal(new Set(h.models.map((m) => m.key)).size, h.models.length);
});

test('a LoRA loader, a preprocessor, a ControlNet and an IP-Adapter collected into denoise run to the end', async () => {
  files = await serveFiles({ '/sd1.safetensors': SD1_LORA });
  h = await startServer();
  const lora = await installLora(SD1_LORA, '/sd1.safetensors');
  const control = (await h.upload(96, 64, { category: 'control' })).data.image_name;
  const models = (await h.call('GET', '/api/v2/models/')).data.models;
  const { events } = await h.subscribe();
  const res = await h.call('POST', '/api/v1/queue/default/enqueue_batch', batch(adapterGraph(models, lora, control)));
  assert.equal(res.status, 200, JSON.stringify(res.data));
  const [id] = res.data.item_ids;
  const item = await eventually(async () => {
    const it = (await h.call('GET', `/api/v1/queue/default/i/${id}`)).data;
    return ['completed', 'failed'].includes(it.status) && it;
  }, 'the item');
  assert.equal(item.status, 'completed', item.error_message);

  const result = (source) => events.find(([n, p]) => n === 'invocation_complete' && p.invocation_source_id === source)[1].result;
  assert.deepEqual(result('lora').unet.loras, [{ lora: ident(lora), weight: 0.8 }]);
  assert.deepEqual(result('lora').clip.loras, [{ lora: ident(lora), weight: 0.8 }]);
  const canny = result('canny');
  assert.deepEqual([canny.width, canny.height], [96, 64]); // the preprocessor passes its image through
  const controlField = result('control').control;
  assert.deepEqual(controlField.image, canny.image);
  assert.equal(controlField.control_weight, 0.7);
  assert.equal(controlField.end_step_percent, 0.8);
  assert.equal(controlField.control_model.name, 'Hard Edge Detection (canny)');
  assert.equal(result('reference').ip_adapter.weight, 0.5);
  assert.equal(result('reference').ip_adapter.image_encoder_model.name, 'IP Adapter SD1.5 Image Encoder'); // ViT-H
  const denoise = events.find(([n, p]) => n === 'invocation_started' && p.invocation_source_id === 'denoise')[1].invocation;
  assert.deepEqual(denoise.control, [controlField]);
  assert.equal(denoise.ip_adapter.length, 1);
  assert.deepEqual(denoise.unet.loras, [{ lora: ident(lora), weight: 0.8 }]);
});

test('a LoRA whose base differs from the main model\'s is rejected up front as model_mismatch', async () => {
  files = await serveFiles({ '/xl.safetensors': SDXL_LORA });
  h = await startServer();
  const xl = await installLora(SDXL_LORA, '/xl.safetensors');
  const models = (await h.call('GET', '/api/v2/models/')).data.models;
  // lora_selector takes any base, so only the main-model check can catch this one.
  const graph = sd15Graph(models);
  graph.nodes.pick = { id: 'pick', type: 'lora_selector', lora: ident(xl), weight: 1 };
  graph.nodes.loras = { id: 'loras', type: 'collect' };
  graph.nodes.apply = { id: 'apply', type: 'lora_collection_loader' };
  graph.edges = graph.edges.filter((e) => !(e.source.node_id === 'loader' && e.source.field === 'unet'));
  graph.edges.push(edge('pick', 'lora', 'loras', 'item'), edge('loras', 'collection', 'apply', 'loras'),
    edge('loader', 'unet', 'apply', 'unet'), edge('apply', 'unet', 'denoise', 'unet'));
  const res = await h.call('POST', '/api/v1/queue/default/enqueue_batch', batch(graph));
  assert.equal(res.status, 422);
  const violation = (await h.ctl('GET', '/record')).violations.find((v) => v.kind === 'model_mismatch');
  assert.equal(violation.node_id, 'pick');
  assert.match(violation.message, /base sdxl; the main model Dreamshaper 8 has base sd-1/);

  // The same LoRA in an SD1 lora_loader is caught by the field's own base list too.
  const direct = sd15Graph(models);
  direct.nodes.lora = { id: 'lora', type: 'lora_loader', lora: ident(xl) };
  assert.equal((await h.call('POST', '/api/v1/queue/default/enqueue_batch', batch(direct))).status, 422);
});

test('FLUX: a LoRA loader, the union ControlNet (collected) and the XLabs IP-Adapter run into flux_denoise', async () => {
  files = await serveFiles({ '/flux.safetensors': FLUX_LORA });
  h = await startServer();
  const lora = await installLora(FLUX_LORA, '/flux.safetensors');
  const image = (await h.upload(64, 64, { category: 'control' })).data.image_name;
  const models = (await h.call('GET', '/api/v2/models/')).data.models;
  const graph = fluxGraph(models, { width: 256, height: 256, steps: 2 });
  graph.edges = graph.edges.filter((e) => !(e.source.node_id === 'loader' && ['transformer', 'clip'].includes(e.source.field)));
  Object.assign(graph.nodes, {
    lora: { id: 'lora', type: 'flux_lora_loader', lora: ident(lora), weight: 1.2 },
    control: { id: 'control', type: 'flux_controlnet', image: { image_name: image }, control_model: ident(find(models, 'FLUX.1-dev-Controlnet-Union', 'flux', 'controlnet')), control_weight: 0.6 },
    controls: { id: 'controls', type: 'collect' },
    reference: { id: 'reference', type: 'flux_ip_adapter', image: { image_name: image }, ip_adapter_model: ident(find(models, 'Standard Reference (XLabs FLUX IP-Adapter v2)', 'flux', 'ip_adapter')), weight: 0.4 },
  });
  graph.edges.push(
    edge('loader', 'transformer', 'lora', 'transformer'), edge('loader', 'clip', 'lora', 'clip'),
    edge('lora', 'transformer', 'denoise', 'transformer'), edge('lora', 'clip', 'enc', 'clip'),
    edge('control', 'control', 'controls', 'item'), edge('controls', 'collection', 'denoise', 'control'),
    edge('reference', 'ip_adapter', 'denoise', 'ip_adapter'),
  );
  const { events } = await h.subscribe();
  const res = await h.call('POST', '/api/v1/queue/default/enqueue_batch', batch(graph));
  assert.equal(res.status, 200, JSON.stringify(res.data));
  const item = await eventually(async () => {
    const it = (await h.call('GET', `/api/v1/queue/default/i/${res.data.item_ids[0]}`)).data;
    return ['completed', 'failed'].includes(it.status) && it;
  }, 'the item');
  assert.equal(item.status, 'completed', item.error_message);
  const denoise = events.find(([n, p]) => n === 'invocation_started' && p.invocation_source_id === 'denoise')[1].invocation;
  assert.deepEqual(denoise.transformer.loras, [{ lora: ident(lora), weight: 1.2 }]);
  assert.equal(denoise.control.length, 1);
  assert.equal(denoise.control[0].control_weight, 0.6);
  assert.equal(denoise.ip_adapter.weight, 0.4);
  assert.equal(denoise.ip_adapter.image_encoder_model.name, 'clip-vit-large-patch14'); // ViT-L, flux_ip_adapter's default

  // An SD1 ControlNet in a FLUX graph is a base mismatch (its field already allows only flux).
  graph.nodes.control.control_model = ident(find(models, 'Hard Edge Detection (canny)', 'sd-1', 'controlnet'));
  assert.equal((await h.call('POST', '/api/v1/queue/default/enqueue_batch', batch(graph))).status, 422);
});
