// InvokeAI's session queue: items, batch expansion, status changes and counts.
import { clone, eventTimestamp, invokeTimestamp, uuid } from './util.mjs';

const TERMINAL = new Set(['completed', 'failed', 'canceled']);
const STATUSES = ['pending', 'in_progress', 'waiting', 'completed', 'failed', 'canceled'];

/**
 * The sessions a batch expands to (session_queue_common.py: create_session_nfv_tuples): each inner
 * list of `data` is zipped, the outer list is a cartesian product, and all of it repeats `runs` times.
 * Returns { sessions: [[{node_path, field_name, value}]] } or { error }.
 */
export function expandBatch(batch) {
  const data = batch.data ?? [];
  let combos = [[]];
  for (const [i, zipped] of data.entries()) {
    if (!Array.isArray(zipped) || zipped.length === 0) return { error: `batch.data[${i}] must be a non-empty list` };
    const length = zipped[0]?.items?.length ?? 0;
    if (zipped.some((d) => !Array.isArray(d?.items) || d.items.length !== length)) {
      return { error: `batch.data[${i}]: zipped batch items must all have the same length` };
    }
    const rows = [];
    for (let k = 0; k < length; k++) rows.push(zipped.map((d) => ({ node_path: d.node_path, field_name: d.field_name, value: d.items[k] })));
    const next = [];
    for (const combo of combos) for (const row of rows) next.push([...combo, ...row]);
    combos = next;
  }
  const sessions = [];
  for (let r = 0; r < batch.runs; r++) for (const combo of combos) sessions.push(combo);
  return { sessions };
}

/** The graph with the batch values of one session written into their nodes. */
export function applyFieldValues(graph, fieldValues) {
  const copy = clone(graph);
  for (const fv of fieldValues) {
    if (copy.nodes?.[fv.node_path]) copy.nodes[fv.node_path][fv.field_name] = fv.value;
  }
  return copy;
}

export class SessionQueue {
  constructor(emit) {
    this.items = new Map(); // item_id -> item
    this.nextId = 1;
    this.emit = emit; // (room, event, payload)
  }

  pendingCount(queueId) {
    let n = 0;
    for (const item of this.items.values()) if (item.queue_id === queueId && item.status === 'pending') n++;
    return n;
  }

  highestPendingPriority(queueId) {
    let max = 0;
    for (const item of this.items.values()) if (item.queue_id === queueId && item.status === 'pending') max = Math.max(max, item.priority);
    return max;
  }

  /** Inserts one pending item per session, in order; returns their ids. */
  insert(queueId, batch, sessions, graphs, priority) {
    const ids = [];
    const now = invokeTimestamp();
    sessions.forEach((fieldValues, index) => {
      const sessionId = uuid();
      const item = {
        item_id: this.nextId++,
        status: 'pending',
        status_sequence: 0,
        priority,
        batch_id: batch.batch_id,
        origin: batch.origin ?? null,
        destination: batch.destination ?? null,
        session_id: sessionId,
        error_type: null,
        error_message: null,
        error_traceback: null,
        created_at: now,
        updated_at: now,
        started_at: null,
        completed_at: null,
        queue_id: queueId,
        user_id: 'system',
        user_display_name: null,
        user_email: null,
        field_values: fieldValues.length ? fieldValues : null,
        retried_from_item_id: null,
        device: null,
        session: {
          id: sessionId,
          graph: graphs[index],
          execution_graph: { id: uuid(), nodes: {}, edges: [] },
          executed: [],
          executed_history: [],
          results: {},
          errors: {},
          workflow_call_stack: [],
          workflow_call_history: [],
          prepared_source_mapping: {},
          source_prepared_mapping: {},
          prepared_iteration_paths: {},
          ready_order: [],
          indegree: {},
        },
        workflow: batch.workflow ?? null,
      };
      this.items.set(item.item_id, item);
      ids.push(item.item_id);
    });
    return ids;
  }

  /** The next item to run: highest priority first, then lowest id, across all queues (InvokeAI's FIFO dequeue). */
  nextPending() {
    let best = null;
    for (const item of this.items.values()) {
      if (item.status !== 'pending') continue;
      if (!best || item.priority > best.priority || (item.priority === best.priority && item.item_id < best.item_id)) best = item;
    }
    return best;
  }

  /** A status change with InvokeAI's triggers (started_at, completed_at, updated_at) and its event. */
  setStatus(item, status, error = null, { silent = false } = {}) {
    const now = invokeTimestamp();
    item.status = status;
    item.status_sequence += 1;
    item.updated_at = now;
    if (status === 'in_progress') item.started_at = now;
    if (TERMINAL.has(status)) item.completed_at = now;
    if (error) Object.assign(item, error);
    if (!silent) this.emit(item.queue_id, 'queue_item_status_changed', this.statusEvent(item));
  }

  isTerminal(item) {
    return TERMINAL.has(item.status);
  }

  statusEvent(item) {
    return {
      timestamp: eventTimestamp(),
      queue_id: item.queue_id,
      item_id: item.item_id,
      batch_id: item.batch_id,
      origin: item.origin,
      destination: item.destination,
      user_id: item.user_id,
      status: item.status,
      status_sequence: item.status_sequence,
      error_type: item.error_type,
      error_message: item.error_message,
      error_traceback: item.error_traceback,
      created_at: item.created_at,
      updated_at: item.updated_at,
      started_at: item.started_at,
      completed_at: item.completed_at,
      batch_status: this.batchStatus(item.queue_id, item.batch_id),
      queue_status: this.queueStatus(item.queue_id),
      session_id: item.session_id,
    };
  }

  counts(filter) {
    const counts = Object.fromEntries(STATUSES.map((s) => [s, 0]));
    let total = 0;
    for (const item of this.items.values()) {
      if (!filter(item)) continue;
      counts[item.status] += 1;
      total += 1;
    }
    return { ...counts, total };
  }

  queueStatus(queueId) {
    const current = [...this.items.values()].find((i) => i.queue_id === queueId && i.status === 'in_progress');
    const counts = this.counts((i) => i.queue_id === queueId);
    return {
      queue_id: queueId,
      item_id: current?.item_id ?? null,
      batch_id: current?.batch_id ?? null,
      session_id: current?.session_id ?? null,
      ...counts,
      user_pending: null,
      user_in_progress: null,
    };
  }

  batchStatus(queueId, batchId) {
    const first = [...this.items.values()].find((i) => i.batch_id === batchId);
    return {
      queue_id: queueId,
      batch_id: batchId,
      origin: first?.origin ?? null,
      destination: first?.destination ?? null,
      ...this.counts((i) => i.queue_id === queueId && i.batch_id === batchId),
    };
  }
}
