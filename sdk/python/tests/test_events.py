"""Following a generation over Server-Sent Events against a loopback stub: progress, resume, the end, timeouts."""

import json
import threading
import unittest

from pingvas import NetworkError, Pingvas, PingvasTimeoutError

from stub_server import Answer, StubServer

SSE = {"Content-Type": "text/event-stream"}


def state(status, step=0, **extra):
    return dict({"id": "g1", "status": status, "model": "sd-1.5", "prompt": "p", "progress": {"step": step, "totalSteps": 4, "percent": step * 25}, "images": []}, **extra)


def frame(cursor, generation):
    return f"id: {cursor}\nevent: generation\ndata: {json.dumps(generation)}\n\n"


def client_for(stub, sleeps):
    client = Pingvas("pv_live_test", base_url=stub.url)
    client._transport.sleep = sleeps.append
    client._transport.backoff = lambda attempt: 0.1
    return client


class EventStreamTests(unittest.TestCase):
    def test_wait_reports_every_event_and_returns_the_final_state(self):
        body = frame("c1", state("queued", queuePosition=1)) + ": keep-alive\n\n" + frame("c2", state("running", 2, preview="data:image/webp;base64,AA"))
        body += frame("c3", state("succeeded", 4, images=[{"id": "i1", "url": "/f", "width": 64, "height": 64, "seed": 1}]))
        seen = []
        with StubServer([Answer(200, body, SSE)]) as stub:
            final = client_for(stub, []).generations.wait("g1", on_progress=seen.append)
        self.assertEqual([(e.id, e.status, e.step) for e in seen], [("c1", "queued", 0), ("c2", "running", 2), ("c3", "succeeded", 4)])
        self.assertEqual(seen[1].preview, "data:image/webp;base64,AA")
        self.assertEqual(seen[1].percent, 50)
        self.assertEqual((final.status, final.images[0].id), ("succeeded", "i1"))
        self.assertEqual(stub.received[0].path, "/api/v1/generations/g1/events")
        self.assertNotIn("last-event-id", stub.received[0].headers)

    def test_a_dropped_stream_resumes_with_the_last_event_id(self):
        first = frame("c1", state("queued")) + frame("c2", state("running", 1)) + "id: c3\nevent: generation\ndata: {\"id\""
        second = frame("c4", state("running", 3)) + frame("c5", state("cancelled", 3))
        sleeps = []
        with StubServer([Answer(200, first, SSE), Answer(200, second, SSE)]) as stub:
            events = list(client_for(stub, sleeps).generations.events("g1"))
        self.assertEqual([e.id for e in events], ["c1", "c2", "c4", "c5"])
        # The cut-off event's id line was read, but the event never completed: resume from c3 is what the spec says.
        self.assertEqual(stub.received[1].headers["last-event-id"], "c3")
        self.assertEqual(sleeps, [0.1])
        self.assertTrue(events[-1].done)

    def test_a_stream_that_keeps_dropping_gives_up_after_the_retries(self):
        sleeps = []
        with StubServer([Answer(200, ": keep-alive\n\n", SSE)] * 4) as stub:
            with self.assertRaises(NetworkError):
                list(client_for(stub, sleeps).generations.events("g1"))
        self.assertEqual(len(stub.received), 4)
        self.assertEqual(len(sleeps), 3)

    def test_a_stream_that_drops_after_each_replayed_state_gives_up_too(self):
        sleeps = []
        with StubServer([Answer(200, frame("c1", state("running", 1)), SSE)] * 5) as stub:
            with self.assertRaises(NetworkError):
                list(client_for(stub, sleeps).generations.events("g1"))
        self.assertEqual((len(stub.received), len(sleeps)), (4, 3))

    def test_wait_times_out_on_a_job_that_never_ends(self):
        release = threading.Event()

        def slow(request):
            release.wait(5)
            return Answer(200, frame("c1", state("running", 1)), SSE)

        with StubServer([slow] * 10) as stub:
            client = client_for(stub, [])
            try:
                with self.assertRaises(PingvasTimeoutError):
                    client.generations.wait("g1", timeout=1.5)
            finally:
                release.set()

    def test_all_events_sends_the_resume_cursor(self):
        body = frame("c9", state("succeeded", 4))
        with StubServer([Answer(200, body, SSE)]) as stub:
            stream = client_for(stub, []).generations.all_events(last_event_id="c8")
            first = next(stream)
            stream.close()
        self.assertEqual(first.id, "c9")
        self.assertEqual(stub.received[0].path, "/api/v1/generations/events")
        self.assertEqual(stub.received[0].headers["last-event-id"], "c8")


if __name__ == "__main__":
    unittest.main()
