import base64
import json
import os
import unittest

from pingvas import WebhookVerificationError, verify_webhook
from pingvas.webhooks import sign_webhook

# The test vector published with the Standard Webhooks reference libraries.
SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
SPEC_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
SPEC_TIMESTAMP = 1614265330
SPEC_BODY = '{"test": 2432232314}'
SPEC_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def spec_headers(signature=SPEC_SIGNATURE):
    return {"webhook-id": SPEC_ID, "webhook-timestamp": str(SPEC_TIMESTAMP), "webhook-signature": signature}


class SpecVectorTests(unittest.TestCase):
    def test_the_published_vector_verifies_and_returns_the_body(self):
        self.assertEqual(verify_webhook(SPEC_SECRET, spec_headers(), SPEC_BODY, now=SPEC_TIMESTAMP), {"test": 2432232314})

    def test_our_signer_reproduces_the_published_signature(self):
        self.assertEqual(sign_webhook(SPEC_SECRET, SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY), SPEC_SIGNATURE)

    def test_header_names_in_any_case_and_bytes_bodies(self):
        headers = {k.title(): v for k, v in spec_headers().items()}
        self.assertEqual(verify_webhook(SPEC_SECRET, headers, SPEC_BODY.encode(), now=SPEC_TIMESTAMP)["test"], 2432232314)

    def test_a_tampered_body_is_refused(self):
        with self.assertRaises(WebhookVerificationError):
            verify_webhook(SPEC_SECRET, spec_headers(), '{"test": 2432232315}', now=SPEC_TIMESTAMP)

    def test_another_id_or_timestamp_is_refused(self):
        headers = dict(spec_headers(), **{"webhook-id": "msg_other"})
        with self.assertRaises(WebhookVerificationError):
            verify_webhook(SPEC_SECRET, headers, SPEC_BODY, now=SPEC_TIMESTAMP)
        headers = dict(spec_headers(), **{"webhook-timestamp": str(SPEC_TIMESTAMP + 1)})
        with self.assertRaises(WebhookVerificationError):
            verify_webhook(SPEC_SECRET, headers, SPEC_BODY, now=SPEC_TIMESTAMP)

    def test_another_secret_is_refused(self):
        other = "whsec_" + base64.b64encode(os.urandom(32)).decode()
        with self.assertRaises(WebhookVerificationError):
            verify_webhook(other, spec_headers(), SPEC_BODY, now=SPEC_TIMESTAMP)

    def test_timestamps_beyond_five_minutes_either_way_are_refused(self):
        verify_webhook(SPEC_SECRET, spec_headers(), SPEC_BODY, now=SPEC_TIMESTAMP + 300)
        verify_webhook(SPEC_SECRET, spec_headers(), SPEC_BODY, now=SPEC_TIMESTAMP - 300)
        with self.assertRaisesRegex(WebhookVerificationError, "too old"):
            verify_webhook(SPEC_SECRET, spec_headers(), SPEC_BODY, now=SPEC_TIMESTAMP + 301)
        with self.assertRaisesRegex(WebhookVerificationError, "too new"):
            verify_webhook(SPEC_SECRET, spec_headers(), SPEC_BODY, now=SPEC_TIMESTAMP - 301)

    def test_missing_headers_and_a_bad_timestamp_are_refused(self):
        for name in ("webhook-id", "webhook-timestamp", "webhook-signature"):
            headers = spec_headers()
            del headers[name]
            with self.assertRaises(WebhookVerificationError):
                verify_webhook(SPEC_SECRET, headers, SPEC_BODY, now=SPEC_TIMESTAMP)
        with self.assertRaises(WebhookVerificationError):
            verify_webhook(SPEC_SECRET, dict(spec_headers(), **{"webhook-timestamp": "soon"}), SPEC_BODY, now=SPEC_TIMESTAMP)


class SignatureListTests(unittest.TestCase):
    """During a secret rotation the server sends two signatures; any one matching is enough."""

    def setUp(self):
        self.secret = "whsec_" + base64.b64encode(os.urandom(32)).decode()
        self.body = json.dumps({"type": "generation.succeeded", "data": {"id": "g1"}})

    def test_a_match_anywhere_in_the_space_separated_list_verifies(self):
        good = sign_webhook(self.secret, "msg_1", 1700000000, self.body)
        stale = "v1," + base64.b64encode(os.urandom(32)).decode()
        headers = {"webhook-id": "msg_1", "webhook-timestamp": "1700000000", "webhook-signature": f"{stale} {good}"}
        self.assertEqual(verify_webhook(self.secret, headers, self.body, now=1700000000)["type"], "generation.succeeded")

    def test_other_versions_and_garbage_entries_are_skipped(self):
        good = sign_webhook(self.secret, "msg_1", 1700000000, self.body)
        value = good.split(",", 1)[1]
        headers = {"webhook-id": "msg_1", "webhook-timestamp": "1700000000", "webhook-signature": f"v1a,{value} v1,!!notbase64 junk"}
        with self.assertRaises(WebhookVerificationError):
            verify_webhook(self.secret, headers, self.body, now=1700000000)
        headers["webhook-signature"] += " " + good
        verify_webhook(self.secret, headers, self.body, now=1700000000)

    def test_a_secret_that_is_not_base64_is_an_error_not_a_crash(self):
        headers = {"webhook-id": "msg_1", "webhook-timestamp": "1700000000", "webhook-signature": "v1,AAAA"}
        with self.assertRaises(WebhookVerificationError):
            verify_webhook("whsec_%%%", headers, self.body, now=1700000000)


if __name__ == "__main__":
    unittest.main()
