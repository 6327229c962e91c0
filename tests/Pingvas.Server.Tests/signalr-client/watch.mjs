// A real @microsoft/signalr client for the xunit tests: connects to /hubs/progress and prints
// what it sees as JSON lines on stdout, one per line, so a test can read them as they come.
//
//   node watch.mjs <baseUrl> <accessToken|-> [options]
//
//   <accessToken>          the JWT; "-" connects without one
//   --auth header|query    header (default): accessTokenFactory, as a Node/.NET client does;
//                          query: ?access_token=… in the URL, exactly what a browser sends
//   --transport websockets|serversentevents|longpolling|auto
//                          websockets (default): WebSockets only; the fallbacks a proxy may force;
//                          auto: whatever negotiation picks
//   --skip-negotiation     connect the WebSocket directly, without POST /negotiate (needs websockets)
//   --until-terminal <id>  exit 0 once job <id> reached succeeded, failed or cancelled (repeatable)
//   --watch-stdin          job ids read from stdin, one per line, are added to --until-terminal
//   --terminals <n>        exit 0 after <n> terminal events of any job
//   --seconds <n>          hard time limit (default 30): exit 0 with {"event":"timeout"}
//   --since <iso time>     ?since=… in the hub URL: the jobs finished since then come in the snapshot on connect
//
// stdout lines:
//   {"event":"connected","transport":"WebSockets","connectionId":"…"}
//   {"event":"generation","data":{…GenerationDto…}}
//   {"event":"done","reason":"terminal"}            the watched jobs finished
//   {"event":"timeout"}                               the time limit passed
//   {"event":"refused","statusCode":401,"message":"…"} could not connect (exit code 2)
//   {"event":"closed","message":"…"}                 the server closed the connection (exit code 3)
// Diagnostics and the client's own log go to stderr. Exit codes: 0 done/timeout, 1 bad usage,
// 2 connection refused, 3 connection lost.

import * as signalR from "@microsoft/signalr";

const TERMINAL = new Set(["succeeded", "failed", "cancelled"]);
const TRANSPORTS = {
    websockets: signalR.HttpTransportType.WebSockets,
    serversentevents: signalR.HttpTransportType.ServerSentEvents,
    longpolling: signalR.HttpTransportType.LongPolling,
    auto: undefined,
};

function usage(message) {
    process.stderr.write(`watch.mjs: ${message}\nusage: node watch.mjs <baseUrl> <accessToken|-> [--auth header|query] [--transport websockets|serversentevents|longpolling|auto] [--skip-negotiation] [--until-terminal <jobId>]... [--watch-stdin] [--terminals <n>] [--seconds <n>] [--since <iso time>]\n`);
    process.exit(1);
}

function parseArgs(argv) {
    const positional = [];
    const options = { auth: "header", transport: "websockets", skipNegotiation: false, until: [], watchStdin: false, terminals: 0, seconds: 30, since: null };
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        const value = () => {
            if (i + 1 >= argv.length) {
                usage(`${arg} needs a value`);
            }
            return argv[++i];
        };
        switch (arg) {
            case "--auth": options.auth = value(); break;
            case "--transport": options.transport = value(); break;
            case "--skip-negotiation": options.skipNegotiation = true; break;
            case "--until-terminal": options.until.push(value().toLowerCase()); break;
            case "--watch-stdin": options.watchStdin = true; break;
            case "--terminals": options.terminals = Number.parseInt(value(), 10); break;
            case "--seconds": options.seconds = Number.parseFloat(value()); break;
            case "--since": options.since = value(); break;
            default:
                if (arg.startsWith("--")) {
                    usage(`unknown option ${arg}`);
                }
                positional.push(arg);
        }
    }
    if (positional.length !== 2) {
        usage("expected <baseUrl> and <accessToken|->");
    }
    if (!["header", "query"].includes(options.auth)) usage("--auth must be header or query");
    if (!(options.transport in TRANSPORTS)) usage(`--transport must be one of ${Object.keys(TRANSPORTS).join(", ")}`);
    if (options.skipNegotiation && options.transport !== "websockets") usage("--skip-negotiation needs --transport websockets");
    if (!(options.seconds > 0)) usage("--seconds must be a positive number");
    if (!(options.terminals >= 0)) usage("--terminals must be a number");
    return { baseUrl: positional[0].replace(/\/+$/, ""), token: positional[1] === "-" ? null : positional[1], options };
}

const { baseUrl, token, options } = parseArgs(process.argv.slice(2));

function emit(record) {
    process.stdout.write(JSON.stringify(record) + "\n");
}

let exiting = false;
let connection = null;

// Waits for stdout to drain before exiting, so the last lines are never lost in a pipe.
function exit(code) {
    if (exiting) {
        return;
    }
    exiting = true;
    const finish = () => process.stdout.write("", () => process.exit(code));
    const stopping = connection ? connection.stop().catch(() => { }) : Promise.resolve();
    // Stopping is polite, not required: never let it hold the exit past a second.
    Promise.race([stopping, new Promise(resolve => setTimeout(resolve, 1000))]).then(finish);
}

