// InvokeAI's REST routes (the subset a remote driver uses), with InvokeAI's shapes and status codes.
import { parseMultipart, readBody, readJson, send, validationError } from './http.mjs';
import { jobJson } from './installs.mjs';
import { omitNulls } from './util.mjs';

const VERSION = '6.14.0a1';
const CATEGORIES = ['general', 'mask', 'control', 'user', 'other'];

/** Handles one request; returns false when no route matched. */
export async function handleInvoke(node, req, res) {
  const url = new URL(req.url, 'http://localhost');
  const path = url.pathname.replace(/\/+$/, '') || '/';
  const method = req.method;
  let m;

  if (method === 'GET' && path === '/api/v1/app/version') return send(res, 200, { version: VERSION, highlights: null }), true;

  const token = node.settings.token;
  if (token && req.headers.authorization !== `Bearer ${token}`) {
    return send(res, 401, { detail: 'Not authenticated' }, { 'www-authenticate': 'Bearer' }), true;
  }

  if (method === 'GET' && path === '/api/v2/models') {
    const bases = url.searchParams.getAll('base_models');
    const type = url.searchParams.get('model_type');
    const name = url.searchParams.get('model_name');
    const format = url.searchParams.get('model_format');
    const models = [...node.models.values()].filter((c) =>
      (bases.length === 0 || bases.includes(c.base)) && (!type || c.type === type) && (!name || c.name === name) && (!format || c.format === format));
    return send(res, 200, { models }), true;
  }
  if (method === 'GET' && (m = /^\/api\/v2\/models\/i\/([^/]+)$/.exec(path))) {
    const config = node.models.get(decodeURIComponent(m[1]));
    return config ? send(res, 200, config) : send(res, 404, { detail: `Model with key ${m[1]} not found` }), true;
  }

  if (method === 'DELETE' && (m = /^\/api\/v2\/models\/i\/([^/]+)$/.exec(path))) {
    if (!node.deleteModel(decodeURIComponent(m[1]))) return send(res, 404, { detail: 'model not found' }), true;
    res.writeHead(204);
    return res.end(), true;
  }
  if (path === '/api/v2/models/install' || path.startsWith('/api/v2/models/install/')) return installRoute(node, req, res, url, path);

  if (method === 'POST' && path === '/api/v1/images/upload') return upload(node, req, res, url), true;
  if ((m = /^\/api\/v1\/images\/i\/([^/]+)(\/full)?$/.exec(path))) {
    const name = decodeURIComponent(m[1]);
    if (method === 'DELETE' && !m[2]) {
      const deleted = node.deleteImage(name) ? [name] : [];
      return send(res, 200, { affected_boards: [], deleted_images: deleted }), true;
    }
    if (method === 'GET' || method === 'HEAD') {
      const image = node.images.get(name);
      if (!image) return send(res, 404, { detail: 'Image not found' }), true;
      if (!m[2]) return send(res, 200, image.dto), true;
      if (node.maintenance) return send(res, 409, { detail: 'Image storage maintenance in progress' }), true;
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': image.png.length, 'content-disposition': `inline; filename="${name}"` });
      return res.end(method === 'HEAD' ? undefined : image.png), true;
    }
  }
  if (method === 'POST' && path === '/api/v1/images/delete') {
    const body = await readJson(req);
    if (!Array.isArray(body?.image_names)) return validationError(res, ['body', 'image_names'], 'Field required', 'missing'), true;
    const deleted = body.image_names.filter((name) => node.deleteImage(name));
    return send(res, 200, { affected_boards: [], deleted_images: deleted }), true;
  }

  if ((m = /^\/api\/v1\/queue\/([^/]+)\/(.*)$/.exec(path))) return queueRoute(node, req, res, decodeURIComponent(m[1]), m[2]);
  return false;
}

