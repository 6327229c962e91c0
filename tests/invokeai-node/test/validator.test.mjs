// The graph validator: InvokeAI's UI-shaped graphs pass; each class of mistake is a 422 plus a recorded violation.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { batch, fluxGraph, ident, sd15Graph, sdxlGraph, upscaleGraph } from './graphs.mjs';
import { startServer } from './harness.mjs';

let h;
before(async () => {
  h = await startServer();
});
after(() => h.close());

const enqueue = (graph, extra) => h.call('POST', '/api/v1/queue/default/enqueue_batch', batch(graph, extra));

async function rejected(graph, kind, nodeId, field) {
  await h.ctl('DELETE', '/record');
  const res = await enqueue(graph);
  assert.equal(res.status, 422, JSON.stringify(res.data));
  assert.ok(Array.isArray(res.data.detail) && res.data.detail.length > 0);
  const record = await h.ctl('GET', '/record');
  const match = record.violations.find((v) => v.kind === kind && (nodeId === undefined || v.node_id === nodeId) && (field === undefined || v.field === field));
  assert.ok(match, `expected a ${kind} violation at ${nodeId}.${field}, got ${JSON.stringify(record.violations)}`);
  assert.equal(record.enqueued.at(-1).status, 422);
  return match;
}

describe('valid graphs are accepted', () => {
  test('SD1.5 txt2img', async () => assert.equal((await enqueue(sd15Graph(h.models))).status, 200));
  test('SDXL txt2img', async () => assert.equal((await enqueue(sdxlGraph(h.models))).status, 200));
  test('FLUX schnell and dev txt2img', async () => {
    assert.equal((await enqueue(fluxGraph(h.models))).status, 200);
    assert.equal((await enqueue(fluxGraph(h.models, { name: 'FLUX.1 dev', steps: 8 }))).status, 200);
  });
  test('upscale of an uploaded image', async () => {
    const up = await h.upload(32, 32);
    assert.equal((await enqueue(upscaleGraph(h.models, up.data.image_name))).status, 200);
  });
  test('SD1.5 img2img and inpaint with uploads', async () => {
    const init = await h.upload(64, 64);
    const mask = await h.upload(64, 64, { category: 'mask' });
    assert.equal((await enqueue(sd15Graph(h.models, { init: init.data.image_name }))).status, 200);
    assert.equal((await enqueue(sd15Graph(h.models, { init: init.data.image_name, mask: mask.data.image_name }))).status, 200);
  });
  test('batch data feeds a node field', async () => {
    const graph = sd15Graph(h.models);
    const res = await enqueue(graph, { data: [[{ node_path: 'noise', field_name: 'seed', items: [1, 2, 3] }]] });
    assert.equal(res.status, 200);
    assert.equal(res.data.enqueued, 3);
    assert.deepEqual(res.data.item_ids, [...res.data.item_ids].sort((a, b) => b - a));
  });
});

