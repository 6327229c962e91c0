// The queue, events and REST shapes of one node: event order, timestamps, cancel, failure, restart, limits.
import assert from 'node:assert/strict';
import net from 'node:net';
import { afterEach, test } from 'node:test';
import { io as connect } from 'socket.io-client';
import { decodePng } from '../lib/png.mjs';
import { batch, fluxGraph, sd15Graph, upscaleGraph } from './graphs.mjs';
import { eventually, startServer } from './harness.mjs';

const TIMESTAMP = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}$/;
let h;
afterEach(() => h?.close());

const enqueue = (graph, extra) => h.call('POST', '/api/v1/queue/default/enqueue_batch', batch(graph, extra));
const item = async (id) => (await h.call('GET', `/api/v1/queue/default/i/${id}`)).data;
const settled = (id) => eventually(async () => {
  const it = await item(id);
  return ['completed', 'failed', 'canceled'].includes(it.status) && it;
}, `item ${id} to finish`);

test('one SD1.5 item: event order, payloads, timestamps, results and the output PNG', async () => {
  h = await startServer({ model_load_delay_ms: 5 });
  const { events } = await h.subscribe();
  const res = await enqueue(sd15Graph(h.models, { width: 320, height: 256, steps: 5 }));
  assert.equal(res.status, 200);
  const [id] = res.data.item_ids;
  const done = await settled(id);
  assert.equal(done.status, 'completed');
  await eventually(() => events.some(([n, p]) => n === 'queue_item_status_changed' && p.status === 'completed'), 'the completed event');

  const names = events.map(([n]) => n);
  const first = (n) => names.indexOf(n);
  assert.equal(names[0], 'batch_enqueued');
  assert.ok(first('queue_item_status_changed') < first('invocation_started'));
  assert.ok(first('model_load_started') < first('model_load_complete'));
  assert.ok(first('model_load_complete') < first('invocation_progress'));
  const progress = events.filter(([n]) => n === 'invocation_progress').map(([, p]) => p);
  assert.equal(progress.length, 5);
  assert.deepEqual(progress.map((p) => p.percentage), [0.2, 0.4, 0.6, 0.8, 1]);
  for (const p of progress) {
    assert.equal(p.message, 'Denoising');
    assert.equal(p.invocation_source_id, 'denoise');
    assert.match(p.image.dataURL, /^data:image\/png;base64,/);
    assert.ok(p.image.width > 0 && p.image.height > 0);
    assert.ok(Number.isInteger(p.timestamp));
    assert.equal(p.device, 'cuda:0');
  }
  const statuses = events.filter(([n]) => n === 'queue_item_status_changed').map(([, p]) => p);
  assert.deepEqual(statuses.map((p) => p.status), ['in_progress', 'completed']);
  assert.ok(statuses[1].status_sequence > statuses[0].status_sequence);
  assert.match(statuses[1].started_at, TIMESTAMP);
  assert.match(statuses[1].completed_at, TIMESTAMP);
  assert.equal(statuses[1].queue_status.completed, 1);
  assert.equal(statuses[1].batch_status.batch_id, res.data.batch.batch_id);
  const load = events.find(([n]) => n === 'model_load_started')[1];
  assert.equal(load.config.name, 'Dreamshaper 8');
  assert.equal(load.submodel_type, 'unet');

  const complete = events.filter(([n, p]) => n === 'invocation_complete' && p.invocation_source_id === 'output').map(([, p]) => p)[0];
  assert.equal(complete.result.type, 'image_output');
  assert.equal(complete.result.width, 320);
  assert.equal(complete.result.height, 256);
  assert.equal(names.at(-1), 'queue_item_status_changed');
  assert.ok(names.lastIndexOf('invocation_complete') < names.lastIndexOf('queue_item_status_changed'));

  // REST: nulls omitted, timestamps like InvokeAI, results found through source_prepared_mapping.
  for (const key of ['created_at', 'updated_at', 'started_at', 'completed_at']) assert.match(done[key], TIMESTAMP);
  assert.ok(!('error_type' in done) && !('retried_from_item_id' in done));
  const prepared = done.session.source_prepared_mapping.output[0];
  const result = done.session.results[prepared];
  assert.equal(result.image.image_name, complete.result.image.image_name);
  const dto = await h.call('GET', `/api/v1/images/i/${result.image.image_name}`);
  assert.equal(dto.data.width, 320);
  const png = await h.call('GET', `/api/v1/images/i/${result.image.image_name}/full`);
  assert.equal(png.headers.get('content-type'), 'image/png');
  const decoded = decodePng(png.data);
  assert.deepEqual([decoded.width, decoded.height], [320, 256]);

  const deleted = await h.call('DELETE', `/api/v1/images/i/${result.image.image_name}`);
  assert.deepEqual(deleted.data.deleted_images, [result.image.image_name]);
  assert.equal((await h.call('GET', `/api/v1/images/i/${result.image.image_name}/full`)).status, 404);
});

