// A loopback HTTP server that answers each request with the next scripted handler and records
// what it was sent: enough to see retries, headers and streams on a real connection.
import { createServer } from "node:http";

export async function startStub(handlers) {
  const requests = [];
  const queue = [...handlers];
  const server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      requests.push({ method: req.method, url: req.url, headers: req.headers, body });
      const handler = queue.shift();
      if (!handler) {
        res.writeHead(500, { "content-type": "text/plain" }).end("no handler left");
        return;
      }
      handler(req, res, body);
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(resolve);
      }),
  };
}

export function json(status, body, headers = {}) {
  return (req, res) => {
    res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));
  };
}

export function problem(status, code, extra = {}, headers = {}) {
  return (req, res) => {
    res
      .writeHead(status, { "content-type": "application/problem+json", ...headers })
      .end(JSON.stringify({ type: `https://pingvas.studio/problems/${code}`, title: "Refused.", status, detail: `detail of ${code}`, code, ...extra }));
  };
}

/** Drops the connection without an answer. */
export function drop() {
  return (req) => req.socket.destroy();
}

/** A fake clock for the retry waits: records each wait and returns at once. */
export function fakeSleep() {
  const waits = [];
  const sleep = async (ms) => {
    waits.push(ms);
  };
  return { waits, sleep };
}