/** The model install routes (routers/model_manager.py): install, list, get and cancel jobs. */
async function installRoute(node, req, res, url, path) {
  const method = req.method;
  const installer = node.installer;
  if (path === '/api/v2/models/install') {
    if (method === 'GET') return send(res, 200, installer.list().map(jobJson)), true;
    if (method !== 'POST') return send(res, 405, { detail: 'Method Not Allowed' }), true;
    const source = url.searchParams.get('source');
    if (source === null) return validationError(res, ['query', 'source'], 'Field required', 'missing'), true;
    const inplace = url.searchParams.get('inplace');
    const TRUE = ['true', '1', 'yes', 'on', 't', 'y'], FALSE = ['false', '0', 'no', 'off', 'f', 'n'];
    if (inplace !== null && !TRUE.includes(inplace.toLowerCase()) && !FALSE.includes(inplace.toLowerCase())) {
      return validationError(res, ['query', 'inplace'], 'Input should be a valid boolean', 'bool_parsing'), true;
    }
    const body = await readJson(req);
    if (body === undefined) return validationError(res, ['body'], 'Field required', 'missing'), true;
    const schema = node.catalog.schemas.ModelRecordChanges;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return validationError(res, ['body'], 'Input should be a valid dictionary or object to extract fields from', 'model_attributes_type'), true;
    }
    // Stricter than pydantic (which ignores extras): a misspelt override would silently do nothing.
    const extra = Object.keys(body).find((k) => !(k in schema.properties));
    if (extra) return validationError(res, ['body', extra], 'Extra inputs are not permitted', 'extra_forbidden'), true;
    const checked = node.catalog.check(schema, body, 'body');
    if (checked.error) return validationError(res, ['body'], checked.error, 'value_error'), true;
    const result = installer.start(source, { inplace: inplace !== null && TRUE.includes(inplace.toLowerCase()), accessToken: url.searchParams.get('access_token'), config: body });
    if (!result.job) return send(res, result.status, { detail: result.detail }), true;
    return send(res, 201, jobJson(result.job)), true;
  }
  const raw = path.slice('/api/v2/models/install/'.length);
  if (!/^-?\d+$/.test(raw)) {
    if (raw.includes('/')) return false;
    return validationError(res, ['path', 'id'], 'Input should be a valid integer, unable to parse string as an integer', 'int_parsing'), true;
  }
  const job = installer.get(Number(raw));
  if (method === 'GET') return job ? send(res, 200, jobJson(job)) : send(res, 404, { detail: `No job with id ${raw} known` }), true;
  if (method === 'DELETE') {
    if (!job) return send(res, 415, { detail: `No job with id ${raw} known` }), true;
    installer.cancel(job);
    return send(res, 201, null), true;
  }
  return false;
}

async function upload(node, req, res, url) {
  const category = url.searchParams.get('image_category');
  const intermediate = url.searchParams.get('is_intermediate');
  if (!CATEGORIES.includes(category)) return validationError(res, ['query', 'image_category'], `Input should be ${CATEGORIES.map((c) => `'${c}'`).join(', ')}`, 'enum');
  if (intermediate !== 'true' && intermediate !== 'false') return validationError(res, ['query', 'is_intermediate'], 'Input should be a valid boolean', 'bool_parsing');
  const parts = parseMultipart(await readBody(req), req.headers['content-type']);
  const file = parts?.find((p) => p.name === 'file' && p.filename !== undefined);
  if (!file) return validationError(res, ['body', 'file'], 'Field required', 'missing');
  // InvokeAI's upload_image: a non-image content type is 415 "Not an image"; bytes PIL cannot open are 415 too.
  if (!file.contentType?.startsWith('image')) return send(res, 415, { detail: 'Not an image' });
  let stored;
  try {
    stored = node.images.addUpload(file.data, { category, isIntermediate: intermediate === 'true', boardId: url.searchParams.get('board_id') });
  } catch {
    return send(res, 415, { detail: 'Failed to read image' });
  }
  node.record.uploads.push({
    image_name: stored.dto.image_name, image_category: category, is_intermediate: intermediate === 'true',
    width: stored.width, height: stored.height, content_type: file.contentType, size: file.data.length,
  });
  send(res, 201, stored.dto, { location: stored.dto.image_url });
}

