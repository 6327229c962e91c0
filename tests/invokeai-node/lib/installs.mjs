// InvokeAI's model installer for a URL or local-file source (model_install_default.py): the job
// goes waiting -> downloading -> downloads_done -> running -> completed (or error / cancelled), with
// InvokeAI's install events to the admin room. The file is really fetched (Node core http/https),
// probed as a LoRA (lora-probe.mjs) and registered as a LoRA_LyCORIS_* config.
import crypto from 'node:crypto';
import dns from 'node:dns/promises';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import { probeLora } from './lora-probe.mjs';
import { delay, eventTimestamp, omitNulls, uuid } from './util.mjs';

const MODELS_DIR = '/invokeai/models';
const TERMINAL = new Set(['completed', 'error', 'cancelled']);
const HF_REPO = /^([^/:]+\/[^/:]+)(?::([^:]*)(?::\/?([^:]+))?)?$/;

class InstallError extends Error {
  constructor(type, message) {
    super(message);
    this.errorType = type;
  }
}

export class ModelInstaller {
  /** @param node the InvokeAiNode: models, settings, emit, record */
  constructor(node) {
    this.node = node;
    this.jobs = new Map();
    this.nextId = 1;
    this.failNext = null;
  }

  /**
   * heuristic_import: { job } (201), or { status, detail } as the route answers (409 for a source
   * it cannot parse, as InvokeAI's ValueError). An active job for the same source is returned again.
   */
  start(sourceText, { inplace = false, accessToken = null, config = {} }) {
    const source = guessSource(sourceText, inplace, accessToken);
    if (source.error) return { status: 409, detail: source.error };
    const same = [...this.jobs.values()].find((j) => sameSource(j.source, source) && !TERMINAL.has(j.status));
    if (same) return { job: same };
    const id = this.nextId++;
    const job = {
      id,
      status: 'waiting',
      error_reason: null,
      config_in: omitNulls(config), // ModelRecordChanges is a BaseModelExcludeNull
      config_out: null,
      inplace: source.type === 'local' ? inplace : false,
      source,
      local_path: source.type === 'local' ? source.path : `${MODELS_DIR}/tmpinstall_${crypto.randomBytes(4).toString('hex')}`,
      bytes: 0,
      total_bytes: 0,
      source_metadata: null,
      download_parts: [],
      error: null,
      error_traceback: null,
    };
    this.jobs.set(id, job);
    const recorded = { id, source: sourceText, name: config.name ?? null, status: job.status, bytes: 0, sha256: null, key: null, access_token: accessToken };
    this.node.record.installs.push(recorded);
    job.recorded = recorded;
    this.run(job).catch((error) => this.#fail(job, error));
    return { job };
  }

  get(id) {
    return this.jobs.get(id);
  }

  list() {
    return [...this.jobs.values()];
  }

  /** cancel_job: the status becomes cancelled (even of a finished job, as InvokeAI's job.cancel()); a running download stops. */
  cancel(job) {
    const active = !TERMINAL.has(job.status);
    this.#setStatus(job, 'cancelled');
    job.abort?.();
    if (active) this.#emit('model_install_cancelled', { id: job.id, source: job.source });
  }

  async run(job) {
    await new Promise((resolve) => setImmediate(resolve)); // the route answers the job as created (waiting) first
    if (job.status === 'cancelled') return;
    let bytes, fileName;
    if (job.source.type === 'url') {
      const part = { id: job.id, dest: job.local_path, download_path: null, status: 'waiting', bytes: 0, total_bytes: 0, error_type: null, error: null, source: job.source.url, access_token: job.source.access_token, priority: 10, job_started: null, job_ended: null, content_type: null };
      job.download_parts = [part];
      this.#setStatus(job, 'downloading');
      ({ bytes, fileName } = await this.#download(job, part));
      if (job.status === 'cancelled') return;
    } else if (job.source.type === 'local') {
      bytes = await fs.promises.readFile(job.source.path);
      fileName = path.basename(job.source.path);
      job.bytes = job.total_bytes = bytes.length;
    } else {
      // No Hugging Face here: the test node has no network beyond what a test serves it.
      throw new InstallError('OSError', `${job.source.repo_id}: the test node cannot reach Hugging Face`);
    }
    job.recorded.bytes = bytes.length;
    job.recorded.sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
    if (this.node.settings.install_delay_ms > 0) await delay(this.node.settings.install_delay_ms);
    if (job.status === 'cancelled') return;
    if (job.source.type !== 'local') {
      this.#setStatus(job, 'downloads_done');
      this.#emit('model_install_downloads_complete', { id: job.id, source: job.source });
    }
    this.#setStatus(job, 'running');
    this.#emit('model_install_started', { id: job.id, source: job.source });

    const failure = this.failNext;
    this.failNext = null;
    if (failure) throw new InstallError(failure.error_type, failure.error_message);
    const key = uuid();
    const modelPath = `${key}/${fileName}`;
    const probed = probeLora(bytes, `${MODELS_DIR}/${modelPath}`);
    if (probed.error) throw new InstallError(probed.error_type, probed.error);
    const overrides = Object.fromEntries(Object.entries(job.config_in).filter(([, v]) => v !== null && v !== undefined));
    const digest = job.recorded.sha256;
    const config = {
      key,
      // InvokeAI's default hashing_algorithm is blake3_single; Node core has no BLAKE3, so this is
      // SHA-256 of the file under InvokeAI's prefix: stable per content, which is all a client may rely on.
      hash: `blake3:${digest}`,
      path: modelPath,
      file_size: bytes.length,
      name: fileName.replace(/\.[^.]*$/, ''),
      description: null,
      source: job.source.type === 'url' ? job.source.url : job.source.path,
      source_type: job.source.type === 'url' ? 'url' : 'path',
      source_api_response: null,
      source_url: null,
      cover_image: null,
      type: 'lora',
      trigger_phrases: null,
      default_settings: null,
      format: 'lycoris',
      base: probed.base,
      ...overrides,
    };
    this.node.models.set(config.key, config);
    this.node.files.set(config.key, { path: `${MODELS_DIR}/${modelPath}`, size: bytes.length });
    job.config_out = config;
    Object.assign(job.recorded, { key: config.key, name: config.name });
    this.#setStatus(job, 'completed');
    this.#emit('model_install_complete', { id: job.id, source: job.source, key: config.key, total_bytes: job.total_bytes, config });
  }

  async #download(job, part) {
    const url = job.source.url;
    let response;
    for (let hops = 0, current = url; ; hops++) {
      await this.#checkUrl(current);
      response = await get(current, job.source.access_token, job);
      const location = response.headers.location;
      if (response.statusCode >= 300 && response.statusCode < 400 && location && hops < 5) {
        response.resume();
        current = new URL(location, current).toString();
        continue;
      }
      break;
    }
    if (response.statusCode < 200 || response.statusCode >= 300) {
      response.resume();
      throw new InstallError('HTTPError', response.statusMessage || `HTTP ${response.statusCode}`);
    }
    const fileName = safeFileName(response.headers['content-disposition'], url);
    part.status = 'running';
    part.content_type = response.headers['content-type'] ?? null;
    part.total_bytes = job.total_bytes = Number(response.headers['content-length'] ?? 0);
    part.download_path = job.local_path = `${job.local_path}/${fileName}`;
    const chunks = [];
    let lastEvent = 0;
    for await (const chunk of response) {
      chunks.push(chunk);
      part.bytes = job.bytes += chunk.length;
      if (Date.now() - lastEvent >= 50) {
        lastEvent = Date.now();
        this.#progress(job);
      }
    }
    if (job.status === 'cancelled') return {};
    const bytes = Buffer.concat(chunks);
    part.total_bytes = job.total_bytes = Math.max(job.total_bytes, bytes.length);
    part.status = 'completed';
    this.#progress(job);
    return { bytes, fileName };
  }

  #progress(job) {
    this.#emit('model_install_download_progress', {
      id: job.id, source: job.source, local_path: job.local_path, bytes: job.bytes, total_bytes: job.total_bytes,
      parts: job.download_parts.map((p) => ({ url: p.source, local_path: String(p.download_path), bytes: p.bytes, total_bytes: p.total_bytes })),
    });
  }

  /** InvokeAI's validate_download_url: only public addresses unless allow_private_download_urls. */
  async #checkUrl(url) {
    const parts = new URL(url);
    if (parts.protocol !== 'http:' && parts.protocol !== 'https:') {
      throw new InstallError('UnsafeDownloadURLException', `Unsupported URL scheme '${parts.protocol.replace(':', '')}'. Only http and https are allowed.`);
    }
    if (this.node.settings.allow_private_download_urls) return;
    const host = parts.hostname.replace(/^\[|\]$/g, '');
    let addresses;
    try {
      addresses = net.isIP(host) ? [host] : (await dns.lookup(host, { all: true })).map((a) => a.address);
    } catch {
      return; // unresolvable: left to the HTTP client, as InvokeAI does
    }
    if (addresses.some(isPrivate)) {
      throw new InstallError('UnsafeDownloadURLException',
        `Refusing to download from '${host}': it resolves to a non-public address. Set \`allow_private_download_urls\` in invokeai.yaml to permit downloads from loopback and private-network addresses.`);
    }
  }

  #fail(job, error) {
    if (job.status === 'cancelled') return;
    const type = error.errorType ?? error.constructor.name;
    job.error_reason = type;
    job.error = error.message;
    job.error_traceback = `Traceback (most recent call last):\n  File "invokeai/app/services/model_install/model_install_default.py", line 1, in _install_next_item\n${type}: ${error.message}\n`;
    this.#setStatus(job, 'error');
    this.#emit('model_install_error', { id: job.id, source: job.source, error_type: type, error: error.message });
  }

  #setStatus(job, status) {
    job.status = status;
    job.recorded.status = status;
  }

  #emit(event, payload) {
    this.node.emit('admin', event, { timestamp: eventTimestamp(), ...payload });
  }
}