test('same seed gives the same pixels; img2img keeps the init size; upscale multiplies it', async () => {
  h = await startServer();
  const a = await settled((await enqueue(fluxGraph(h.models, { width: 256, height: 128 }))).data.item_ids[0]);
  const b = await settled((await enqueue(fluxGraph(h.models, { width: 256, height: 128 }))).data.item_ids[0]);
  const png = async (it) => (await h.call('GET', `/api/v1/images/i/${it.session.results[it.session.source_prepared_mapping.output[0]].image.image_name}/full`)).data;
  const [pa, pb] = [await png(a), await png(b)];
  assert.notEqual((await item(a.item_id)).session.results, undefined);
  assert.deepEqual(decodePng(pa).rgb, decodePng(pb).rgb);

  const init = await h.upload(96, 64);
  const i2i = await settled((await enqueue(sd15Graph(h.models, { init: init.data.image_name, width: 512, height: 512 }))).data.item_ids[0]);
  assert.deepEqual([decodePng(await png(i2i)).width, decodePng(await png(i2i)).height], [96, 64]);

  const up = await settled((await enqueue(upscaleGraph(h.models, init.data.image_name, { name: 'RealESRGAN_x4plus' }))).data.item_ids[0]);
  const upscaled = decodePng(await png(up));
  assert.deepEqual([upscaled.width, upscaled.height], [384, 256]);
});

test('cancel stops at the next step and the item ends canceled, without an error', async () => {
  h = await startServer({ step_delay_ms: 30 });
  const { events } = await h.subscribe();
  const [id] = (await enqueue(sd15Graph(h.models, { steps: 50 }))).data.item_ids;
  await eventually(() => events.some(([n]) => n === 'invocation_progress'), 'progress');
  const canceled = await h.call('PUT', `/api/v1/queue/default/i/${id}/cancel`);
  assert.equal(canceled.data.status, 'canceled');
  const done = await settled(id);
  assert.equal(done.status, 'canceled');
  assert.ok(!('error_type' in done));
  const seen = events.filter(([n]) => n === 'invocation_progress').length;
  assert.ok(seen < 50);
  const record = await h.ctl('GET', '/record');
  assert.deepEqual(record.cancels, [id]);
});

test('fail-next: invocation_error, then the item fails with the error', async () => {
  h = await startServer();
  const { events } = await h.subscribe();
  await h.ctl('POST', '/fail-next', { error_type: 'OutOfMemoryError', error_message: 'CUDA out of memory' });
  const [id] = (await enqueue(sd15Graph(h.models))).data.item_ids;
  const done = await settled(id);
  assert.equal(done.status, 'failed');
  assert.equal(done.error_type, 'OutOfMemoryError');
  assert.equal(done.error_message, 'CUDA out of memory');
  const error = events.find(([n]) => n === 'invocation_error')[1];
  assert.equal(error.invocation_source_id, 'denoise');
  assert.match(error.error_traceback, /OutOfMemoryError: CUDA out of memory/);
  // Only the next item fails.
  assert.equal((await settled((await enqueue(sd15Graph(h.models))).data.item_ids[0])).status, 'completed');
});

test('restart cancels the in-progress item, drops sockets, refuses connections, then serves again', async () => {
  h = await startServer({ step_delay_ms: 20 });
  const { socket, events } = await h.subscribe();
  const [second, first] = (await enqueue(sd15Graph(h.models, { steps: 100 }), { runs: 2 })).data.item_ids;
  await eventually(() => events.some(([n]) => n === 'invocation_progress'), 'progress');
  await h.ctl('POST', '/restart', { downtime_ms: 300 });
  await eventually(() => !socket.connected, 'the socket to drop');
  await assert.rejects(fetch(`${h.base}/api/v1/app/version`));
  await eventually(async () => (await h.ctl('GET', '/state')).listening, 'the node to come back');
  const canceled = await item(first);
  assert.equal(canceled.status, 'canceled');
  assert.ok(!('error_type' in canceled));
  // The pending item was not in progress: InvokeAI runs it after the restart.
  assert.notEqual((await settled(second)).status, 'canceled');
  assert.equal((await h.ctl('GET', '/record')).restarts, 1);
});

test('down and up: connections refused until told', async () => {
  h = await startServer();
  await h.ctl('POST', '/down');
  await assert.rejects(fetch(`${h.base}/api/v1/app/version`));
  await h.ctl('POST', '/up');
  assert.equal((await h.call('GET', '/api/v1/app/version')).status, 200);
});

