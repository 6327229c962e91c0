"""Retries, errors and rate-limit headers, against a loopback stub (no Pingvas server needed)."""

import unittest
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

from pingvas import (
    ForbiddenError,
    NetworkError,
    NotFoundError,
    Pingvas,
    QuotaExceededError,
    RateLimitedError,
    ServiceUnavailableError,
    ValidationError,
)
from pingvas._retry import backoff, parse_retry_after

from stub_server import Answer, StubServer, problem

NOW = datetime(2026, 12, 3, 4, 0, 0, tzinfo=timezone.utc)
GENERATION = {"id": "g1", "status": "queued", "model": "sd-1.5", "prompt": "p", "progress": {"step": 0, "totalSteps": 4, "percent": 0}, "images": []}


def client_for(stub, sleeps, **options):
    client = Pingvas("pv_live_test", base_url=stub.url, **options)
    client._transport.sleep = sleeps.append
    client._transport.now = lambda: NOW
    client._transport.backoff = lambda attempt: 0.25 * (attempt + 1)
    return client


class RetryTests(unittest.TestCase):
    def test_429_is_retried_after_retry_after_seconds_with_the_same_idempotency_key(self):
        sleeps = []
        with StubServer([problem(429, "rate_limited", {"Retry-After": "2"}), Answer(202, GENERATION)]) as stub:
            generation = client_for(stub, sleeps).generations.create("p", "sd-1.5", steps=4)
        self.assertEqual(generation.id, "g1")
        self.assertEqual(sleeps, [2.0])
        keys = [r.headers["idempotency-key"] for r in stub.received]
        self.assertEqual(len(keys), 2)
        self.assertEqual(keys[0], keys[1])
        self.assertTrue(keys[0])

    def test_each_submit_gets_its_own_idempotency_key(self):
        with StubServer([Answer(202, GENERATION), Answer(202, GENERATION)]) as stub:
            client = client_for(stub, [])
            client.generations.create("p", "sd-1.5")
            client.generations.create("p", "sd-1.5")
        self.assertNotEqual(stub.received[0].headers["idempotency-key"], stub.received[1].headers["idempotency-key"])

    def test_503_without_retry_after_backs_off(self):
        sleeps = []
        with StubServer([problem(503, "unavailable"), problem(503, "unavailable"), Answer(200, GENERATION)]) as stub:
            client_for(stub, sleeps).generations.get("g1")
        self.assertEqual(sleeps, [0.25, 0.5])

    def test_retry_after_as_an_http_date(self):
        sleeps = []
        later = format_datetime(NOW + timedelta(seconds=7), usegmt=True)
        with StubServer([problem(503, "unavailable", {"Retry-After": later}), Answer(200, GENERATION)]) as stub:
            client_for(stub, sleeps).generations.get("g1")
        self.assertEqual(sleeps, [7.0])

    def test_retries_are_bounded_then_the_typed_error_is_raised(self):
        sleeps = []
        with StubServer([problem(503, "unavailable", {"Retry-After": "1"})] * 5) as stub:
            with self.assertRaises(ServiceUnavailableError) as raised:
                client_for(stub, sleeps, max_retries=3).generations.get("g1")
        self.assertEqual(len(stub.received), 4)
        self.assertEqual(sleeps, [1.0, 1.0, 1.0])
        self.assertEqual((raised.exception.status, raised.exception.code, raised.exception.retry_after), (503, "unavailable", 1.0))

    def test_a_quota_resetting_beyond_the_max_wait_raises_at_once_with_the_reset_time(self):
        sleeps = []
        answer = problem(429, "api_quota_exceeded", {"Retry-After": "86400"}, resetAt="2027-01-01T00:00:00Z", limit=50)
        with StubServer([answer, Answer(202, GENERATION)]) as stub:
            with self.assertRaises(QuotaExceededError) as raised:
                client_for(stub, sleeps, max_retry_wait=30).generations.create("p", "sd-1.5")
        self.assertEqual((len(stub.received), sleeps), (1, []))
        error = raised.exception
        self.assertIsInstance(error, RateLimitedError)
        self.assertEqual((error.status, error.code, error.retry_after, error.limit), (429, "api_quota_exceeded", 86400.0, 50))
        self.assertEqual(error.reset_at, datetime(2027, 1, 1, tzinfo=timezone.utc))

    def test_a_quota_without_retry_after_is_judged_by_its_reset_time(self):
        sleeps = []
        answer = problem(429, "api_quota_exceeded", resetAt="2026-12-31T00:00:00.0000000Z", limit=50)
        with StubServer([answer, Answer(202, GENERATION)]) as stub:
            with self.assertRaises(QuotaExceededError) as raised:
                client_for(stub, sleeps).generations.create("p", "sd-1.5")
        self.assertEqual((len(stub.received), sleeps, raised.exception.retry_after), (1, [], None))

    def test_a_short_wait_within_the_cap_is_retried(self):
        sleeps = []
        with StubServer([problem(429, "rate_limited", {"Retry-After": "5"}), Answer(200, GENERATION)]) as stub:
            client_for(stub, sleeps, max_retry_wait=5).generations.get("g1")
        self.assertEqual(sleeps, [5.0])

    def test_a_dropped_connection_is_retried_for_reads_and_keyed_submits(self):
        sleeps = []
        with StubServer([Answer(drop=True), Answer(200, GENERATION), Answer(drop=True), Answer(202, GENERATION)]) as stub:
            client = client_for(stub, sleeps)
            client.generations.get("g1")
            client.generations.create("p", "sd-1.5")
        self.assertEqual(len(stub.received), 4)
        self.assertEqual(stub.received[2].headers["idempotency-key"], stub.received[3].headers["idempotency-key"])
        self.assertEqual(sleeps, [0.25, 0.25])

    def test_a_dropped_connection_is_not_retried_for_a_call_that_must_not_repeat(self):
        with StubServer([Answer(drop=True), Answer(200, {"secret": "whsec_x"})]) as stub:
            with self.assertRaises(NetworkError):
                client_for(stub, []).webhook_endpoints.rotate_secret("e1")
        self.assertEqual(len(stub.received), 1)

    def test_an_unreachable_server_is_a_network_error_after_the_retries(self):
        sleeps = []
        with StubServer([]) as stub:
            url = stub.url
        client = Pingvas("pv_live_test", base_url=url, timeout=2)
        client._transport.sleep = sleeps.append
        with self.assertRaises(NetworkError):
            client.models.list()
        self.assertEqual(len(sleeps), 3)


