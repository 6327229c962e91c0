"""Webhook signature verification per the Standard Webhooks specification (https://www.standardwebhooks.com)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from typing import Any, Mapping, Optional, Union

from .errors import WebhookVerificationError

SECRET_PREFIX = "whsec_"
TOLERANCE_SECONDS = 5 * 60


def verify_webhook(
    secret: str,
    headers: Mapping[str, str],
    body: Union[bytes, str],
    *,
    tolerance: int = TOLERANCE_SECONDS,
    now: Optional[float] = None,
) -> Any:
    """Checks a received webhook and returns its parsed JSON body; raises :class:`WebhookVerificationError` when invalid.

    ``secret`` is the endpoint's ``whsec_…`` secret, ``headers`` the request's headers (any case),
    ``body`` the raw request body exactly as received (verify before parsing). A message more than
    ``tolerance`` seconds older or newer than ``now`` (Unix seconds, default: the clock) is refused,
    which stops replays of old messages.
    """
    key = _key(secret)
    lowered = {k.lower(): v for k, v in headers.items()}
    message_id = lowered.get("webhook-id")
    timestamp = lowered.get("webhook-timestamp")
    signatures = lowered.get("webhook-signature")
    if not message_id or not timestamp or not signatures:
        raise WebhookVerificationError("missing webhook-id, webhook-timestamp or webhook-signature header")
    try:
        sent_at = int(timestamp)
    except ValueError:
        raise WebhookVerificationError("webhook-timestamp is not a Unix time in seconds") from None
    current = time.time() if now is None else now
    if sent_at < current - tolerance:
        raise WebhookVerificationError("message timestamp too old")
    if sent_at > current + tolerance:
        raise WebhookVerificationError("message timestamp too new")

    raw = body.encode("utf-8") if isinstance(body, str) else bytes(body)
    signed = message_id.encode("utf-8") + b"." + timestamp.encode("utf-8") + b"." + raw
    expected = hmac.new(key, signed, hashlib.sha256).digest()
    for entry in signatures.split(" "):
        version, _, value = entry.partition(",")
        if version != "v1":
            continue
        try:
            given = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            continue
        if hmac.compare_digest(given, expected):
            try:
                return json.loads(raw.decode("utf-8"))
            except ValueError:
                raise WebhookVerificationError("the signed body is not JSON") from None
    raise WebhookVerificationError("no matching signature")


def sign_webhook(secret: str, message_id: str, timestamp: int, body: Union[bytes, str]) -> str:
    """The ``webhook-signature`` value of a message (``v1,<base64>``): for tests and local tools."""
    raw = body.encode("utf-8") if isinstance(body, str) else bytes(body)
    signed = f"{message_id}.{timestamp}.".encode("utf-8") + raw
    return "v1," + base64.b64encode(hmac.new(_key(secret), signed, hashlib.sha256).digest()).decode("ascii")


def _key(secret: str) -> bytes:
    text = secret[len(SECRET_PREFIX):] if secret.startswith(SECRET_PREFIX) else secret
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise WebhookVerificationError("the secret is not a whsec_ base64 secret") from None
