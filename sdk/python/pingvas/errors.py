"""Errors the SDK raises. Every API refusal is an :class:`ApiError` (RFC 9457 problem) with its stable ``code``."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Dict, List, Mapping, Optional

from ._time import parse_time


class PingvasError(Exception):
    """The base of every error this SDK raises."""


class NetworkError(PingvasError):
    """The server could not be reached, or the connection broke, after the allowed retries."""


class PingvasTimeoutError(PingvasError, TimeoutError):
    """A wait (``generations.wait``) ran past its timeout."""


class WebhookVerificationError(PingvasError):
    """A webhook whose signature, timestamp or headers do not check out: do not trust its body."""


class ApiError(PingvasError):
    """The server answered with a problem (``application/problem+json``).

    ``status`` is the HTTP status, ``code`` the problem's stable code (e.g. ``api_key_scope_missing``),
    ``problem`` the whole body, ``retry_after`` the seconds of a ``Retry-After`` header, if any.
    """

    def __init__(
        self,
        status: int,
        problem: Mapping[str, Any],
        headers: Optional[Mapping[str, str]] = None,
        retry_after: Optional[float] = None,
    ) -> None:
        self.status = status
        self.problem: Dict[str, Any] = dict(problem)
        self.code: Optional[str] = _text(problem.get("code"))
        self.title: Optional[str] = _text(problem.get("title"))
        self.detail: Optional[str] = _text(problem.get("detail"))
        self.headers: Dict[str, str] = dict(headers or {})
        self.retry_after = retry_after
        message = f"{status} {self.code or 'error'}"
        if self.title or self.detail:
            message += ": " + " ".join(p for p in (self.title, self.detail) if p)
        super().__init__(message)


class BadRequestError(ApiError):
    """400: the request was refused as it stands (``invalid_image_reference``, ``image_too_large``, ...)."""


class ValidationError(BadRequestError):
    """400 ``validation_failed``: ``errors`` maps each field to its messages."""

    @property
    def errors(self) -> Dict[str, List[str]]:
        found = self.problem.get("errors")
        return dict(found) if isinstance(found, dict) else {}


class UnauthorizedError(ApiError):
    """401: no key, or an unknown, revoked or expired one (``invalid_api_key``)."""


class InsufficientCreditsError(ApiError):
    """402 ``insufficient_credits``: the problem carries ``needed`` and ``balance``."""


class ForbiddenError(ApiError):
    """403: the key lacks a scope (``api_key_scope_missing``), or the plan forbids it (``plan_forbids_model``, ...)."""


class NotFoundError(ApiError):
    """404: missing, or another account's (the same answer)."""


class ConflictError(ApiError):
    """409: e.g. ``idempotency_key_reused``."""


class RateLimitedError(ApiError):
    """429 that the retries did not get past (``rate_limited``, ``queue_limit``)."""


class QuotaExceededError(RateLimitedError):
    """429 ``api_quota_exceeded``: the plan's monthly API calls are spent until ``reset_at``."""

    @property
    def reset_at(self) -> Optional[datetime]:
        return parse_time(self.problem.get("resetAt"))

    @property
    def limit(self) -> Optional[int]:
        value = self.problem.get("limit")
        return value if isinstance(value, int) else None


class ServerError(ApiError):
    """5xx: the server's fault."""


class ServiceUnavailableError(ServerError):
    """503 ``unavailable`` after the retries: the server is recovering; try again later."""


def error_for(
    status: int, problem: Mapping[str, Any], headers: Optional[Mapping[str, str]] = None, retry_after: Optional[float] = None
) -> ApiError:
    """The most specific :class:`ApiError` for a status and problem code."""
    code = problem.get("code")
    kind: type = ApiError
    if status == 400:
        kind = ValidationError if code == "validation_failed" else BadRequestError
    elif status == 401:
        kind = UnauthorizedError
    elif status == 402:
        kind = InsufficientCreditsError
    elif status == 403:
        kind = ForbiddenError
    elif status == 404:
        kind = NotFoundError
    elif status == 409:
        kind = ConflictError
    elif status == 429:
        kind = QuotaExceededError if code == "api_quota_exceeded" else RateLimitedError
    elif status == 503:
        kind = ServiceUnavailableError
    elif status >= 500:
        kind = ServerError
    return kind(status, problem, headers, retry_after)


def _text(value: Any) -> Optional[str]:
    return value if isinstance(value, str) else None