class ErrorTests(unittest.TestCase):
    def test_problems_become_typed_errors_carrying_the_problem(self):
        answers = [
            problem(404, "not_found", detail="No such generation."),
            problem(403, "api_key_scope_missing", requiredScope="generate"),
            problem(400, "validation_failed", errors={"steps": ["steps must be 1-150."]}),
        ]
        with StubServer(answers) as stub:
            client = client_for(stub, [])
            with self.assertRaises(NotFoundError) as missing:
                client.generations.get("nope")
            with self.assertRaises(ForbiddenError) as forbidden:
                client.generations.create("p", "sd-1.5")
            with self.assertRaises(ValidationError) as invalid:
                client.generations.create("p", "sd-1.5", steps=0)
        self.assertEqual((missing.exception.status, missing.exception.code, missing.exception.detail), (404, "not_found", "No such generation."))
        self.assertEqual(forbidden.exception.problem["requiredScope"], "generate")
        self.assertEqual(invalid.exception.errors, {"steps": ["steps must be 1-150."]})
        self.assertEqual(len(stub.received), 3)  # none of these is retried

    def test_a_non_json_error_body_still_gives_a_typed_error(self):
        with StubServer([Answer(404, "nothing here", {"Content-Type": "text/plain"})]) as stub:
            with self.assertRaises(NotFoundError) as raised:
                client_for(stub, []).images.get("i1")
        self.assertIsNone(raised.exception.code)
        self.assertEqual(raised.exception.title, "nothing here")


