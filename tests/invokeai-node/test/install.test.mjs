// Model installs (POST /api/v2/models/install and the job routes), model deletion and the install events.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { afterEach, test } from 'node:test';
import { buildSafetensors } from '../lib/lora-probe.mjs';
import { FLUX_LORA, SD1_LORA, SDXL_LORA, serveFiles } from './loras.mjs';
import { eventually, startServer } from './harness.mjs';

let h;
let files;
afterEach(async () => {
  await h?.close();
  await files?.close();
  h = files = undefined;
});

const install = (source, body = {}, query = '') => h.call('POST', `/api/v2/models/install?source=${encodeURIComponent(source)}${query}`, body);
const job = async (id) => (await h.call('GET', `/api/v2/models/install/${id}`)).data;
const finished = (id) => eventually(async () => {
  const j = await job(id);
  return ['completed', 'error', 'cancelled'].includes(j.status) && j;
}, `install ${id} to finish`);

test('a URL install downloads, probes an SD1 LoRA and registers it, with InvokeAI\'s job shape and events', async () => {
  files = await serveFiles({ '/loras/Pixel%20Art.safetensors': SD1_LORA });
  h = await startServer();
  const { events } = await h.subscribe();
  const res = await install(files.url('/loras/Pixel%20Art.safetensors'), { name: 'pixel-art' });
  assert.equal(res.status, 201);
  assert.equal(res.data.status, 'waiting');
  assert.deepEqual(res.data.source, { url: files.url('/loras/Pixel%20Art.safetensors'), access_token: null, type: 'url' });
  assert.deepEqual(res.data.config_in, { name: 'pixel-art' });
  for (const key of ['id', 'status', 'error_reason', 'config_in', 'config_out', 'inplace', 'source', 'local_path', 'bytes', 'total_bytes', 'source_metadata', 'download_parts', 'error', 'error_traceback']) {
    assert.ok(key in res.data, `ModelInstallJob.${key}`);
  }

  const done = await finished(res.data.id);
  assert.equal(done.status, 'completed');
  assert.equal(done.bytes, SD1_LORA.length);
  assert.equal(done.total_bytes, SD1_LORA.length);
  const config = done.config_out;
  assert.equal(config.type, 'lora');
  assert.equal(config.format, 'lycoris');
  assert.equal(config.base, 'sd-1');
  assert.equal(config.name, 'pixel-art');
  assert.equal(config.file_size, SD1_LORA.length);
  assert.match(config.hash, /^blake3:[0-9a-f]{64}$/);
  assert.equal(config.source_type, 'url');
  assert.match(config.path, /Pixel Art\.safetensors$/);
  assert.deepEqual((await h.call('GET', `/api/v2/models/i/${config.key}`)).data, config);
  assert.equal((await h.call('GET', '/api/v2/models/?model_type=lora')).data.models.length, 1);
  assert.deepEqual((await h.call('GET', '/api/v2/models/install')).data.map((j) => j.id), [res.data.id]);

  await eventually(() => events.some(([n]) => n === 'model_install_complete'), 'the complete event');
  const names = events.map(([n]) => n).filter((n) => n.startsWith('model_install'));
  assert.deepEqual([...new Set(names)], ['model_install_download_progress', 'model_install_downloads_complete', 'model_install_started', 'model_install_complete']);
  const complete = events.find(([n]) => n === 'model_install_complete')[1];
  assert.equal(complete.key, config.key);
  assert.deepEqual(complete.config, config);
  assert.equal(complete.id, res.data.id);
  assert.ok(Number.isInteger(complete.timestamp));
  const progress = events.filter(([n]) => n === 'model_install_download_progress').at(-1)[1];
  assert.equal(progress.bytes, SD1_LORA.length);
  assert.equal(progress.parts[0].url, files.url('/loras/Pixel%20Art.safetensors'));

  const record = await h.ctl('GET', '/record');
  assert.deepEqual(record.installs, [{
    id: res.data.id, source: files.url('/loras/Pixel%20Art.safetensors'), name: 'pixel-art', status: 'completed', bytes: SD1_LORA.length,
    sha256: crypto.createHash('sha256').update(SD1_LORA).digest('hex'), key: config.key, had_access_token: false,
  }]);
});

test('SDXL and FLUX LoRAs are told apart; the name defaults to the file name', async () => {
  files = await serveFiles({ '/a/xl-style.safetensors': SDXL_LORA, '/b/flux_detail.safetensors': FLUX_LORA });
  h = await startServer();
  const xl = await finished((await install(files.url('/a/xl-style.safetensors'))).data.id);
  const flux = await finished((await install(files.url('/b/flux_detail.safetensors'))).data.id);
  assert.equal(xl.config_out.base, 'sdxl');
  assert.equal(xl.config_out.name, 'xl-style');
  assert.equal(flux.config_out.base, 'flux');
  assert.equal(flux.config_out.name, 'flux_detail');
  assert.notEqual(xl.config_out.hash, flux.config_out.hash);

  // The diffusers (PEFT) spelling of a FLUX LoRA is FLUX too.
  const diffusersFlux = buildSafetensors({ 'transformer.transformer_blocks.0.attn.to_k.lora_A.weight': [4, 3072] });
  const peft = await serveFiles({ '/peft.safetensors': diffusersFlux });
  try {
    assert.equal((await finished((await install(peft.url('/peft.safetensors'))).data.id)).config_out.base, 'flux');
  } finally {
    await peft.close();
  }
});

