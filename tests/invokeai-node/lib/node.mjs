// The InvokeAI test node's state: settings, models, images, queue, executor and the record of
// everything received, shared by the InvokeAI routes, the socket server and the control API.
import { Catalog } from './schema.mjs';
import { Executor } from './executor.mjs';
import { ModelInstaller } from './installs.mjs';
import { ImageStore } from './images.mjs';
import { completeConfig, starterModels } from './models.mjs';
import { SessionQueue, applyFieldValues, expandBatch } from './queue.mjs';
import { validateGraph } from './validate.mjs';
import { eventTimestamp, uuid } from './util.mjs';

export const DEFAULT_SETTINGS = {
  token: null,
  step_delay_ms: 10,
  model_load_delay_ms: 0,
  concurrency: 1,
  max_queue_size: 10000,
  restart_downtime_ms: 300,
  emit_events: true,
  install_delay_ms: 0,
  // InvokeAI's default is false; the tests serve model files from loopback, so true here.
  allow_private_download_urls: true,
};

let sharedCatalog = null;

export class InvokeAiNode {
  constructor(settings = {}) {
    sharedCatalog ??= Catalog.load();
    this.catalog = sharedCatalog;
    const { models, ...rest } = settings;
    this.settings = { ...DEFAULT_SETTINGS };
    this.configure(rest);
    this.setModels(models ?? null);
    this.images = new ImageStore();
    this.io = null; // set by the server
    this.maintenance = false;
    this.queue = new SessionQueue((room, event, payload) => this.emit(room, event, payload));
    this.executor = new Executor(this);
    this.installer = new ModelInstaller(this);
    this.clearRecord();
    this.restarts = 0;
  }

  configure(changes) {
    for (const key of Object.keys(DEFAULT_SETTINGS)) {
      if (changes[key] !== undefined && changes[key] !== null) this.settings[key] = changes[key];
    }
    if (changes.clear_token) this.settings.token = null;
    if (!Number.isInteger(this.settings.concurrency) || this.settings.concurrency < 1) throw new Error('concurrency must be >= 1');
    this.executor?.pump();
  }

  setModels(models) {
    const list = models === null ? starterModels() : models.map(completeConfig);
    this.models = new Map(list.map((m) => [m.key, m]));
    this.files = new Map(list.map((m) => [m.key, { path: m.path, size: m.file_size }]));
  }

  emit(room, event, payload) {
    // emit_events false: a node whose socket stays connected but says nothing, to exercise REST polling.
    if (this.settings.emit_events) this.io?.to(room).emit(event, payload);
  }

  clearRecord() {
    this.record = { enqueued: [], uploads: [], deleted_images: [], cancels: [], violations: [], produced: [], installs: [], deleted_models: [] };
  }

  /**
   * enqueue_batch: validates every session's graph, then inserts up to max_queue_size pending items.
   * Returns { status, body }.
   */
  enqueue(queueId, body) {
    const batch = body?.batch;
    const entry = { queue_id: queueId, prepend: body?.prepend === true, batch: batch ?? null, status: 422, requested: 0, enqueued: 0, item_ids: [] };
    this.record.enqueued.push(entry);
    const problems = this.#validateBody(body);
    if (problems.length) return this.#reject(entry, problems);

    const expanded = expandBatch(batch);
    if (expanded.error) return this.#reject(entry, [{ kind: 'invalid_graph', node_id: null, field: 'data', message: expanded.error }]);
    const dataProblems = [];
    for (const fv of expanded.sessions[0] ?? []) {
      const node = batch.graph.nodes[fv.node_path];
      if (!node) dataProblems.push({ kind: 'invalid_graph', node_id: fv.node_path, field: fv.field_name, message: `batch data: node ${fv.node_path} is not in the graph` });
      else if (!this.catalog.nodes.get(node.type)?.props[fv.field_name]) dataProblems.push({ kind: 'invalid_graph', node_id: fv.node_path, field: fv.field_name, message: `batch data: ${node.type} has no field ${fv.field_name}` });
    }
    if (dataProblems.length) return this.#reject(entry, dataProblems);

    const graphs = expanded.sessions.map((fv) => applyFieldValues(batch.graph, fv));
    const ctx = { hasImage: (name) => this.images.has(name), model: (key) => this.models.get(key) };
    const checked = new Set();
    for (const graph of graphs) {
      const key = JSON.stringify(graph);
      if (checked.has(key)) continue;
      checked.add(key);
      const violations = validateGraph(graph, this.catalog, ctx);
      if (violations.length) return this.#reject(entry, violations);
    }

    batch.batch_id ??= uuid();
    batch.origin ??= null;
    batch.destination ??= null;
    const requested = graphs.length;
    const room = Math.max(0, this.settings.max_queue_size - this.queue.pendingCount(queueId));
    const count = Math.min(requested, room);
    const priority = entry.prepend ? this.queue.highestPendingPriority(queueId) + 1 : 0;
    const ids = this.queue.insert(queueId, batch, expanded.sessions.slice(0, count), graphs.slice(0, count), priority);
    ids.sort((a, b) => b - a); // InvokeAI returns item ids by item_id DESC
    Object.assign(entry, { status: 200, requested, enqueued: count, item_ids: ids });
    this.emit(queueId, 'batch_enqueued', {
      timestamp: eventTimestamp(), queue_id: queueId, batch_id: batch.batch_id, enqueued: count, requested, priority,
      origin: batch.origin, user_id: 'system',
    });
    this.executor.pump();
    return { status: 200, body: { queue_id: queueId, enqueued: count, requested, batch, priority, item_ids: ids } };
  }