class RequestTests(unittest.TestCase):
    def test_the_key_goes_as_a_bearer_and_rate_limit_headers_are_kept(self):
        headers = {"RateLimit-Limit": "50", "RateLimit-Remaining": "49", "RateLimit-Reset": "3600"}
        with StubServer([Answer(200, [], headers)]) as stub:
            client = client_for(stub, [])
            self.assertEqual(client.rate_limit.limit, None)
            self.assertEqual(client.models.list(), [])
        self.assertEqual(stub.received[0].headers["authorization"], "Bearer pv_live_test")
        self.assertEqual((client.rate_limit.limit, client.rate_limit.remaining, client.rate_limit.reset), (50, 49, 3600))

    def test_submit_sends_camel_case_fields_and_leaves_out_unset_ones(self):
        import json

        with StubServer([Answer(202, GENERATION)]) as stub:
            client_for(stub, []).generations.create("p", "sd-1.5", cfg_scale=7, batch_size=2, init_image_id="u1")
        self.assertEqual(json.loads(stub.received[0].body), {"prompt": "p", "model": "sd-1.5", "cfgScale": 7, "batchSize": 2, "initImageId": "u1"})

    def test_list_follows_cursors_lazily(self):
        first = {"items": [dict(GENERATION, id="g3"), dict(GENERATION, id="g2")], "nextCursor": "c2"}
        second = {"items": [dict(GENERATION, id="g1")], "nextCursor": None}
        with StubServer([Answer(200, first), Answer(200, second)]) as stub:
            pages = client_for(stub, []).generations.list(status="queued", limit=2)
            self.assertEqual(stub.received, [])
            self.assertEqual([g.id for g in pages], ["g3", "g2", "g1"])
        self.assertEqual(stub.received[0].path, "/api/v1/generations?status=queued&limit=2")
        self.assertEqual(stub.received[1].path, "/api/v1/generations?status=queued&limit=2&cursor=c2")

    def test_download_to_bytes_and_to_a_file(self):
        import os
        import tempfile

        png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 100
        with StubServer([Answer(200, png, {"Content-Type": "image/png"}), Answer(200, png, {"Content-Type": "image/png"})]) as stub:
            client = client_for(stub, [])
            self.assertEqual(client.images.download("i1"), png)
            with tempfile.TemporaryDirectory() as folder:
                path = client.images.download("i1", os.path.join(folder, "out.png"), size=512)
                with open(path, "rb") as f:
                    self.assertEqual(f.read(), png)
                self.assertEqual(os.listdir(folder), ["out.png"])
        self.assertEqual(stub.received[1].path, "/api/v1/images/i1/content?size=512")


class RetryHelperTests(unittest.TestCase):
    def test_parse_retry_after(self):
        now = lambda: NOW  # noqa: E731
        self.assertEqual(parse_retry_after("120", now), 120.0)
        self.assertEqual(parse_retry_after(format_datetime(NOW + timedelta(seconds=30), usegmt=True), now), 30.0)
        self.assertEqual(parse_retry_after(format_datetime(NOW - timedelta(seconds=30), usegmt=True), now), 0.0)
        self.assertIsNone(parse_retry_after("soon", now))
        self.assertIsNone(parse_retry_after(None, now))

    def test_backoff_grows_with_jitter_and_a_cap(self):
        self.assertEqual(backoff(0, rand=lambda: 1.0), 0.5)
        self.assertEqual(backoff(0, rand=lambda: 0.0), 0.25)
        self.assertEqual(backoff(2, rand=lambda: 1.0), 2.0)
        self.assertEqual(backoff(10, rand=lambda: 1.0), 8.0)


if __name__ == "__main__":
    unittest.main()
