"""End-to-end against a real Pingvas server; skipped unless PINGVAS_BASE_URL is set.

The server's test suite (tests/Pingvas.Server.Tests/Sdk/PythonSdkTests.cs) starts a server with a
step delay and loopback webhooks allowed, makes a Starter user with two keys and sets:
PINGVAS_BASE_URL, PINGVAS_API_KEY (every scope), PINGVAS_READ_KEY (``read`` only), PINGVAS_MODEL.
"""

import json
import os
import tempfile
import threading
import time
import unittest
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from pingvas import ForbiddenError, NotFoundError, Pingvas, WebhookVerificationError, verify_webhook
from pingvas._operations import OPERATIONS

BASE_URL = os.environ.get("PINGVAS_BASE_URL")
MODEL = os.environ.get("PINGVAS_MODEL", "sd-1.5")
PNG = b"\x89PNG\r\n\x1a\n"


def until(condition, timeout, what):
    """Polls ``condition`` until it gives something truthy (returned), failing after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        found = condition()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.1)


class WebhookReceiver:
    """A loopback endpoint that keeps every POST's headers and raw body and answers 204."""

    def __init__(self):
        self.messages = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.messages.append(({k: v for k, v in self.headers.items()}, body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/hooks/pingvas"
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def close(self):
        self._server.shutdown()
        self._server.server_close()


@unittest.skipUnless(BASE_URL, "set PINGVAS_BASE_URL (and PINGVAS_API_KEY, PINGVAS_READ_KEY) to run against a server")
class EndToEndTests(unittest.TestCase):
    def setUp(self):
        self.client = Pingvas(os.environ["PINGVAS_API_KEY"], base_url=BASE_URL, timeout=30)

    def test_submit_wait_with_progress_download_and_list(self):
        generation = self.client.generations.create("a lighthouse at dusk", MODEL, width=128, height=128, steps=5, seed=42)
        self.assertIn(generation.status, ("queued", "running"))
        self.assertEqual((self.client.rate_limit.limit, generation.steps), (50, 5))
        self.assertLess(self.client.rate_limit.remaining, 50)

        seen = []
        final = self.client.generations.wait(generation.id, on_progress=seen.append, timeout=120)
        self.assertEqual(final.status, "succeeded", final.raw)
        self.assertTrue(any(e.status == "running" and e.total_steps == 5 for e in seen), [e.status for e in seen])
        self.assertTrue(all(e.id for e in seen), "every event carries a resume cursor")
        self.assertEqual(seen[-1].status, "succeeded")
        self.assertEqual(len(final.images), 1)

        image_id = final.images[0].id
        original = self.client.images.download(image_id)
        self.assertTrue(original.startswith(PNG) and len(original) > len(PNG))
        thumbnail = self.client.images.download(image_id, size=256)
        self.assertEqual((thumbnail[:4], thumbnail[8:12]), (b"RIFF", b"WEBP"))
        with tempfile.TemporaryDirectory() as folder:
            path = self.client.images.download(image_id, os.path.join(folder, "out.png"))
            self.assertEqual(path.read_bytes(), original)

        image = self.client.images.get(image_id)
        self.assertEqual((image.generation_id, image.model, image.width), (generation.id, MODEL, 128))
        self.assertIn(image_id, [i.id for i in self.client.images.list(limit=5)])
        self.assertIn(generation.id, [g.id for g in self.client.generations.list(limit=2)])
        self.assertEqual(self.client.generations.get(generation.id).status, "succeeded")

        replay = list(self.client.generations.events(generation.id))
        self.assertEqual([e.status for e in replay], ["succeeded"], "a finished job's stream is its final state")

    def test_list_pages_through_cursors(self):
        for _ in range(2):
            self.client.generations.create("one of a few", MODEL, width=128, height=128, steps=1)
        pages = list(self.client.generations.list(limit=1).pages())
        ids = [g.id for p in pages for g in p.items]
        self.assertGreaterEqual(len(ids), 2)
        self.assertTrue(all(len(p.items) <= 1 for p in pages))
        self.assertEqual(len(ids), len(set(ids)), "no generation twice across pages")
        self.assertEqual(ids, [g.id for g in self.client.generations.list(limit=50)], "the same order, whatever the page size")

    def test_cancel_a_running_or_queued_job(self):
        generation = self.client.generations.create("a long one", MODEL, width=128, height=128, steps=60)
        answer = self.client.generations.cancel(generation.id)
        self.assertEqual(answer.id, generation.id)
        final = self.client.generations.wait(generation.id, timeout=60)
        self.assertEqual(final.status, "cancelled", final.raw)

    def test_estimate_and_models(self):
        models = {m.id: m for m in self.client.models.list()}
        self.assertTrue(models[MODEL].allowed and models[MODEL].available)
        estimate = self.client.generations.estimate("an estimate", MODEL, width=128, height=128, steps=5)
        self.assertTrue(estimate["allowed"], estimate)
        self.assertGreater(estimate["credits"], 0)

    def test_a_read_only_key_cannot_submit(self):
        reader = Pingvas(os.environ["PINGVAS_READ_KEY"], base_url=BASE_URL)
        self.assertTrue(reader.models.list())
        with self.assertRaises(ForbiddenError) as raised:
            reader.generations.create("not allowed", MODEL, steps=5)
        self.assertEqual((raised.exception.status, raised.exception.code), (403, "api_key_scope_missing"))
        self.assertEqual(raised.exception.problem.get("requiredScope"), "generate")

    def test_an_unknown_generation_is_not_found(self):
        with self.assertRaises(NotFoundError) as raised:
            self.client.generations.get(str(uuid.uuid4()))
        self.assertEqual((raised.exception.status, raised.exception.code), (404, "not_found"))

    def test_a_signed_webhook_arrives_and_verifies(self):
        receiver = WebhookReceiver()
        self.addCleanup(receiver.close)
        endpoint = self.client.webhook_endpoints.create(receiver.url, ["generation.succeeded"], description="sdk e2e")
        self.addCleanup(self._delete_quietly, endpoint.id)
        self.assertTrue(endpoint.secret and endpoint.secret.startswith("whsec_"))
        self.assertIn(endpoint.id, [e.id for e in self.client.webhook_endpoints.list()])
        self.assertIsNone(self.client.webhook_endpoints.get(endpoint.id).secret)

        generation = self.client.generations.create("a signed lighthouse", MODEL, width=128, height=128, steps=3)
        self.assertEqual(self.client.generations.wait(generation.id, timeout=120).status, "succeeded")

        def delivered():
            for headers, body in receiver.messages:
                payload = json.loads(body)
                if payload.get("type") == "generation.succeeded" and payload["data"]["id"] == generation.id:
                    return headers, body
            return None

        headers, body = until(delivered, 60, "the generation.succeeded webhook")
        payload = verify_webhook(endpoint.secret, headers, body)
        self.assertEqual((payload["type"], payload["data"]["status"]), ("generation.succeeded", "succeeded"))
        with self.assertRaises(WebhookVerificationError):
            verify_webhook(endpoint.secret, headers, body.replace(b"succeeded", b"failed", 1))
        with self.assertRaises(WebhookVerificationError):
            verify_webhook(endpoint.secret, headers, body, now=time.time() + 3600)

        logged = until(lambda: [d for d in self.client.webhook_endpoints.deliveries(endpoint.id) if d["generationId"] == generation.id],
                       30, "the delivery in the endpoint's log")
        self.assertEqual(logged[0]["eventType"], "generation.succeeded")

        rotated = self.client.webhook_endpoints.rotate_secret(endpoint.id, overlap_hours=0)
        self.assertTrue(rotated.startswith("whsec_") and rotated != endpoint.secret)
        self.client.webhook_endpoints.delete(endpoint.id)
        with self.assertRaises(NotFoundError):
            self.client.webhook_endpoints.get(endpoint.id)

    def test_the_operations_table_matches_the_openapi_document(self):
        with urllib.request.urlopen(BASE_URL.rstrip("/") + "/openapi/v1.json", timeout=30) as answer:
            document = json.load(answer)
        paths = document["paths"]
        for operation, (method, path) in OPERATIONS.items():
            self.assertIn(path, paths, f"{operation}: {path} is not in the document")
            self.assertIn(method.lower(), paths[path], f"{operation}: {method} {path} is not in the document")
            declared = paths[path][method.lower()].get("operationId")
            if declared is not None:
                self.assertEqual(declared, operation, f"{method} {path}")

    def _delete_quietly(self, endpoint_id):
        try:
            self.client.webhook_endpoints.delete(endpoint_id)
        except NotFoundError:
            pass


if __name__ == "__main__":
    unittest.main()
