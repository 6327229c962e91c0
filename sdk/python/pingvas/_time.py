"""ISO 8601 times as the server writes them (``2026-12-03T04:06:22.1234567Z``), for Python 3.9's ``fromisoformat``."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any, Optional

_FRACTION = re.compile(r"\.(\d+)")


def parse_time(value: Any) -> Optional[datetime]:
    """A timezone-aware datetime, or None for a missing or unreadable value."""
    if not isinstance(value, str) or not value:
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    # .NET writes 7 fractional digits; Python before 3.11 reads at most 6.
    text = _FRACTION.sub(lambda m: "." + m.group(1)[:6].ljust(6, "0"), text, count=1)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