test('down drops at once an upgraded websocket whose peer never answers the close', async () => {
  h = await startServer();
  const url = new URL(h.base);
  const raw = net.connect(Number(url.port), url.hostname);
  const upgraded = new Promise((resolve, reject) => {
    raw.once('data', (chunk) => (chunk.toString().startsWith('HTTP/1.1 101') ? resolve() : reject(new Error(chunk.toString()))));
    raw.once('error', reject);
  });
  raw.write('GET /ws/socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n'
    + 'Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
  await upgraded;
  const closed = new Promise((resolve) => raw.once('close', resolve));
  raw.on('data', () => {}); // reads frames, never answers a close frame
  // A graceful close would wait 30 s for the peer; the control call must not.
  const down = h.ctl('POST', '/down');
  const result = await Promise.race([down.then(() => 'down'), new Promise((r) => setTimeout(() => r('hung'), 5000))]);
  assert.equal(result, 'down');
  await closed;
  await assert.rejects(fetch(`${h.base}/api/v1/app/version`));
});

test('maintenance answers 409; max_queue_size truncates; prepend raises priority', async () => {
  h = await startServer({ step_delay_ms: 50, max_queue_size: 2 });
  await h.ctl('PUT', '/maintenance', { on: true });
  assert.equal((await enqueue(sd15Graph(h.models))).status, 409);
  await h.ctl('PUT', '/maintenance', { on: false });
  const res = await enqueue(sd15Graph(h.models), { runs: 4 });
  assert.equal(res.data.requested, 4);
  assert.equal(res.data.enqueued, 2); // one item starts at once, but the count is taken before it does
  const pre = await h.call('POST', '/api/v1/queue/default/enqueue_batch', { prepend: true, batch: { graph: sd15Graph(h.models), runs: 1 } });
  assert.equal(pre.data.priority, 1);
  const status = (await h.call('GET', '/api/v1/queue/default/status')).data;
  assert.equal(status.queue.in_progress, 1);
  assert.equal(status.processor.is_processing, true);
});

test('token: 401 without it on REST, socket refused without it, version open', async () => {
  h = await startServer({ token: 'sekret' });
  assert.equal((await fetch(`${h.base}/api/v2/models/`)).status, 401);
  assert.equal((await fetch(`${h.base}/api/v1/app/version`)).status, 200);
  assert.equal((await h.call('GET', '/api/v2/models/')).status, 200);
  const socket = connect(h.base, { path: '/ws/socket.io', transports: ['websocket'], reconnection: false, auth: { token: 'wrong' } });
  const error = await new Promise((resolve) => socket.once('connect_error', resolve));
  assert.match(error.message, /Not authenticated/);
  socket.close();
  await h.subscribe(); // with the token
});

test('uploads: non-images are 415, JPEG and WebP sizes are read, models filter', async () => {
  h = await startServer();
  assert.equal((await h.upload(0, 0, { contentType: 'text/plain', bytes: Buffer.from('hello') })).status, 415);
  assert.equal((await h.upload(0, 0, { contentType: 'image/png', bytes: Buffer.from('not a png at all') })).status, 415);
  const jpeg = Buffer.from('ffd8ffe000104a46494600010100000100010000ffc00011080030004003012200021101031101ffd9', 'hex');
  const up = await h.upload(0, 0, { contentType: 'image/jpeg', bytes: jpeg });
  assert.equal(up.status, 201);
  assert.deepEqual([up.data.width, up.data.height], [64, 48]);
  const list = async (q) => (await h.call('GET', `/api/v2/models/?${q}`)).data.models.map((m) => m.name).sort();
  assert.deepEqual(await list('base_models=sd-1&base_models=sdxl&model_type=main'), ['Dreamshaper 8', 'Juggernaut XL v9']);
  assert.deepEqual(await list('model_type=main&model_name=FLUX.1%20dev'), ['FLUX.1 dev']);
  const one = h.models[0];
  assert.deepEqual((await h.call('GET', `/api/v2/models/i/${one.key}`)).data, one);
  assert.equal((await h.call('GET', '/api/v2/models/i/nope')).status, 404);
});

test('concurrency 2 runs two items at once on two devices', async () => {
  h = await startServer({ step_delay_ms: 20, concurrency: 2 });
  const ids = (await enqueue(sd15Graph(h.models, { steps: 10 }), { runs: 2 })).data.item_ids;
  await eventually(async () => (await h.call('GET', '/api/v1/queue/default/status')).data.queue.in_progress === 2, 'two in progress');
  const devices = (await Promise.all(ids.map(settled))).map((it) => it.device).sort();
  assert.deepEqual(devices, ['cuda:0', 'cuda:1']);
});

test('inpaint: white mask pixels keep the init image, black ones are generated', async () => {
  h = await startServer();
  const { encodePng } = await import('../lib/png.mjs');
  const [w, hgt] = [64, 32];
  const init = await h.upload(w, hgt); // every pixel 200
  const maskRgb = Buffer.alloc(w * hgt * 3);
  for (let y = 0; y < hgt; y++) for (let x = w / 2; x < w; x++) maskRgb.fill(255, (y * w + x) * 3, (y * w + x) * 3 + 3);
  const mask = await h.upload(w, hgt, { category: 'mask', bytes: encodePng(w, hgt, maskRgb) });
  const done = await settled((await enqueue(sd15Graph(h.models, { init: init.data.image_name, mask: mask.data.image_name, strength: 1 }))).data.item_ids[0]);
  assert.equal(done.status, 'completed');
  const name = done.session.results[done.session.source_prepared_mapping.output[0]].image.image_name;
  const out = decodePng((await h.call('GET', `/api/v1/images/i/${name}/full`)).data);
  assert.deepEqual([out.width, out.height], [w, hgt]);
  let kept = 0, changed = 0;
  for (let y = 0; y < hgt; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 3;
      const same = out.rgb[i] === 200 && out.rgb[i + 1] === 200 && out.rgb[i + 2] === 200;
      if (x >= w / 2) assert.ok(same, `pixel ${x},${y} under white must be kept`);
      else if (same) kept++; else changed++;
    }
  }
  assert.ok(changed > kept, 'the black half is generated');
});

