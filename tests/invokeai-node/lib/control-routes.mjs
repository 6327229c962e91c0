// The test control API under /__control/ (not InvokeAI's): models, settings, faults and the record.
import { readJson, send } from './http.mjs';

/** @param server the TestServer (node state plus listening control) */
export async function handleControl(server, req, res) {
  const node = server.node;
  const path = new URL(req.url, 'http://localhost').pathname.replace(/^\/__control/, '').replace(/\/+$/, '');
  const route = `${req.method} ${path}`;
  const body = ['PUT', 'POST'].includes(req.method) ? (await readJson(req)) ?? {} : undefined;
  switch (route) {
    case 'GET /state':
      return send(res, 200, { listening: server.listening, maintenance: node.maintenance, settings: node.settings });
    case 'GET /models':
      return send(res, 200, { models: [...node.models.values()] });
    case 'PUT /models':
      if (!Array.isArray(body.models)) return send(res, 400, { detail: 'models must be a list' });
      node.setModels(body.models);
      return send(res, 200, { models: [...node.models.values()] });
    case 'PUT /settings':
      node.configure(body);
      return send(res, 200, node.settings);
    case 'POST /fail-next':
      node.executor.failNext = { error_type: body.error_type ?? 'RuntimeError', error_message: body.error_message ?? 'CUDA out of memory.' };
      return send(res, 200, node.executor.failNext);
    case 'POST /fail-next-install':
      node.installer.failNext = { error_type: body.error_type ?? 'RuntimeError', error_message: body.error_message ?? 'Simulated install failure' };
      return send(res, 200, node.installer.failNext);
    case 'PUT /maintenance':
      node.maintenance = body.on === true;
      return send(res, 200, { maintenance: node.maintenance });
    case 'POST /restart':
      await server.restart(body.downtime_ms ?? node.settings.restart_downtime_ms, body.clear_queue === true);
      return send(res, 200, { restarts: node.restarts });
    case 'POST /down':
      await server.goDown();
      return send(res, 200, { listening: false });
    case 'POST /up':
      try {
        await server.comeBack();
      } catch (error) {
        // Answer rather than leave the caller waiting: the port could not be taken again.
        return send(res, 500, { detail: `could not listen again: ${error.message}` });
      }
      return send(res, 200, { listening: true });
    case 'GET /record':
      return send(res, 200, node.snapshot(server.connectedSockets()));
    case 'DELETE /record':
      node.clearRecord();
      return send(res, 200, {});
    default:
      return send(res, 404, { detail: `no control route ${route}` });
  }
}
