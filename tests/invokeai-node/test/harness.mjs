// Starts a TestServer in-process on loopback ports and gives the tests small HTTP and socket helpers.
import { io as connect } from 'socket.io-client';
import { TestServer } from '../server.mjs';
import { encodePng } from '../lib/png.mjs';

export async function startServer(settings = {}) {
  const server = new TestServer({ step_delay_ms: 1, ...settings });
  const ports = await server.start();
  const base = `http://127.0.0.1:${ports.port}`;
  const control = `http://127.0.0.1:${ports.control_port}/__control`;
  const token = settings.token;
  const call = async (method, path, body, headers = {}) => {
    const res = await fetch(base + path, {
      method,
      headers: { ...(body !== undefined && !(body instanceof FormData) ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
      body: body === undefined ? undefined : body instanceof FormData ? body : JSON.stringify(body),
    });
    const type = res.headers.get('content-type') ?? '';
    const data = type.includes('json') ? await res.json() : Buffer.from(await res.arrayBuffer());
    return { status: res.status, data, headers: res.headers };
  };
  const ctl = async (method, path, body) => {
    const res = await fetch(control + path, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    return res.json();
  };
  const models = (await call('GET', '/api/v2/models/')).data.models;
  const upload = async (width, height, { category = 'user', contentType = 'image/png', bytes } = {}) => {
    const form = new FormData();
    const data = bytes ?? encodePng(width, height, Buffer.alloc(width * height * 3, 200));
    form.append('file', new Blob([data], { type: contentType }), 'init.png');
    return call('POST', `/api/v1/images/upload?image_category=${category}&is_intermediate=true`, form);
  };
  const sockets = [];
  /** A socket.io client subscribed to the queue; `events` collects [name, payload] in arrival order. */
  const subscribe = async (queueId = 'default', auth = token ? { token } : undefined) => {
    const socket = connect(base, { path: '/ws/socket.io', transports: ['websocket'], auth, reconnection: false });
    sockets.push(socket);
    const events = [];
    socket.onAny((name, payload) => events.push([name, payload]));
    await new Promise((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    socket.emit('subscribe_queue', { queue_id: queueId });
    // The join is processed in order with later emits, but give the server a round trip to be sure.
    await new Promise((resolve) => setImmediate(resolve));
    return { socket, events };
  };
  const close = async () => {
    for (const s of sockets) s.close();
    await server.stop();
  };
  return { server, base, call, ctl, models, upload, subscribe, close };
}

/** Polls until `check` returns a truthy value (bounded). */
export async function eventually(check, what, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
