// Runs queue items like InvokeAI's session processor: one item at a time per device, nodes in
// graph order, denoise steps with progress and cancel checks, real PNG outputs.
import { blend, paste, previewDataUrl, renderFromSeed, resample } from './images.mjs';
import { upscaleFactor } from './models.mjs';
import { topologicalOrder } from './validate.mjs';
import { clone, delay, eventTimestamp, uuid } from './util.mjs';

const DENOISE = new Set(['denoise_latents', 'flux_denoise', 'sd3_denoise', 'cogview4_denoise', 'z_image_denoise', 'flux2_denoise']);
const ENCODE = new Set(['i2l', 'flux_vae_encode', 'sd3_i2l', 'flux2_vae_encode']);
const MASKS = new Set(['create_denoise_mask', 'create_gradient_mask']);

const CLIP_VISION = { 'ViT-H': 'IP Adapter SD1.5 Image Encoder', 'ViT-G': 'IP Adapter SDXL Image Encoder', 'ViT-L': 'clip-vit-large-patch14' };

class Canceled extends Error {}

export class Executor {
  /** @param node the InvokeAiNode: queue, images, models, settings, emit, record */
  constructor(node) {
    this.node = node;
    this.devices = [];
    this.failNext = null;
    this.paused = false;
  }

  /** Starts idle devices on pending items; called after every enqueue, finish and setting change. */
  pump() {
    const { settings, queue } = this.node;
    if (this.paused) return; // a restarting node runs nothing until it is back
    while (this.devices.length < settings.concurrency) this.devices.push({ index: this.devices.length, busy: false, loadedKey: null });
    for (const device of this.devices.slice(0, settings.concurrency)) {
      if (device.busy) continue;
      const item = queue.nextPending();
      if (!item) return;
      device.busy = true;
      item.device = `cuda:${device.index}`;
      queue.setStatus(item, 'in_progress');
      this.run(item, device)
        .catch((error) => console.error(`item ${item.item_id} crashed the runner:`, error))
        .finally(() => {
          device.busy = false;
          setImmediate(() => this.pump());
        });
    }
  }

  async run(item, device) {
    const { queue } = this.node;
    const session = item.session;
    const graph = session.graph;
    const edges = graph.edges ?? [];
    const failure = this.failNext;
    this.failNext = null;
    const order = topologicalOrder(graph.nodes, edges);
    const failAt = failure ? (order.find((id) => DENOISE.has(graph.nodes[id].type) || graph.nodes[id].type === 'spandrel_image_to_image') ?? order.at(-1)) : null;
    const outputs = new Map(); // source node id -> output
    const infos = new Map(); // source node id -> { width, height, seed, rgb, mask }

    for (const nodeId of order) {
      if (queue.isTerminal(item)) return; // canceled at a node boundary
      const preparedId = uuid();
      const prepared = this.prepare(graph.nodes[nodeId], preparedId, edges, outputs);
      session.prepared_source_mapping[preparedId] = nodeId;
      session.source_prepared_mapping[nodeId] = [preparedId];
      session.execution_graph.nodes[preparedId] = prepared;
      for (const e of edges) {
        if (e.destination.node_id === nodeId) {
          session.execution_graph.edges.push({
            source: { node_id: session.source_prepared_mapping[e.source.node_id][0], field: e.source.field },
            destination: { node_id: preparedId, field: e.destination.field },
          });
        }
      }
      const base = this.invocationEvent(item, prepared, nodeId);
      this.node.emit(item.queue_id, 'invocation_started', { ...base, timestamp: eventTimestamp() });
      try {
        if (nodeId === failAt) {
          if (DENOISE.has(prepared.type)) await this.loadModel(item, device, graph);
          throw Object.assign(new Error(failure.error_message), { errorType: failure.error_type });
        }
        const output = await this.invoke(item, device, nodeId, prepared, edges, infos);
        if (queue.isTerminal(item)) return;
        outputs.set(nodeId, output);
        session.results[preparedId] = output;
        session.executed.push(preparedId, nodeId);
        session.executed_history.push(nodeId);
        this.node.emit(item.queue_id, 'invocation_complete', { ...base, timestamp: eventTimestamp(), result: output });
      } catch (error) {
        if (error instanceof Canceled) return;
        const errorType = error.errorType ?? error.constructor.name;
        const traceback = `Traceback (most recent call last):\n  File "invokeai/app/services/session_processor/session_processor_default.py", line 1, in run_node\n${errorType}: ${error.message}\n`;
        session.errors[preparedId] = traceback;
        this.node.emit(item.queue_id, 'invocation_error', {
          ...base, timestamp: eventTimestamp(), error_type: errorType, error_message: error.message, error_traceback: traceback,
        });
        if (!queue.isTerminal(item)) {
          queue.setStatus(item, 'failed', { error_type: errorType, error_message: error.message, error_traceback: traceback });
        }
        return;
      }
    }
    if (!queue.isTerminal(item)) queue.setStatus(item, 'completed');
  }