test('emit_events false: the socket stays connected but hears nothing; REST still shows the item', async () => {
  h = await startServer();
  await h.ctl('PUT', '/settings', { emit_events: false });
  const { socket, events } = await h.subscribe();
  const done = await settled((await enqueue(sd15Graph(h.models))).data.item_ids[0]);
  assert.equal(done.status, 'completed');
  assert.ok(socket.connected);
  assert.deepEqual(events, []);
});

test('restart with clear_queue deletes the default queue, pending items included', async () => {
  h = await startServer({ step_delay_ms: 20 });
  const ids = (await enqueue(sd15Graph(h.models, { steps: 100 }), { runs: 2 })).data.item_ids;
  await eventually(async () => (await h.call('GET', '/api/v1/queue/default/status')).data.queue.in_progress === 1, 'one running');
  await h.ctl('POST', '/restart', { downtime_ms: 50, clear_queue: true });
  await eventually(async () => (await h.ctl('GET', '/state')).listening, 'the node to come back');
  for (const id of ids) assert.equal((await h.call('GET', `/api/v1/queue/default/i/${id}`)).status, 404);
});

test('cancel_by_destination: pending items quietly (queue_items_canceled), the running one with its status event', async () => {
  h = await startServer({ step_delay_ms: 20 });
  const { events } = await h.subscribe();
  const [pendingId, runningId] = (await enqueue(sd15Graph(h.models, { steps: 100 }), { runs: 2, destination: 'job-9' })).data.item_ids;
  const other = (await enqueue(sd15Graph(h.models, { steps: 1 }), { destination: 'job-10' })).data.item_ids[0];
  await eventually(() => events.some(([n]) => n === 'invocation_progress'), 'progress');
  assert.equal((await h.call('PUT', '/api/v1/queue/default/cancel_by_destination')).status, 422);
  const res = await h.call('PUT', '/api/v1/queue/default/cancel_by_destination?destination=job-9');
  assert.deepEqual(res.data, { canceled: 2 });
  assert.equal((await item(runningId)).status, 'canceled');
  assert.equal((await item(pendingId)).status, 'canceled');
  const bulk = events.find(([n]) => n === 'queue_items_canceled')[1];
  assert.deepEqual(bulk.canceled_item_ids, [pendingId]);
  assert.ok(events.some(([n, p]) => n === 'queue_item_status_changed' && p.item_id === runningId && p.status === 'canceled'));
  assert.ok(!events.some(([n, p]) => n === 'queue_item_status_changed' && p.item_id === pendingId));
  assert.equal((await settled(other)).status, 'completed');
  const counts = (await h.call('GET', '/api/v1/queue/default/counts_by_destination?destination=job-9')).data;
  assert.equal(counts.canceled, 2);
  assert.deepEqual((await h.call('GET', '/api/v1/queue/default/item_ids')).data.item_ids, [other, pendingId, runningId]);
  assert.deepEqual((await h.call('PUT', '/api/v1/queue/default/prune')).data, { deleted: 3 });
});
