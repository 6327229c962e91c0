// Graph validation against InvokeAI's node schemas. Every problem found becomes a violation
// { kind, node_id, field, message }; the enqueue is rejected with 422 when there is any.

const NODE_KEYS = new Set(['id', 'type']);
// Nodes whose input or output type follows what is connected (InvokeAI's collect and iterate).
const POLYMORPHIC = new Set(['collect', 'iterate']);

/**
 * @param graph the graph as sent ({ id, nodes, edges })
 * @param catalog a Catalog
 * @param ctx { hasImage(name) -> bool, model(key) -> config | undefined }
 */
export function validateGraph(graph, catalog, ctx) {
  const violations = [];
  const add = (kind, nodeId, field, message) => violations.push({ kind, node_id: nodeId ?? null, field: field ?? null, message });

  if (typeof graph !== 'object' || graph === null || typeof graph.nodes !== 'object' || graph.nodes === null) {
    add('invalid_graph', null, null, 'graph.nodes must be an object of nodes keyed by id');
    return violations;
  }
  const edges = graph.edges ?? [];
  if (!Array.isArray(edges)) {
    add('invalid_graph', null, null, 'graph.edges must be a list');
    return violations;
  }

  const known = new Map(); // node id -> catalog entry
  for (const [key, node] of Object.entries(graph.nodes)) {
    if (typeof node !== 'object' || node === null) {
      add('invalid_graph', key, null, `node ${key} is not an object`);
      continue;
    }
    const entry = catalog.nodes.get(node.type);
    if (!entry) {
      add('unknown_node_type', key, 'type', `unknown node type ${JSON.stringify(node.type)}`);
      continue;
    }
    if (node.id !== key) add('invalid_graph', key, 'id', `node id ${JSON.stringify(node.id)} does not match its key ${key}`);
    known.set(key, entry);
  }

  // Edges: both ends exist, the fields exist, the types fit, one edge per input (collect.item excepted).
  const fed = new Map(); // node id -> Set of fed input fields
  const seen = new Set();
  for (const [index, edge] of edges.entries()) {
    const src = edge?.source, dst = edge?.destination;
    if (!src?.node_id || !src?.field || !dst?.node_id || !dst?.field) {
      add('invalid_edge', null, null, `edge ${index} needs source and destination {node_id, field}`);
      continue;
    }
    const label = `${src.node_id}.${src.field} -> ${dst.node_id}.${dst.field}`;
    if (!(src.node_id in graph.nodes)) {
      add('invalid_edge', src.node_id, src.field, `edge ${label}: source node ${src.node_id} does not exist`);
      continue;
    }
    if (!(dst.node_id in graph.nodes)) {
      add('invalid_edge', dst.node_id, dst.field, `edge ${label}: destination node ${dst.node_id} does not exist`);
      continue;
    }
    const from = known.get(src.node_id), to = known.get(dst.node_id);
    if (!from || !to) continue; // already reported as an unknown node
    const out = from.outputProps[src.field];
    if (!out) {
      add('invalid_edge', src.node_id, src.field, `edge ${label}: ${from.outputName} has no output ${src.field}`);
      continue;
    }
    const input = to.props[dst.field];
    if (!input || (input.field_kind !== 'input' && input.field_kind !== 'internal')) {
      add('invalid_edge', dst.node_id, dst.field, `edge ${label}: ${to.type} has no input ${dst.field}`);
      continue;
    }
    if (input.input === 'direct') {
      add('invalid_edge', dst.node_id, dst.field, `edge ${label}: ${to.type}.${dst.field} takes a direct value only`);
      continue;
    }
    const fromType = POLYMORPHIC.has(from.type) ? null : catalog.fieldType(out);
    const toType = POLYMORPHIC.has(to.type) ? null : catalog.fieldType(input);
    if (!catalog.compatible(fromType, toType)) {
      add('edge_type_mismatch', dst.node_id, dst.field,
        `edge ${label}: output type ${describe(fromType)} does not fit input type ${describe(toType)}`);
      continue;
    }
    const key = `${dst.node_id}\u0000${dst.field}`;
    if (seen.has(key) && !(to.type === 'collect' && dst.field === 'item')) {
      add('invalid_edge', dst.node_id, dst.field, `edge ${label}: ${dst.node_id}.${dst.field} already has an incoming edge`);
      continue;
    }
    seen.add(key);
    if (!fed.has(dst.node_id)) fed.set(dst.node_id, new Set());
    fed.get(dst.node_id).add(dst.field);
  }
  if (hasCycle(graph.nodes, edges)) add('invalid_graph', null, null, 'the graph has a cycle');

  // Node values: known fields, right types and enums, required inputs set or fed, images and models known.
  const models = []; // installed models the graph names: { nodeId, field, config }
  for (const [key, entry] of known) {
    const node = graph.nodes[key];
    for (const [field, value] of Object.entries(node)) {
      if (NODE_KEYS.has(field)) continue;
      const prop = entry.props[field];
      if (!prop) {
        add('unknown_field', key, field, `${entry.type} has no field ${field}`);
        continue;
      }
      const result = catalog.check(prop, value, `${key}.${field}`);
      if (result.error) {
        add('invalid_value', key, field, result.error);
        continue;
      }
      for (const ref of result.refs) {
        if (ref.ref === 'ImageField') checkImage(ref.value, key, field, ctx, add);
        else if (checkModel(ref.value, prop, key, field, ctx, add)) models.push({ nodeId: key, field, config: ctx.model(ref.value.key) });
      }
    }
    for (const [field, prop] of Object.entries(entry.props)) {
      if (prop.field_kind !== 'input' || prop.orig_required !== true) continue;
      const value = node[field];
      const hasDefault = prop.default !== undefined && prop.default !== null;
      if ((value === undefined || value === null) && !hasDefault && !fed.get(key)?.has(field)) {
        const how = prop.input === 'connection' ? 'must be connected' : prop.input === 'direct' ? 'must be set' : 'must be set or connected';
        add('missing_required_input', key, field, `${entry.type}.${field} is required and ${how}`);
      }
    }
  }
  checkAdapterBases(models, add);
  return violations;
}

