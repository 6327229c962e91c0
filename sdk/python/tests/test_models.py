import unittest
from datetime import datetime, timezone

from pingvas import Generation, ProgressEvent
from pingvas._time import parse_time

# A generation as the server serialises it (GenerationDto), trimmed of fields the SDK only keeps in raw.
SUCCEEDED = {
    "id": "0193c8a0-0000-7000-8000-000000000001", "status": "succeeded", "model": "sd-1.5", "prompt": "p",
    "negativePrompt": None, "width": 128, "height": 128, "steps": 5, "cfgScale": 7.0, "scheduler": "euler",
    "seed": 9007199254740993, "batchSize": 1, "queuePosition": None,
    "progress": {"step": 5, "totalSteps": 5, "percent": 100},
    "images": [{"id": "i1", "url": "/api/v1/files/a?exp=1&sig=x", "thumbnailUrl": "t", "thumbnail512Url": "t5",
                "width": 128, "height": 128, "seed": 42}],
    "gpuSeconds": 1.02, "reservedCredits": 3, "creditsCharged": 2, "engine": "procedural", "error": None,
    "createdAt": "2026-12-03T04:06:22.1234567Z", "startedAt": "2026-12-03T04:06:22Z", "finishedAt": None,
    "kind": "txt2img", "loras": [], "balance": 48,
}


class ModelTests(unittest.TestCase):
    def test_a_generation_reads_every_field_in_snake_case_and_keeps_raw(self):
        g = Generation.from_json(SUCCEEDED)
        self.assertEqual((g.status, g.batch_size, g.reserved_credits, g.credits_charged, g.seed), ("succeeded", 1, 3, 2, 9007199254740993))
        self.assertEqual((g.progress.step, g.progress.total_steps, g.progress.percent), (5, 5, 100))
        self.assertEqual((g.images[0].id, g.images[0].thumbnail512_url, g.images[0].seed), ("i1", "t5", 42))
        self.assertEqual(g.created_at, datetime(2026, 12, 3, 4, 6, 22, 123456, tzinfo=timezone.utc))
        self.assertIsNone(g.finished_at)
        self.assertTrue(g.done)
        self.assertEqual(g.raw["loras"], [])

    def test_a_failed_generation_carries_its_error(self):
        g = Generation.from_json(dict(SUCCEEDED, status="failed", images=[], error={"code": "engine_error", "message": "boom"}))
        self.assertEqual((g.error.code, g.error.message, g.done), ("engine_error", "boom", True))

    def test_a_progress_event_exposes_the_state_and_extras(self):
        e = ProgressEvent.from_json("cursor", dict(SUCCEEDED, status="running", progress={"step": 2, "totalSteps": 5, "percent": 40}, preview="data:x"))
        self.assertEqual((e.id, e.status, e.step, e.total_steps, e.percent, e.preview, e.balance, e.done), ("cursor", "running", 2, 5, 40, "data:x", 48, False))

    def test_parse_time(self):
        self.assertEqual(parse_time("2026-12-03T04:06:22Z"), datetime(2026, 12, 3, 4, 6, 22, tzinfo=timezone.utc))
        self.assertEqual(parse_time("2026-12-03T04:06:22.5+00:00"), datetime(2026, 12, 3, 4, 6, 22, 500000, tzinfo=timezone.utc))
        self.assertEqual(parse_time("2026-12-03T04:06:22"), datetime(2026, 12, 3, 4, 6, 22, tzinfo=timezone.utc))
        self.assertIsNone(parse_time("yesterday"))
        self.assertIsNone(parse_time(None))


if __name__ == "__main__":
    unittest.main()
