// Signs a Stripe webhook payload with the stripe package's own test helper, so the server's
// Stripe-Signature check is proven against Stripe's code, not against a copy of our own.
// stdin: {"payload": "<raw body>", "secret": "whsec_...", "timestamp": <unix seconds>}
// stdout: the Stripe-Signature header value.
const Stripe = require('stripe');

const stripe = new Stripe('sk_test_signer_only');
let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', chunk => { input += chunk; });
process.stdin.on('end', () => {
  const { payload, secret, timestamp } = JSON.parse(input);
  process.stdout.write(stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp }));
});