// A LoRA or control/reference adapter must be of the main model's base: InvokeAI fails that at run
// time (the patch or adapter does not fit the model); the test node rejects it up front.
const ADAPTERS = new Set(['lora', 'controlnet', 'ip_adapter', 't2i_adapter', 'control_lora']);
function checkAdapterBases(models, add) {
  const main = models.find((m) => m.config.type === 'main')?.config;
  if (!main) return;
  for (const { nodeId, field, config } of models) {
    if (ADAPTERS.has(config.type) && config.base !== 'any' && config.base !== main.base) {
      add('model_mismatch', nodeId, field, `${config.type} ${config.name} has base ${config.base}; the main model ${main.name} has base ${main.base}`);
    }
  }
}

function checkImage(value, nodeId, field, ctx, add) {
  if (!ctx.hasImage(value.image_name)) {
    add('unknown_image', nodeId, field, `image ${JSON.stringify(value.image_name)} does not exist on this node`);
  }
}

function checkModel(value, prop, nodeId, field, ctx, add) {
  const installed = ctx.model(value.key);
  if (!installed) {
    add('unknown_model', nodeId, field, `model ${JSON.stringify(value.key)} (${value.name}) is not installed`);
    return false;
  }
  for (const attr of ['hash', 'name', 'base', 'type']) {
    if (value[attr] !== installed[attr]) {
      add('model_mismatch', nodeId, field,
        `model ${value.key}: ${attr} ${JSON.stringify(value[attr])} differs from the installed ${JSON.stringify(installed[attr])}`);
      return false;
    }
  }
  // The UI only offers models of these bases and types here; a loader given another kind fails to load it.
  if (prop.ui_model_base && !prop.ui_model_base.includes(installed.base) && installed.base !== 'any') {
    add('model_mismatch', nodeId, field, `model ${installed.name} has base ${installed.base}; ${field} takes ${prop.ui_model_base.join(', ')}`);
    return false;
  } else if (prop.ui_model_type && !prop.ui_model_type.includes(installed.type)) {
    add('model_mismatch', nodeId, field, `model ${installed.name} has type ${installed.type}; ${field} takes ${prop.ui_model_type.join(', ')}`);
    return false;
  }
  return true;
}

function describe(type) {
  if (type === null) return 'Any';
  return type.map((t) => (t.list ? `list[${t.base}]` : t.base)).join(' | ');
}

function hasCycle(nodes, edges) {
  const next = new Map(Object.keys(nodes).map((id) => [id, []]));
  for (const edge of edges) {
    if (next.has(edge?.source?.node_id) && next.has(edge?.destination?.node_id)) next.get(edge.source.node_id).push(edge.destination.node_id);
  }
  const state = new Map();
  const visit = (id) => {
    state.set(id, 1);
    for (const to of next.get(id)) {
      if (state.get(to) === 1) return true;
      if (!state.has(to) && visit(to)) return true;
    }
    state.set(id, 2);
    return false;
  };
  for (const id of next.keys()) if (!state.has(id) && visit(id)) return true;
  return false;
}

/** Topological order of the node ids (the graph is known to be acyclic). */
export function topologicalOrder(nodes, edges) {
  const indegree = new Map(Object.keys(nodes).map((id) => [id, 0]));
  for (const e of edges) indegree.set(e.destination.node_id, indegree.get(e.destination.node_id) + 1);
  const ready = [...indegree].filter(([, d]) => d === 0).map(([id]) => id);
  const order = [];
  while (ready.length) {
    const id = ready.shift();
    order.push(id);
    for (const e of edges) {
      if (e.source.node_id !== id) continue;
      const d = indegree.get(e.destination.node_id) - 1;
      indegree.set(e.destination.node_id, d);
      if (d === 0) ready.push(e.destination.node_id);
    }
  }
  return order;
}