  /** The node as InvokeAI runs it: a new id, schema defaults filled in, inputs from the edges. */
  prepare(node, preparedId, edges, outputs) {
    const entry = this.node.catalog.nodes.get(node.type);
    const prepared = {};
    for (const [field, prop] of Object.entries(entry.props)) {
      if (field in node) prepared[field] = clone(node[field]);
      else if (prop.default !== undefined) prepared[field] = clone(prop.default);
    }
    for (const e of edges) {
      if (e.destination.node_id !== node.id) continue;
      const value = clone(outputs.get(e.source.node_id)?.[e.source.field]);
      if (node.type === 'collect' && e.destination.field === 'item') (prepared.collection ??= []).push(value);
      else prepared[e.destination.field] = value;
    }
    prepared.id = preparedId;
    prepared.type = node.type;
    return prepared;
  }

  invocationEvent(item, prepared, sourceId) {
    return {
      queue_id: item.queue_id,
      item_id: item.item_id,
      batch_id: item.batch_id,
      origin: item.origin,
      destination: item.destination,
      user_id: item.user_id,
      session_id: item.session_id,
      invocation: prepared,
      invocation_source_id: sourceId,
    };
  }

  async invoke(item, device, nodeId, node, edges, infos) {
    const fedFrom = (field) => edges.find((e) => e.destination.node_id === nodeId && e.destination.field === field)?.source.node_id;
    const infoOf = (field) => infos.get(fedFrom(field));
    const image = (field) => (node[field]?.image_name ? this.node.images.get(node[field].image_name) : undefined);
    const type = node.type;

    if (type === 'noise') {
      infos.set(nodeId, { width: node.width, height: node.height, seed: node.seed });
    } else if (ENCODE.has(type)) {
      const init = image('image');
      infos.set(nodeId, { width: init.width, height: init.height, seed: 0, rgb: init.rgb });
    } else if (MASKS.has(type)) {
      const mask = image('mask');
      infos.set(nodeId, { mask });
    } else if (DENOISE.has(type)) {
      infos.set(nodeId, await this.denoise(item, device, node, infoOf('noise'), infoOf('latents'), infoOf('denoise_mask')));
    } else if (node.latents && infoOf('latents')) {
      // A decoder (l2i, flux_vae_decode, ...): the picture the latents stand for.
      const info = infoOf('latents');
      infos.set(nodeId, { ...info, rgb: info.rgb ?? renderFromSeed(info.width, info.height, info.seed ?? 0) });
    } else if (type === 'spandrel_image_to_image') {
      const input = image('image');
      const factor = upscaleFactor(this.node.models.get(node.image_to_image_model.key));
      await this.steps(item, node, 2, 'Upscaling', null);
      const width = input.width * factor, height = input.height * factor;
      infos.set(nodeId, { width, height, rgb: resample(input.rgb, input.width, input.height, width, height) });
    } else {
      const input = Object.keys(node).map((f) => image(f)).find(Boolean) ?? infoOf('image');
      if (input) infos.set(nodeId, { width: input.width, height: input.height, rgb: input.rgb });
    }
    return this.output(item, nodeId, node, infos.get(nodeId));
  }