// The hard limit: whatever happens (a hung connect, a silent server), the process ends by itself.
const limit = setTimeout(() => {
    emit({ event: "timeout" });
    exit(0);
}, options.seconds * 1000);
// And a last resort if a graceful exit itself hangs.
setTimeout(() => process.exit(exiting ? 0 : 4), options.seconds * 1000 + 5000).unref();

// The client's log goes to stderr: its ConsoleLogger would write information to stdout.
const logger = {
    log(level, message) {
        if (level >= signalR.LogLevel.Warning && level !== signalR.LogLevel.None) {
            process.stderr.write(`[signalr ${signalR.LogLevel[level]}] ${message}\n`);
        }
    },
};

// In Node the client opens WebSockets with the "ws" package and swallows the HTTP status of a
// refused upgrade; a thin subclass remembers it so a 401 can be reported as such.
let refusedStatus = null;
let WebSocketClass;
try {
    const ws = await import("ws");
    const Base = ws.WebSocket ?? ws.default;
    WebSocketClass = class extends Base {
        constructor(...args) {
            super(...args);
            this.on("error", error => {
                const match = /Unexpected server response: (\d+)/.exec(error?.message ?? "");
                if (match) {
                    refusedStatus = Number.parseInt(match[1], 10);
                }
            });
        }
    };
} catch {
    WebSocketClass = undefined;
}

let hubUrl = `${baseUrl}/hubs/progress`;
const query = [];
if (options.since !== null) {
    query.push(`since=${encodeURIComponent(options.since)}`);
}
const httpOptions = {
    transport: TRANSPORTS[options.transport],
    skipNegotiation: options.skipNegotiation,
    logger,
};
if (WebSocketClass) {
    httpOptions.WebSocket = WebSocketClass;
}
if (token !== null) {
    if (options.auth === "query") {
        query.push(`access_token=${encodeURIComponent(token)}`);
    } else {
        httpOptions.accessTokenFactory = () => token;
    }
}

if (query.length > 0) {
    hubUrl += `?${query.join("&")}`;
}

connection = new signalR.HubConnectionBuilder()
    .withUrl(hubUrl, httpOptions)
    .configureLogging(logger)
    .build();

const watched = new Set(options.until);
const finished = new Set();
let terminalCount = 0;

function checkDone() {
    const allWatchedDone = watched.size > 0 && [...watched].every(id => finished.has(id));
    const countReached = options.terminals > 0 && terminalCount >= options.terminals;
    if (allWatchedDone || countReached) {
        clearTimeout(limit);
        emit({ event: "done", reason: "terminal" });
        exit(0);
    }
}

connection.on("generation", data => {
    if (exiting) {
        return;
    }
    emit({ event: "generation", data });
    if (data && TERMINAL.has(data.status)) {
        terminalCount++;
        finished.add(String(data.id).toLowerCase());
        checkDone();
    }
});

// In-app notices (credits low/exhausted): printed as they come, for the notice tests.
connection.on("notice", data => {
    if (!exiting) {
        emit({ event: "notice", data });
    }
});

connection.onclose(error => {
    if (exiting) {
        return;
    }
    const message = error ? String(error.message ?? error) : "the server closed the connection";
    process.stderr.write(`watch.mjs: connection closed: ${message}\n`);
    emit({ event: "closed", message });
    exit(3);
});

if (options.watchStdin) {
    let buffer = "";
    process.stdin.setEncoding("utf8");
    process.stdin.on("data", chunk => {
        buffer += chunk;
        let newline;
        while ((newline = buffer.indexOf("\n")) >= 0) {
            const id = buffer.slice(0, newline).trim().toLowerCase();
            buffer = buffer.slice(newline + 1);
            if (id) {
                watched.add(id);
                checkDone();
            }
        }
    });
    // stdin must not keep the process alive on its own.
    process.stdin.unref?.();
}

try {
    await connection.start();
} catch (error) {
    const message = String(error?.message ?? error);
    const match = /Status code '(\d+)'/.exec(message);
    const statusCode = match ? Number.parseInt(match[1], 10) : refusedStatus;
    process.stderr.write(`watch.mjs: connection refused${statusCode ? ` (HTTP ${statusCode})` : ""}: ${message}\n`);
    emit({ event: "refused", statusCode, message });
    clearTimeout(limit);
    connection = null;
    exit(2);
}

// start() resolves at the handshake, but the server runs the hub's OnConnectedAsync (which joins
// the user's group) only after it, and dispatches client messages only once that finished. So
// an invocation's answer (here: the error for a method the hub does not have) proves the
// connection is in its group before we tell the test it can submit.
if (!exiting) {
    // The expected answer is an error; a lost connection is reported by onclose.
    await connection.invoke("__barrier__").catch(() => { });
}

if (!exiting && connection.state === signalR.HubConnectionState.Connected) {
    emit({ event: "connected", transport: transportName(), connectionId: connection.connectionId });
    checkDone();
}

function transportName() {
    const transport = connection?.connection?.transport;
    // WebSocketTransport → "websockets", ServerSentEventsTransport → "serversentevents", …: the --transport names.
    const name = transport?.constructor?.name?.replace(/Transport$/, "").toLowerCase() ?? null;
    return name === "websocket" ? "websockets" : name;
}
