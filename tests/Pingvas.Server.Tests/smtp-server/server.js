// A local SMTP server for the xunit tests only (Infrastructure/SmtpServer.cs starts it on 127.0.0.1).
// It offers STARTTLS with the TEST-ONLY certificate in this folder (never use it anywhere else),
// optionally requires AUTH, and stores every message it receives as DIR/<n>.eml (raw, as sent)
// with DIR/<n>.json beside it (envelope, whether the session was TLS, the authenticated user).
//   node server.js --port N --dir DIR [--user U --password P]
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const { SMTPServer } = require("smtp-server");

const args = {};
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, "")] = process.argv[i + 1];
const port = Number(args.port);
const dir = args.dir;
fs.mkdirSync(dir, { recursive: true });
let count = 0;

const server = new SMTPServer({
  secure: false, // plain connection, upgraded with STARTTLS as SES and SendGrid do on 587
  key: fs.readFileSync(path.join(__dirname, "test-only-key.pem")),
  cert: fs.readFileSync(path.join(__dirname, "test-only-cert.pem")),
  authOptional: !args.user,
  allowInsecureAuth: false,
  disabledCommands: [],
  logger: false,
  onAuth(auth, session, callback) {
    if (args.user && auth.username === args.user && auth.password === args.password) {
      return callback(null, { user: auth.username });
    }
    return callback(new Error("Invalid username or password"));
  },
  onData(stream, session, callback) {
    const chunks = [];
    stream.on("data", (c) => chunks.push(c));
    stream.on("end", () => {
      const n = String(++count).padStart(5, "0") + "-" + process.pid;
      const meta = {
        from: session.envelope.mailFrom && session.envelope.mailFrom.address,
        to: session.envelope.rcptTo.map((r) => r.address),
        secure: Boolean(session.secure),
        user: session.user || null,
      };
      // The metadata first: a reader that sees the .eml finds its .json too.
      fs.writeFileSync(path.join(dir, n + ".json"), JSON.stringify(meta));
      fs.writeFileSync(path.join(dir, n + ".eml.tmp"), Buffer.concat(chunks));
      fs.renameSync(path.join(dir, n + ".eml.tmp"), path.join(dir, n + ".eml"));
      callback();
    });
  },
});
server.on("error", (err) => console.error("smtp error:", err.message));
server.listen(port, "127.0.0.1", () => console.log(`SMTP test server listening on 127.0.0.1:${port}`));
for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => server.close(() => process.exit(0)));