/** The job as the REST routes answer it (ModelInstallJob; internal fields left out). */
export function jobJson(job) {
  const { recorded, abort, ...rest } = job;
  return rest;
}

function guessSource(text, inplace, accessToken) {
  const stripped = text.replace(/^"|"$/g, '');
  if (fs.existsSync(stripped)) return { path: stripped, inplace, type: 'local' };
  const hf = HF_REPO.exec(text);
  if (hf) return { repo_id: hf[1], variant: hf[2] || null, subfolder: hf[3] ?? null, access_token: accessToken, type: 'hf' };
  if (/^https?:\/\/[^/]+/.test(text)) return { url: text, access_token: accessToken, type: 'url' };
  return { error: `Unsupported model source: '${text}'` };
}

function sameSource(a, b) {
  return a.type === b.type && (a.url ?? a.path ?? a.repo_id) === (b.url ?? b.path ?? b.repo_id);
}

function get(url, accessToken, job) {
  return new Promise((resolve, reject) => {
    const client = url.startsWith('https:') ? https : http;
    const request = client.get(url, { headers: accessToken ? { authorization: `Bearer ${accessToken}` } : {} }, resolve);
    request.on('error', (error) => reject(job.status === 'cancelled' ? error : new InstallError(error.code === 'ECONNREFUSED' ? 'ConnectionError' : error.constructor.name, error.message)));
    job.abort = () => request.destroy();
  });
}

/** The file name InvokeAI saves under: Content-Disposition's filename, else the URL's last segment. */
function safeFileName(disposition, url) {
  const fromHeader = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition ?? '')?.[1];
  const name = path.basename(decodeURIComponent(fromHeader ?? new URL(url).pathname.split('/').filter(Boolean).at(-1) ?? 'model'));
  return name.replace(/[^A-Za-z0-9._ -]+/g, '_') || 'model';
}

function isPrivate(address) {
  if (net.isIPv4(address)) {
    const [a, b] = address.split('.').map(Number);
    return a === 0 || a === 10 || a === 127 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127) || a >= 224;
  }
  const lower = address.toLowerCase();
  if (lower.startsWith('::ffff:')) return isPrivate(lower.slice(7));
  return lower === '::1' || lower === '::' || lower.startsWith('fe80:') || lower.startsWith('fc') || lower.startsWith('fd') || lower.startsWith('ff');
}