  #validateBody(body) {
    const problems = [];
    const batch = body?.batch;
    if (!batch || typeof batch !== 'object') problems.push({ kind: 'invalid_graph', node_id: null, field: 'batch', message: 'body.batch is required' });
    else {
      if (!batch.graph || typeof batch.graph !== 'object') problems.push({ kind: 'invalid_graph', node_id: null, field: 'graph', message: 'batch.graph is required' });
      batch.runs ??= 1;
      if (!Number.isInteger(batch.runs) || batch.runs < 1) problems.push({ kind: 'invalid_value', node_id: null, field: 'runs', message: 'batch.runs must be an integer >= 1' });
    }
    return problems;
  }

  #reject(entry, violations) {
    this.record.violations.push(...violations);
    entry.status = 422;
    const detail = violations.map((v) => ({
      type: v.kind,
      loc: ['body', 'batch', 'graph', ...(v.node_id ? ['nodes', v.node_id] : []), ...(v.field ? [v.field] : [])],
      msg: v.message,
      input: null,
    }));
    return { status: 422, body: { detail } };
  }

  cancel(item) {
    this.record.cancels.push(item.item_id);
    if (!this.queue.isTerminal(item)) this.queue.setStatus(item, 'canceled');
  }

  /**
   * Bulk cancel as InvokeAI 6.14 does it (cancel_by_destination, cancel_by_batch_ids, ...): pending
   * and waiting items turn canceled without per-item events, then one queue_items_canceled names
   * them; each in-progress item is canceled with its own queue_item_status_changed.
   */
  bulkCancel(queueId, matches, { includeInProgress = true } = {}) {
    const quiet = [];
    let count = 0;
    for (const item of this.queue.items.values()) {
      if (item.queue_id !== queueId || !matches(item)) continue;
      if (item.status === 'pending' || item.status === 'waiting') {
        this.queue.setStatus(item, 'canceled', null, { silent: true });
        this.record.cancels.push(item.item_id);
        quiet.push(item.item_id);
        count++;
      } else if (item.status === 'in_progress' && includeInProgress) {
        this.cancel(item);
        count++;
      }
    }
    if (quiet.length) {
      this.emit(queueId, 'queue_items_canceled', { timestamp: eventTimestamp(), queue_id: queueId, canceled_item_ids: quiet, user_ids: ['system'] });
    }
    return count;
  }

  /** DELETE /api/v2/models/i/{key}: the record and its file go; false when no such model. */
  deleteModel(key) {
    if (!this.models.delete(key)) return false;
    this.files.delete(key);
    this.record.deleted_models.push(key);
    return true;
  }

  deleteImage(name) {
    this.record.deleted_images.push(name);
    return this.images.delete(name);
  }

  /** InvokeAI's startup: items left in_progress (or waiting) become canceled, with no event and no error; pending ones stay. */
  cancelInterrupted() {
    for (const item of this.queue.items.values()) {
      if (item.status === 'in_progress' || item.status === 'waiting') this.queue.setStatus(item, 'canceled', null, { silent: true });
    }
    for (const device of this.executor.devices) device.loadedKey = null; // a fresh process has an empty model cache
  }

  /** clear_queue_on_startup: true — every item of the default queue is deleted at startup. */
  clearDefaultQueue() {
    for (const item of [...this.queue.items.values()]) {
      if (item.queue_id === 'default') {
        if (!this.queue.isTerminal(item)) this.queue.setStatus(item, 'canceled', null, { silent: true });
        this.queue.items.delete(item.item_id);
      }
    }
  }

  snapshot(connectedSockets) {
    const items = [...this.queue.items.values()].map((item) => ({
      item_id: item.item_id,
      status: item.status,
      queue_id: item.queue_id,
      batch_id: item.batch_id,
      destination: item.destination,
      error_type: item.error_type,
      output_images: Object.values(item.session.results).flatMap((r) => Object.values(r).filter((v) => v?.image_name).map((v) => v.image_name)),
      raw: item,
    }));
    return {
      enqueued: this.record.enqueued,
      uploads: this.record.uploads,
      deleted_images: this.record.deleted_images,
      cancels: this.record.cancels,
      items,
      violations: this.record.violations,
      images: this.images.names(),
      connected_sockets: connectedSockets,
      restarts: this.restarts,
      installs: this.record.installs.map(({ access_token, ...rest }) => ({ ...rest, had_access_token: access_token !== null })),
      deleted_models: this.record.deleted_models,
    };
  }
}
