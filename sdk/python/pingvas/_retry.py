"""When to retry a call and how long to wait first."""

from __future__ import annotations

import random
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Callable, Optional

RETRY_STATUSES = (429, 503)


def parse_retry_after(value: Optional[str], now: Callable[[], datetime]) -> Optional[float]:
    """Seconds to wait from a ``Retry-After`` header: delta-seconds or an HTTP date; None when absent or unreadable."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - now()).total_seconds())


def backoff(attempt: int, base: float = 0.5, cap: float = 8.0, rand: Callable[[], float] = random.random) -> float:
    """Jittered exponential backoff for a retry without ``Retry-After``: between half and all of ``base * 2**attempt``."""
    ceiling = min(cap, base * (2 ** attempt))
    return ceiling * (0.5 + rand() / 2)
