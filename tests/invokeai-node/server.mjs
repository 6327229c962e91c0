// The InvokeAI protocol test node: InvokeAI's REST routes and socket.io events on one loopback port,
// the test control API on another. Prints {"listening":{"port":N,"control_port":M}} when ready.
//   node server.mjs [--port N] [--control-port M] [--settings JSON] [--exit-with-stdin]
import http from 'node:http';
import { Server as SocketServer } from 'socket.io';
import { handleControl } from './lib/control-routes.mjs';
import { send } from './lib/http.mjs';
import { handleInvoke } from './lib/invoke-routes.mjs';
import { InvokeAiNode } from './lib/node.mjs';

export class TestServer {
  constructor(settings = {}) {
    this.node = new InvokeAiNode(settings);
    this.listening = false;
    this.port = 0;
    this.restartTimer = null;
    this.sockets = new Set();
    this.http = http.createServer((req, res) => this.#serve(req, res, () => handleInvoke(this.node, req, res)));
    // Every raw socket, upgraded websockets included: closeAllConnections() does not reach those,
    // and a graceful websocket close can wait 30 s for the peer, which a node going down never does.
    this.http.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    this.control = http.createServer((req, res) => this.#serve(req, res, () => handleControl(this, req, res)));
    this.io = new SocketServer(this.http, { path: '/ws/socket.io', cors: { origin: '*' }, serveClient: false });
    this.node.io = this.io;
    this.io.use((socket, next) => {
      const token = this.node.settings.token;
      const given = socket.handshake.auth?.token ?? socket.handshake.headers.authorization?.replace(/^Bearer /, '');
      if (token && given !== token) return next(new Error('Not authenticated'));
      next();
    });
    this.io.on('connection', (socket) => {
      // Single-user InvokeAI: every socket is the admin, whose room hears the model install events.
      socket.join('admin');
      socket.on('subscribe_queue', (data) => data?.queue_id && socket.join(data.queue_id));
      socket.on('unsubscribe_queue', (data) => data?.queue_id && socket.leave(data.queue_id));
    });
  }

  async #serve(req, res, handler) {
    try {
      const handled = await handler();
      if (handled === false) send(res, 404, { detail: 'Not Found' });
    } catch (error) {
      if (!res.headersSent) send(res, error.status ?? 500, { detail: error.status ? error.message : `internal error: ${error.message}` });
      if (!error.status) console.error(error);
    }
  }

  async start(port = 0, controlPort = 0) {
    await new Promise((resolve, reject) => this.control.once('error', reject).listen(controlPort, '127.0.0.1', resolve));
    if (port !== 0) {
      await this.comeBack(port);
    } else {
      // Not an ephemeral port (Linux hands those out from 32768): while the node is "down", an
      // outgoing connection of some other process could be given the same port, and the node
      // could not come back on it.
      for (let attempt = 0; ; attempt++) {
        try {
          await this.comeBack(20000 + Math.floor(Math.random() * 12000));
          break;
        } catch (error) {
          if (error.code !== 'EADDRINUSE' || attempt >= 50) throw error;
        }
      }
    }
    return { port: this.port, control_port: this.control.address().port };
  }

  connectedSockets() {
    return this.io.of('/').sockets.size;
  }

  /** Stops listening: sockets dropped, open connections closed, new ones refused. */
  async goDown() {
    if (!this.listening) return;
    this.listening = false;
    this.io.disconnectSockets(true);
    const closed = new Promise((resolve) => this.http.close(() => resolve()));
    this.http.closeAllConnections();
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  async comeBack(port = this.port) {
    clearTimeout(this.restartTimer);
    this.node.executor.paused = false;
    if (!this.listening) {
      await new Promise((resolve, reject) => this.http.once('error', reject).listen(port, '127.0.0.1', resolve));
      this.port = this.http.address().port;
      this.listening = true;
    }
    this.node.executor.pump();
  }

  /** InvokeAI restarting: down, in-progress items canceled as at startup, back after the downtime. */
  async restart(downtimeMs, clearQueue = false) {
    this.node.executor.paused = true;
    await this.goDown();
    this.node.cancelInterrupted();
    if (clearQueue) this.node.clearDefaultQueue();
    this.node.restarts += 1;
    this.restartTimer = setTimeout(() => this.comeBack().catch((e) => console.error('could not listen again:', e)), downtimeMs);
  }

  async stop() {
    clearTimeout(this.restartTimer);
    this.io.close();
    this.http.closeAllConnections();
    for (const socket of this.sockets) socket.destroy();
    this.control.closeAllConnections();
    await new Promise((resolve) => this.control.close(() => resolve()));
  }
}

function parseArgs(argv) {
  const args = { port: 0, controlPort: 0, settings: {}, exitWithStdin: false };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--port') args.port = Number(argv[++i]);
    else if (argv[i] === '--control-port') args.controlPort = Number(argv[++i]);
    else if (argv[i] === '--settings') args.settings = JSON.parse(argv[++i]);
    else if (argv[i] === '--exit-with-stdin') args.exitWithStdin = true;
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  return args;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = parseArgs(process.argv.slice(2));
  const server = new TestServer(args.settings);
  const ports = await server.start(args.port, args.controlPort);
  console.log(JSON.stringify({ listening: ports }));
  if (args.exitWithStdin) {
    // The parent (the test host) holds our stdin: when it dies, stdin ends and so do we.
    process.stdin.on('end', () => process.exit(0));
    process.stdin.on('close', () => process.exit(0));
    process.stdin.resume();
  }
}
