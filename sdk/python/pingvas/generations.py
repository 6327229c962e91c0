"""``client.generations``: submit, read, list, cancel, and follow a job over Server-Sent Events."""

from __future__ import annotations

import http.client
import json
import time
import uuid
from typing import Any, Callable, Dict, Iterable, Iterator, Mapping, Optional

from ._http import Transport
from ._paging import Paginator
from ._sse import SseParser
from .errors import NetworkError, PingvasTimeoutError
from .models import Generation, Page, ProgressEvent

ProgressCallback = Callable[[ProgressEvent], None]

# A stream open this long before it dropped was working: its drop does not count towards giving up.
_HEALTHY_STREAM_SECONDS = 30.0


class Generations:
    def __init__(self, transport: Transport) -> None:
        self._t = transport

    def create(
        self,
        prompt: str,
        model: str,
        *,
        negative_prompt: Optional[str] = None,
        width: Optional[int] = None,
        height: Optional[int] = None,
        steps: Optional[int] = None,
        cfg_scale: Optional[float] = None,
        scheduler: Optional[str] = None,
        seed: Optional[int] = None,
        batch_size: Optional[int] = None,
        webhook: Optional[str] = None,
        webhook_events: Optional[Iterable[str]] = None,
        idempotency_key: Optional[str] = None,
        **extra: Any,
    ) -> Generation:
        """Queues a generation (202). Other request fields (``kind``, ``init_image_id``, ``tags``, …) go in ``extra``, snake_case.

        An ``Idempotency-Key`` is made per call (or pass your own) and sent again on every retry, so a
        retried submit never queues a second job.
        """
        body = _body(prompt, model, negative_prompt, width, height, steps, cfg_scale, scheduler, seed, batch_size, webhook, webhook_events, extra)
        key = idempotency_key or str(uuid.uuid4())
        return Generation.from_json(self._t.request("createGeneration", body=body, headers={"Idempotency-Key": key}).json())

    def estimate(self, prompt: str, model: str, **fields: Any) -> Dict[str, Any]:
        """What the same submit would cost and whether it would be taken now: ``{credits, allowed, problem}``."""
        named = {k: fields.pop(k, None) for k in ("negative_prompt", "width", "height", "steps", "cfg_scale", "scheduler", "seed", "batch_size", "webhook", "webhook_events")}
        body = _body(prompt, model, extra=fields, **named)
        answer: Dict[str, Any] = self._t.request("estimateGeneration", body=body).json()
        return answer

    def get(self, generation_id: str) -> Generation:
        return Generation.from_json(self._t.request("getGeneration", path={"id": generation_id}).json())

    def list(self, *, status: Optional[str] = None, limit: Optional[int] = None) -> Paginator[Generation]:
        """Your generations, newest first: iterate for every one (pages are fetched as needed), or ``.pages()``."""

        def fetch(cursor: Optional[str]) -> Page[Generation]:
            answer = self._t.request("listGenerations", query={"status": status, "limit": limit, "cursor": cursor}).json()
            return Page([Generation.from_json(g) for g in answer.get("items", [])], answer.get("nextCursor"))

        return Paginator(fetch)

    def cancel(self, generation_id: str) -> Generation:
        """Cancels a queued job at once (full refund); a running one stops at its next step. Answers the job as it is now."""
        return Generation.from_json(self._t.request("cancelGeneration", path={"id": generation_id}).json())

    def events(self, generation_id: str, *, last_event_id: Optional[str] = None) -> Iterator[ProgressEvent]:
        """The job's events: its current state first, then each change, ending after the final one.

        A dropped stream is reopened with ``Last-Event-ID`` (up to ``max_retries`` times in a row).
        """
        return self._follow("streamGenerationEvents", {"id": generation_id}, last_event_id, None)

    def all_events(self, *, last_event_id: Optional[str] = None) -> Iterator[ProgressEvent]:
        """Events of all your generations, live (with ``last_event_id``: first what changed since). Never ends by itself."""
        return self._follow("streamAllGenerationEvents", None, last_event_id, None)

    def wait(self, generation_id: str, *, on_progress: Optional[ProgressCallback] = None, timeout: float = 600.0) -> Generation:
        """Follows the job until it succeeds, fails or is cancelled and returns it; ``on_progress`` gets every event.

        Raises :class:`PingvasTimeoutError` after ``timeout`` seconds. A failed or cancelled job is
        returned, not raised: check ``status`` (and ``error``).
        """
        deadline = time.monotonic() + timeout
        for event in self._follow("streamGenerationEvents", {"id": generation_id}, None, deadline):
            if on_progress is not None:
                on_progress(event)
            if event.done:
                return event.generation
        # The one-job stream ends only after a final event; reaching here means it did not.
        raise NetworkError(f"the event stream of {generation_id} ended before the job finished")

    def _follow(self, operation: str, path: Optional[Mapping[str, str]], last_event_id: Optional[str],
                deadline: Optional[float]) -> Iterator[ProgressEvent]:
        resume_id = last_event_id
        failures = 0
        while True:
            parser = SseParser()
            parser.last_event_id = resume_id
            headers = {"Accept": "text/event-stream"}
            if resume_id:
                headers["Last-Event-ID"] = resume_id
            try:
                response = self._t.request(operation, path=path, headers=headers, stream=True,
                                           timeout=_read_timeout(self._t.timeout, deadline), deadline=deadline)
            except NetworkError as e:
                if deadline is not None and time.monotonic() > deadline:
                    raise PingvasTimeoutError("timed out waiting for the generation to finish") from e
                raise
            broken: Optional[BaseException] = None
            opened, received = time.monotonic(), 0
            try:
                for line in response.iter_lines():
                    if deadline is not None and time.monotonic() > deadline:
                        raise PingvasTimeoutError("timed out waiting for the generation to finish")
                    sse = parser.feed(line)
                    resume_id = parser.last_event_id
                    if sse is None or sse.event != "generation":
                        continue
                    received += 1
                    event = ProgressEvent.from_json(sse.id, json.loads(sse.data))
                    yield event
                    if path is not None and event.done:
                        return
            except PingvasTimeoutError:
                raise
            except (OSError, http.client.HTTPException) as e:  # TimeoutError is an OSError: hence the clause above
                broken = e
            finally:
                response.close()
            if deadline is not None and time.monotonic() > deadline:
                raise PingvasTimeoutError("timed out waiting for the generation to finish")
            # The stream dropped (or ended early): resume where it stopped, after a short pause. A resume
            # always replays the current state first, so only a live event or a long-lived connection
            # counts as progress; a stream that drops right after each replay gives up after the retries.
            if received > 1 or time.monotonic() - opened >= _HEALTHY_STREAM_SECONDS:
                failures = 0
            if failures >= self._t.max_retries:
                raise NetworkError(f"the event stream kept dropping: {broken}") from broken
            self._t.sleep(self._t.backoff(failures))
            failures += 1


def _read_timeout(timeout: float, deadline: Optional[float]) -> float:
    if deadline is None:
        return timeout
    return max(1.0, min(timeout, deadline - time.monotonic()))


def _body(prompt: str, model: str, negative_prompt: Optional[str] = None, width: Optional[int] = None, height: Optional[int] = None,
          steps: Optional[int] = None, cfg_scale: Optional[float] = None, scheduler: Optional[str] = None, seed: Optional[int] = None,
          batch_size: Optional[int] = None, webhook: Optional[str] = None, webhook_events: Optional[Iterable[str]] = None,
          extra: Optional[Mapping[str, Any]] = None) -> Dict[str, Any]:
    fields: Dict[str, Any] = {
        "prompt": prompt, "model": model, "negativePrompt": negative_prompt, "width": width, "height": height, "steps": steps,
        "cfgScale": cfg_scale, "scheduler": scheduler, "seed": seed, "batchSize": batch_size, "webhook": webhook,
        "webhookEvents": list(webhook_events) if webhook_events is not None else None,
    }
    for name, value in (extra or {}).items():
        fields[_camel(name)] = value
    return {k: v for k, v in fields.items() if v is not None}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)