test('files that are no recognisable LoRA, HTTP errors, private URLs and injected failures end the job in error', async () => {
  const unknownBase = buildSafetensors({ 'lora_unet_x_attn2_to_k.lora_down.weight': [4, 512] });
  files = await serveFiles({ '/junk.safetensors': Buffer.from('not a safetensors file at all'), '/odd.safetensors': unknownBase, '/gone.safetensors': 404, '/ok.safetensors': SD1_LORA });
  h = await startServer();
  const { events } = await h.subscribe();

  const junk = await finished((await install(files.url('/junk.safetensors'))).data.id);
  assert.equal(junk.status, 'error');
  assert.equal(junk.error_reason, 'InvalidModelConfigException');
  assert.match(junk.error, /^Could not identify model for /);
  assert.match(junk.error_traceback, /InvalidModelConfigException/);
  const odd = await finished((await install(files.url('/odd.safetensors'))).data.id);
  assert.equal(odd.error_reason, 'InvalidModelConfigException');
  const gone = await finished((await install(files.url('/gone.safetensors'))).data.id);
  assert.equal(gone.error_reason, 'HTTPError');
  assert.equal(gone.error, 'Not Found');

  await h.ctl('POST', '/fail-next-install', { error_type: 'OSError', error_message: 'No space left on device' });
  const failed = await finished((await install(files.url('/ok.safetensors'))).data.id);
  assert.equal(failed.error_reason, 'OSError');
  assert.equal(failed.error, 'No space left on device');

  await h.ctl('PUT', '/settings', { allow_private_download_urls: false });
  const refused = await finished((await install(`${files.url('/ok.safetensors')}?again`)).data.id);
  assert.equal(refused.error_reason, 'UnsafeDownloadURLException');
  assert.match(refused.error, /Refusing to download from '127\.0\.0\.1': it resolves to a non-public address/);

  const errors = events.filter(([n]) => n === 'model_install_error').map(([, p]) => p);
  assert.deepEqual(errors.map((e) => e.error_type), ['InvalidModelConfigException', 'InvalidModelConfigException', 'HTTPError', 'OSError', 'UnsafeDownloadURLException']);
  assert.equal((await h.call('GET', '/api/v2/models/?model_type=lora')).data.models.length, 0);
  assert.deepEqual((await h.ctl('GET', '/record')).installs.map((i) => i.status), ['error', 'error', 'error', 'error', 'error']);
});

test('cancel stops an install; the same active source gives the same job; unknown ids answer as InvokeAI', async () => {
  files = await serveFiles({ '/slow.safetensors': SD1_LORA });
  h = await startServer({ install_delay_ms: 5000 });
  const { events } = await h.subscribe();
  const first = await install(files.url('/slow.safetensors'));
  const again = await install(files.url('/slow.safetensors'), { name: 'other' });
  assert.equal(again.data.id, first.data.id);
  await eventually(async () => (await job(first.data.id)).status === 'downloading', 'downloading');
  const cancel = await h.call('DELETE', `/api/v2/models/install/${first.data.id}`);
  assert.equal(cancel.status, 201);
  assert.equal(cancel.data, null);
  assert.equal((await job(first.data.id)).status, 'cancelled');
  await eventually(() => events.some(([n, p]) => n === 'model_install_cancelled' && p.id === first.data.id), 'the cancelled event');
  assert.equal((await h.call('GET', '/api/v2/models/?model_type=lora')).data.models.length, 0);

  assert.deepEqual(await h.call('GET', '/api/v2/models/install/999').then((r) => [r.status, r.data]), [404, { detail: 'No job with id 999 known' }]);
  assert.equal((await h.call('DELETE', '/api/v2/models/install/999')).status, 415);
  assert.equal((await h.call('GET', '/api/v2/models/install/abc')).status, 422);
});

test('access_token is sent as a bearer token to the download URL', async () => {
  files = await serveFiles({ '/private.safetensors': { token: 's3cret', bytes: SD1_LORA } });
  h = await startServer();
  const denied = await finished((await install(files.url('/private.safetensors'))).data.id);
  assert.equal(denied.error_reason, 'HTTPError');
  const res = await install(files.url('/private.safetensors'), {}, '&access_token=s3cret');
  assert.equal(res.data.source.access_token, 's3cret');
  assert.equal((await finished(res.data.id)).status, 'completed');
  assert.deepEqual((await h.ctl('GET', '/record')).installs.map((i) => i.had_access_token), [false, true]);
});

test('the body is a ModelRecordChanges and the source must parse', async () => {
  h = await startServer();
  const unknown = await install('https://example.com/x.safetensors', { nmae: 'typo' });
  assert.equal(unknown.status, 422);
  assert.deepEqual(unknown.data.detail[0].loc, ['body', 'nmae']);
  assert.equal((await install('https://example.com/x.safetensors', { name: 5 })).status, 422);
  assert.equal((await install('https://example.com/x.safetensors', { base: 'sd-9' })).status, 422);
  assert.equal((await h.call('POST', '/api/v2/models/install', {})).status, 422);
  const bad = await install('not a source', {});
  assert.equal(bad.status, 409);
  assert.equal(bad.data.detail, "Unsupported model source: 'not a source'");
  assert.deepEqual((await h.call('GET', '/api/v2/models/install')).data, []);
});

test('DELETE /api/v2/models/i/{key} removes the model and is recorded', async () => {
  files = await serveFiles({ '/l.safetensors': SD1_LORA });
  h = await startServer();
  const done = await finished((await install(files.url('/l.safetensors'))).data.id);
  const key = done.config_out.key;
  const del = await h.call('DELETE', `/api/v2/models/i/${key}`);
  assert.equal(del.status, 204);
  assert.equal((await h.call('GET', `/api/v2/models/i/${key}`)).status, 404);
  const again = await h.call('DELETE', `/api/v2/models/i/${key}`);
  assert.deepEqual([again.status, again.data], [404, { detail: 'model not found' }]);
  assert.deepEqual((await h.ctl('GET', '/record')).deleted_models, [key]);
});
