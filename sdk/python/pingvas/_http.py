"""One HTTP call of an operation: the key, retries on 429/503 and dropped connections, problems as typed errors."""

from __future__ import annotations

import http.client
import json
import threading
import time
from datetime import datetime, timezone
from typing import Any, Callable, Iterator, Mapping, Optional
from urllib.parse import quote, urlencode, urlsplit

from ._version import __version__
from ._operations import OPERATIONS
from ._retry import RETRY_STATUSES, backoff, parse_retry_after
from .errors import ApiError, NetworkError, QuotaExceededError, error_for
from .models import RateLimit

# Calls whose repetition changes nothing: safe to send again after a connection broke mid-way.
_IDEMPOTENT_METHODS = ("GET", "HEAD", "DELETE")
_IDEMPOTENT_OPERATIONS = ("cancelGeneration", "estimateGeneration")


class Response:
    """An answer whose body is either read (``body``) or still streaming (``stream``; close it)."""

    def __init__(self, status: int, headers: Mapping[str, str], body: bytes = b"",
                 stream: Optional[http.client.HTTPResponse] = None, connection: Optional[http.client.HTTPConnection] = None) -> None:
        self.status = status
        self.headers = headers
        self.body = body
        self.stream = stream
        self._connection = connection

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8")) if self.body else None

    def iter_lines(self) -> Iterator[str]:
        assert self.stream is not None
        while True:
            line = self.stream.readline()
            if not line:
                return
            yield line.decode("utf-8")

    def iter_chunks(self, size: int = 65536) -> Iterator[bytes]:
        assert self.stream is not None
        while True:
            chunk = self.stream.read(size)
            if not chunk:
                return
            yield chunk

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def __enter__(self) -> "Response":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class Transport:
    def __init__(self, api_key: str, base_url: str, timeout: float, max_retries: int, max_retry_wait: float) -> None:
        if not api_key:
            raise ValueError("api_key is required (a pv_live_… key from the app's Developers page)")
        parts = urlsplit(base_url.rstrip("/"))
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"base_url must be an http(s) URL, not {base_url!r}")
        self._scheme = parts.scheme
        self._host = parts.hostname
        self._port = parts.port
        self._prefix = parts.path
        self._api_key = api_key
        self.timeout = timeout
        self.max_retries = max_retries
        self.max_retry_wait = max_retry_wait
        # Replaced by tests to run retries without waiting.
        self.sleep: Callable[[float], None] = time.sleep
        self.now: Callable[[], datetime] = lambda: datetime.now(timezone.utc)
        self.backoff: Callable[[int], float] = backoff
        self._lock = threading.Lock()
        self._rate_limit = RateLimit(None, None, None)

    @property
    def rate_limit(self) -> RateLimit:
        with self._lock:
            return RateLimit(self._rate_limit.limit, self._rate_limit.remaining, self._rate_limit.reset)

    def request(self, operation: str, *, path: Optional[Mapping[str, str]] = None, query: Optional[Mapping[str, Any]] = None,
                body: Any = None, headers: Optional[Mapping[str, str]] = None, stream: bool = False,
                timeout: Optional[float] = None, deadline: Optional[float] = None) -> Response:
        """Sends ``operation`` (a key of the operations table), retrying as the SDK promises; raises ApiError on a problem."""
        method, template = OPERATIONS[operation]
        target = self._prefix + _fill(template, path or {})
        if query:
            pairs = [(k, _query_value(v)) for k, v in query.items() if v is not None]
            if pairs:
                target += "?" + urlencode(pairs)
        sent = {"Authorization": f"Bearer {self._api_key}", "User-Agent": f"pingvas-python/{__version__}", "Accept": "application/json"}
        data: Optional[bytes] = None
        if body is not None:
            data = json.dumps(body).encode("utf-8")
            sent["Content-Type"] = "application/json"
        sent.update(headers or {})
        resend_safe = method in _IDEMPOTENT_METHODS or operation in _IDEMPOTENT_OPERATIONS or "Idempotency-Key" in sent

        attempt = 0
        while True:
            try:
                response = self._send(method, target, data, sent, stream, timeout or self.timeout)
            except (OSError, http.client.HTTPException) as e:
                # ``deadline`` (time.monotonic) is a caller's overall bound, e.g. generations.wait's timeout.
                in_time = deadline is None or time.monotonic() < deadline
                if resend_safe and attempt < self.max_retries and in_time:
                    self.sleep(self.backoff(attempt))
                    attempt += 1
                    continue
                raise NetworkError(f"{method} {target}: {e}") from e
            self._note_rate_limit(response.headers)
            if response.status < 400:
                return response
            error = self._error(response)
            if response.status in RETRY_STATUSES and attempt < self.max_retries:
                wait = self._wait_for(error, attempt)
                # A wait beyond the cap (an API quota resetting next month) is not worth blocking for.
                if wait <= self.max_retry_wait:
                    self.sleep(wait)
                    attempt += 1
                    continue
            raise error

    def _send(self, method: str, target: str, data: Optional[bytes], headers: Mapping[str, str], stream: bool, timeout: float) -> Response:
        kind = http.client.HTTPSConnection if self._scheme == "https" else http.client.HTTPConnection
        connection = kind(self._host, self._port, timeout=timeout)
        try:
            connection.request(method, target, body=data, headers=dict(headers))
            answer = connection.getresponse()
            found = {k.lower(): v for k, v in answer.getheaders()}
            if stream and answer.status < 400:
                return Response(answer.status, found, stream=answer, connection=connection)
            body = answer.read()
        except BaseException:
            connection.close()
            raise
        connection.close()
        return Response(answer.status, found, body)

    def _wait_for(self, error: ApiError, attempt: int) -> float:
        if error.retry_after is not None:
            return error.retry_after
        if isinstance(error, QuotaExceededError) and error.reset_at is not None:
            # No Retry-After: the quota's own reset time says how long a retry would have to wait.
            return max(0.0, (error.reset_at - self.now()).total_seconds())
        return self.backoff(attempt)

    def _error(self, response: Response) -> ApiError:
        if response.stream is not None:
            response.body = response.stream.read()
            response.close()
        try:
            problem = response.json()
        except ValueError:
            problem = None
        if not isinstance(problem, dict):
            problem = {"title": response.body.decode("utf-8", "replace")[:500] or None, "status": response.status}
        retry_after = parse_retry_after(response.headers.get("retry-after"), self.now)
        return error_for(response.status, problem, response.headers, retry_after)

    def _note_rate_limit(self, headers: Mapping[str, str]) -> None:
        if "ratelimit-limit" not in headers:
            return
        with self._lock:
            self._rate_limit = RateLimit(_int(headers.get("ratelimit-limit")), _int(headers.get("ratelimit-remaining")), _int(headers.get("ratelimit-reset")))


def _fill(template: str, values: Mapping[str, str]) -> str:
    out = template
    for name, value in values.items():
        out = out.replace("{" + name + "}", quote(str(value), safe=""))
    if "{" in out:
        raise ValueError(f"missing path parameter in {template}")
    return out


def _query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _int(value: Optional[str]) -> Optional[int]:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None