  async denoise(item, device, node, noise, latents, mask) {
    await this.loadModel(item, device, this.itemGraph(item));
    const width = latents?.width ?? (node.type === 'denoise_latents' ? noise?.width : node.width) ?? 512;
    const height = latents?.height ?? (node.type === 'denoise_latents' ? noise?.height : node.height) ?? 512;
    const seed = (node.type === 'denoise_latents' ? noise?.seed : node.seed) ?? 0;
    const requested = node.steps ?? node.num_steps ?? 10;
    const start = node.denoising_start ?? 0, end = node.denoising_end ?? 1;
    const steps = Math.max(1, Math.round(requested * (end - start)));
    await this.steps(item, node, steps, 'Denoising', { width, height, seed });
    let rgb = renderFromSeed(width, height, seed);
    if (latents?.rgb) {
      const init = latents.width === width && latents.height === height ? latents.rgb : resample(latents.rgb, latents.width, latents.height, width, height);
      rgb = mask?.mask ? paste(init, rgb, resample(mask.mask.rgb, mask.mask.width, mask.mask.height, width, height)) : blend(init, rgb, start);
    }
    return { width, height, seed, rgb };
  }

  itemGraph(item) {
    return item.session.graph;
  }

  /** Emits model_load_started/complete when the device's last main model differs from this item's. */
  async loadModel(item, device, graph) {
    const main = this.mainModel(graph);
    if (!main || device.loadedKey === main.key) return;
    const submodel = main.base === 'flux' ? 'transformer' : 'unet';
    this.node.emit(item.queue_id, 'model_load_started', { timestamp: eventTimestamp(), config: main, submodel_type: submodel, user_id: item.user_id });
    if (this.node.settings.model_load_delay_ms > 0) await delay(this.node.settings.model_load_delay_ms);
    device.loadedKey = main.key;
    this.node.emit(item.queue_id, 'model_load_complete', { timestamp: eventTimestamp(), config: main, submodel_type: submodel, user_id: item.user_id });
  }

  mainModel(graph) {
    for (const node of Object.values(graph.nodes)) {
      for (const value of Object.values(node)) {
        const config = value && typeof value === 'object' && typeof value.key === 'string' ? this.node.models.get(value.key) : undefined;
        if (config?.type === 'main') return config;
      }
    }
    return undefined;
  }

  /** Denoise-like work: a delay per step, a progress event after each, a cancel check before each. */
  async steps(item, node, count, message, preview) {
    const sourceId = item.session.prepared_source_mapping[node.id];
    for (let step = 0; step < count; step++) {
      if (this.node.settings.step_delay_ms > 0) await delay(this.node.settings.step_delay_ms);
      else await new Promise((resolve) => setImmediate(resolve));
      if (this.node.queue.isTerminal(item)) throw new Canceled();
      this.node.emit(item.queue_id, 'invocation_progress', {
        ...this.invocationEvent(item, node, sourceId),
        timestamp: eventTimestamp(),
        message,
        percentage: (step + 1) / count,
        image: preview ? previewDataUrl(preview.width, preview.height, preview.seed, step) : null,
        device: item.device,
      });
    }
  }

