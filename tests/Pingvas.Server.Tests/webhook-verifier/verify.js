// Verifies a webhook message with the standardwebhooks package (an independent implementation of
// the Standard Webhooks spec), so the server's signatures are proven against someone else's code.
// stdin: {"secret": "whsec_...", "body": "<raw body>", "headers": {"webhook-id": ..., ...}, "now": <unix seconds>}
// stdout: "ok" and exit 0 when the signature verifies; the error and exit 1 when it does not.
// "now" is the server's (shifted) clock: the package checks the timestamp against Date.now().
const { Webhook } = require('standardwebhooks');

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', chunk => { input += chunk; });
process.stdin.on('end', () => {
  const { secret, body, headers, now } = JSON.parse(input);
  if (typeof now === 'number') {
    Date.now = () => now * 1000;
  }
  try {
    new Webhook(secret).verify(body, headers);
    process.stdout.write('ok');
  } catch (error) {
    process.stdout.write(`invalid: ${error.message}`);
    process.exitCode = 1;
  }
});