async function queueRoute(node, req, res, queueId, rest) {
  const method = req.method;
  let m;
  if (method === 'POST' && rest === 'enqueue_batch') {
    if (node.maintenance) {
      await readBody(req);
      node.record.enqueued.push({ queue_id: queueId, prepend: false, batch: null, status: 409, requested: 0, enqueued: 0, item_ids: [] });
      return send(res, 409, { detail: 'Image storage maintenance is in progress; try again later.' }), true;
    }
    const body = await readJson(req);
    const result = node.enqueue(queueId, body);
    return send(res, result.status, result.body), true;
  }
  if (method === 'GET' && rest === 'status') {
    const busy = node.executor.devices.some((d) => d.busy);
    return send(res, 200, { queue: node.queue.queueStatus(queueId), processor: { is_started: true, is_processing: busy } }), true;
  }
  if ((m = /^b\/([^/]+)\/status$/.exec(rest)) && method === 'GET') return send(res, 200, node.queue.batchStatus(queueId, decodeURIComponent(m[1]))), true;
  const url = new URL(req.url, 'http://localhost');
  const inQueue = () => [...node.queue.items.values()].filter((i) => i.queue_id === queueId);
  if (method === 'PUT' && rest === 'cancel_by_destination') {
    const destination = url.searchParams.get('destination');
    if (destination === null) return validationError(res, ['query', 'destination'], 'Field required', 'missing'), true;
    return send(res, 200, { canceled: node.bulkCancel(queueId, (i) => i.destination === destination) }), true;
  }
  if (method === 'PUT' && rest === 'cancel_by_batch_ids') {
    const body = await readJson(req);
    if (!Array.isArray(body?.batch_ids)) return validationError(res, ['body', 'batch_ids'], 'Field required', 'missing'), true;
    return send(res, 200, { canceled: node.bulkCancel(queueId, (i) => body.batch_ids.includes(i.batch_id)) }), true;
  }
  if (method === 'PUT' && rest === 'cancel_all_except_current') {
    return send(res, 200, { canceled: node.bulkCancel(queueId, () => true, { includeInProgress: false }) }), true;
  }
  if (method === 'PUT' && rest === 'clear') {
    node.bulkCancel(queueId, (i) => i.status === 'in_progress');
    const items = inQueue();
    for (const item of items) node.queue.items.delete(item.item_id);
    return send(res, 200, { deleted: items.length }), true;
  }
  if (method === 'PUT' && rest === 'prune') {
    const items = inQueue().filter((i) => node.queue.isTerminal(i));
    for (const item of items) node.queue.items.delete(item.item_id);
    return send(res, 200, { deleted: items.length }), true;
  }
  if (method === 'GET' && rest === 'current') {
    const current = inQueue().find((i) => i.status === 'in_progress');
    return send(res, 200, current ? omitNulls(current) : null), true;
  }
  if (method === 'GET' && rest === 'next') {
    const next = inQueue().filter((i) => i.status === 'pending').sort((a, b) => b.priority - a.priority || a.item_id - b.item_id)[0];
    return send(res, 200, next ? omitNulls(next) : null), true;
  }
  if (method === 'GET' && rest === 'item_ids') {
    const desc = url.searchParams.get('order_dir') !== 'ASC';
    const ids = inQueue().map((i) => i.item_id).sort((a, b) => (desc ? b - a : a - b));
    return send(res, 200, { item_ids: ids, total_count: ids.length }), true;
  }
  if (method === 'POST' && rest === 'items_by_ids') {
    const body = await readJson(req);
    if (!Array.isArray(body?.item_ids)) return validationError(res, ['body', 'item_ids'], 'Field required', 'missing'), true;
    return send(res, 200, body.item_ids.map((id) => node.queue.items.get(id)).filter((i) => i?.queue_id === queueId).map(omitNulls)), true;
  }
  if (method === 'GET' && rest === 'list_all') {
    const destination = url.searchParams.get('destination');
    return send(res, 200, inQueue().filter((i) => destination === null || i.destination === destination).map(omitNulls)), true;
  }
  if (method === 'GET' && rest === 'counts_by_destination') {
    const destination = url.searchParams.get('destination');
    if (destination === null) return validationError(res, ['query', 'destination'], 'Field required', 'missing'), true;
    const counts = node.queue.counts((i) => i.queue_id === queueId && i.destination === destination);
    return send(res, 200, { queue_id: queueId, destination, ...counts }), true;
  }
  if ((m = /^i\/(\d+)(\/cancel)?$/.exec(rest))) {
    const item = node.queue.items.get(Number(m[1]));
    if (!item || item.queue_id !== queueId) return send(res, 404, { detail: `Queue item with id ${m[1]} not found in queue ${queueId}` }), true;
    if (method === 'GET' && !m[2]) return send(res, 200, omitNulls(item)), true;
    if (method === 'PUT' && m[2]) {
      node.cancel(item);
      return send(res, 200, omitNulls(item)), true;
    }
    if (method === 'DELETE' && !m[2]) {
      if (!node.queue.isTerminal(item)) node.cancel(item);
      node.queue.items.delete(item.item_id);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': 4 });
      return res.end('null'), true;
    }
  }
  return false;
}