  /** The node's output, shaped by its output schema; images are stored and named. */
  output(item, nodeId, node, info) {
    const entry = this.node.catalog.nodes.get(node.type);
    const output = { };
    for (const [field, prop] of Object.entries(entry.outputProps)) output[field] = this.fill(prop, node, `${node.id}-${field}`, 0);
    if ('value' in entry.outputProps && 'value' in node) output.value = node.value;
    if ('collection' in entry.outputProps && node.type === 'collect') output.collection = node.collection ?? [];
    if (info) {
      if ('width' in entry.outputProps) output.width = info.width;
      if ('height' in entry.outputProps) output.height = info.height;
      for (const field of ['latents', 'noise']) if (field in entry.outputProps) output[field] = { latents_name: `${node.id}-${field}`, seed: info.seed ?? null };
      if ('denoise_mask' in entry.outputProps) output.denoise_mask = { mask_name: `${node.id}-mask`, masked_latents_name: null, gradient: node.type === 'create_gradient_mask' };
    }
    this.carryInputs(node, entry, output);
    for (const [field, prop] of Object.entries(entry.outputProps)) {
      if (this.node.catalog.fieldType(prop)?.[0]?.base !== 'ImageField') continue;
      const source = field === 'image' ? info : info?.mask;
      const width = source?.width ?? 512, height = source?.height ?? 512;
      const rgb = source?.rgb ?? Buffer.alloc(width * height * 3, 128);
      const stored = this.node.images.addOutput(width, height, rgb, {
        sessionId: item.session_id, nodeId: nodeId, isIntermediate: node.is_intermediate === true, boardId: node.board?.board_id,
      });
      this.node.record.produced.push(stored.dto.image_name);
      output[field] = { image_name: stored.dto.image_name };
      if (field === 'image') Object.assign(output, { width, height });
    }
    output.type = entry.outputType;
    return output;
  }

  /**
   * Outputs built from the node's inputs, as InvokeAI's nodes build them: a struct output
   * (ControlField, IPAdapterField, LoRAField, ...) takes the inputs of the same names; an output
   * named like an input (unet, clip, transformer, ...) is that input passed through, and a LoRA
   * loader appends its LoRA(s) to the `loras` of what it passes on.
   */
  carryInputs(node, entry, output) {
    const isObject = (v) => v && typeof v === 'object' && !Array.isArray(v);
    for (const value of Object.values(output)) {
      if (!isObject(value)) continue;
      for (const key of Object.keys(value)) if (node[key] !== undefined && key in entry.props) value[key] = clone(node[key]);
    }
    // An IP-Adapter names its CLIP Vision encoder by size (ip_adapter.py CLIP_VISION_MODEL_MAP).
    const encoder = CLIP_VISION[node.clip_vision_model];
    const encoderConfig = encoder && [...this.node.models.values()].find((m) => m.type === 'clip_vision' && m.name === encoder);
    if (isObject(output.ip_adapter) && encoderConfig) {
      const { key, hash, name, base, type } = encoderConfig;
      output.ip_adapter.image_encoder_model = { key, hash, name, base, type, submodel_type: null };
    }
    const loaderLoras = /lora_(collection_)?loader$/.test(node.type) && !node.type.includes('control')
      ? (node.lora ? [{ lora: node.lora, weight: node.weight }] : [node.loras ?? []].flat().filter(Boolean))
      : [];
    for (const field of Object.keys(entry.outputProps)) {
      const input = node[field];
      if (!(field in entry.props) || !isObject(input) || 'image_name' in input || 'latents_name' in input) continue;
      output[field] = clone(input);
      if (Array.isArray(output[field].loras)) output[field].loras.push(...clone(loaderLoras));
    }
  }

  /** A plausible value for an output field from its schema (model fields carry the node's model). */
  fill(schema, node, name, depth) {
    const catalog = this.node.catalog;
    if (!schema || depth > 6) return null;
    if (schema.$ref) {
      const refName = schema.$ref.split('/').at(-1);
      if (refName === 'ModelIdentifierField') {
        const model = Object.values(node).find((v) => v && typeof v === 'object' && typeof v.key === 'string' && typeof v.hash === 'string');
        return model ? { ...model, submodel_type: null } : null;
      }
      return this.fill(catalog.resolve(schema), node, name, depth + 1);
    }
    if (schema.anyOf || schema.oneOf) return this.fill((schema.anyOf ?? schema.oneOf).find((s) => s.type !== 'null'), node, name, depth + 1);
    if ('default' in schema) return clone(schema.default);
    if (schema.enum) return schema.enum[0];
    switch (schema.type) {
      case 'string': return name;
      case 'integer': case 'number': return 0;
      case 'boolean': return false;
      case 'array': return [];
      case 'object': {
        const out = {};
        for (const [field, prop] of Object.entries(schema.properties ?? {})) out[field] = this.fill(prop, node, `${name}-${field}`, depth + 1);
        return out;
      }
      default: return null;
    }
  }
}