describe('mistakes are rejected with 422 and recorded', () => {
  test('unknown node type', async () => {
    const g = sd15Graph(h.models);
    g.nodes.output.type = 'latents_to_image_v9';
    await rejected(g, 'unknown_node_type', 'output', 'type');
  });
  test('required input neither set nor connected', async () => {
    const g = sd15Graph(h.models);
    g.edges = g.edges.filter((e) => !(e.destination.node_id === 'denoise' && e.destination.field === 'unet'));
    await rejected(g, 'missing_required_input', 'denoise', 'unet');
  });
  test('required direct model missing', async () => {
    const g = sd15Graph(h.models);
    delete g.nodes.loader.model;
    await rejected(g, 'missing_required_input', 'loader', 'model');
  });
  test('scheduler not in SCHEDULER_NAME_VALUES', async () => {
    await rejected(sd15Graph(h.models, { scheduler: 'euler_ancestral' }), 'invalid_value', 'denoise', 'scheduler');
  });
  test('value of the wrong type', async () => {
    const g = sd15Graph(h.models);
    g.nodes.denoise.steps = '30';
    await rejected(g, 'invalid_value', 'denoise', 'steps');
  });
  test('value out of range (noise width not a multiple of 8)', async () => {
    await rejected(sd15Graph(h.models, { width: 500 }), 'invalid_value', 'noise', 'width');
  });
  test('field the node does not have', async () => {
    const g = sd15Graph(h.models);
    g.nodes.denoise.num_steps = 4;
    await rejected(g, 'unknown_field', 'denoise', 'num_steps');
  });
  test('edge from a node that does not exist', async () => {
    const g = sd15Graph(h.models);
    g.edges.push({ source: { node_id: 'ghost', field: 'value' }, destination: { node_id: 'noise', field: 'seed' } });
    await rejected(g, 'invalid_edge', 'ghost');
  });
  test('edge from an output field that does not exist', async () => {
    const g = sd15Graph(h.models);
    g.edges.find((e) => e.destination.field === 'noise').source.field = 'latents';
    await rejected(g, 'invalid_edge', 'noise', 'latents');
  });
  test('edge into an input field that does not exist', async () => {
    const g = sd15Graph(h.models);
    g.edges.find((e) => e.destination.field === 'noise').destination.field = 'noisy';
    await rejected(g, 'invalid_edge', 'denoise', 'noisy');
  });
  test('edge whose output type does not fit (latents into image)', async () => {
    const init = await h.upload(64, 64);
    const g = sd15Graph(h.models, { init: init.data.image_name });
    delete g.nodes.i2l.image;
    g.edges.push({ source: { node_id: 'denoise', field: 'latents' }, destination: { node_id: 'i2l', field: 'image' } });
    const v = await rejected(g, 'edge_type_mismatch', 'i2l', 'image');
    assert.match(v.message, /LatentsField.*ImageField/);
  });
  test('two edges into one input', async () => {
    const g = sd15Graph(h.models);
    g.edges.push({ source: { node_id: 'pos', field: 'conditioning' }, destination: { node_id: 'denoise', field: 'negative_conditioning' } });
    await rejected(g, 'invalid_edge', 'denoise', 'negative_conditioning');
  });
  test('a cycle', async () => {
    const g = sd15Graph(h.models);
    g.nodes.i2l = { id: 'i2l', type: 'i2l' };
    g.edges.push(
      { source: { node_id: 'output', field: 'image' }, destination: { node_id: 'i2l', field: 'image' } },
      { source: { node_id: 'i2l', field: 'latents' }, destination: { node_id: 'denoise', field: 'latents' } },
      { source: { node_id: 'loader', field: 'vae' }, destination: { node_id: 'i2l', field: 'vae' } });
    await rejected(g, 'invalid_graph');
  });
  test('node id that differs from its key', async () => {
    const g = sd15Graph(h.models);
    g.nodes.noise.id = 'noise2';
    await rejected(g, 'invalid_graph', 'noise', 'id');
  });
  test('image the node never received', async () => {
    await rejected(sd15Graph(h.models, { init: 'never-uploaded.png' }), 'unknown_image', 'i2l', 'image');
  });
  test('image that was deleted', async () => {
    const up = await h.upload(32, 32);
    await h.call('DELETE', `/api/v1/images/i/${up.data.image_name}`);
    await rejected(upscaleGraph(h.models, up.data.image_name), 'unknown_image', 'output', 'image');
  });
  test('model key not installed', async () => {
    const g = sd15Graph(h.models);
    g.nodes.loader.model.key = '00000000-0000-4000-a000-000000000000';
    await rejected(g, 'unknown_model', 'loader', 'model');
  });
  test('model whose base disagrees with the installed config', async () => {
    const g = sd15Graph(h.models);
    g.nodes.loader.model.base = 'sdxl';
    await rejected(g, 'model_mismatch', 'loader', 'model');
  });
  test('model of the wrong base for the loader (SDXL model in the SD1 loader)', async () => {
    const g = sd15Graph(h.models);
    g.nodes.loader.model = ident(h.models.find((m) => m.name === 'Juggernaut XL v9'));
    await rejected(g, 'model_mismatch', 'loader', 'model');
  });
  test('batch data naming a node that is not in the graph', async () => {
    await h.ctl('DELETE', '/record');
    const res = await enqueue(sd15Graph(h.models), { data: [[{ node_path: 'seed', field_name: 'value', items: [1] }]] });
    assert.equal(res.status, 422);
  });
  test('batch data with a wrong value type is checked per session', async () => {
    const res = await enqueue(sd15Graph(h.models), { data: [[{ node_path: 'noise', field_name: 'seed', items: [1, 'two'] }]] });
    assert.equal(res.status, 422);
  });
});
