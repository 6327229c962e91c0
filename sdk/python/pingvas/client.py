"""The client: ``Pingvas(api_key)`` and its resources."""

from __future__ import annotations

import os
from typing import Optional

from ._http import Transport
from .generations import Generations
from .models import RateLimit
from .resources import Images, Models, WebhookEndpoints

DEFAULT_BASE_URL = "http://127.0.0.1:5080"


class Pingvas:
    """A Pingvas API client.

    ``api_key`` defaults to ``$PINGVAS_API_KEY`` and ``base_url`` to ``$PINGVAS_BASE_URL`` or
    ``http://127.0.0.1:5080``. Calls answered 429 or 503 are retried up to ``max_retries`` times,
    waiting what ``Retry-After`` says, but never more than ``max_retry_wait`` seconds at a time
    (a longer wait raises at once). ``timeout`` bounds each connect and each read, in seconds.
    Safe to share between threads.
    """

    def __init__(
        self,
        api_key: Optional[str] = None,
        *,
        base_url: Optional[str] = None,
        max_retries: int = 3,
        max_retry_wait: float = 60.0,
        timeout: float = 60.0,
    ) -> None:
        key = api_key or os.environ.get("PINGVAS_API_KEY", "")
        url = base_url or os.environ.get("PINGVAS_BASE_URL") or DEFAULT_BASE_URL
        self._transport = Transport(key, url, timeout, max_retries, max_retry_wait)
        self.generations = Generations(self._transport)
        self.images = Images(self._transport)
        self.models = Models(self._transport)
        self.webhook_endpoints = WebhookEndpoints(self._transport)

    @property
    def rate_limit(self) -> RateLimit:
        """The last ``RateLimit-Limit/Remaining/Reset`` the server sent (None until a key-authenticated answer carried them)."""
        return self._transport.rate_limit
