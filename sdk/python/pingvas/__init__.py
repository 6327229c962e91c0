"""Pingvas Studio's Python SDK: submit generations, follow their progress, download images, verify webhooks."""

from ._version import __version__
from .client import DEFAULT_BASE_URL, Pingvas
from .errors import (
    ApiError,
    BadRequestError,
    ConflictError,
    ForbiddenError,
    InsufficientCreditsError,
    NetworkError,
    NotFoundError,
    PingvasError,
    PingvasTimeoutError,
    QuotaExceededError,
    RateLimitedError,
    ServerError,
    ServiceUnavailableError,
    UnauthorizedError,
    ValidationError,
    WebhookVerificationError,
)
from .models import Generation, Image, ImageRef, Model, Page, Progress, ProgressEvent, RateLimit, WebhookEndpoint
from .webhooks import verify_webhook

__all__ = [
    "__version__", "DEFAULT_BASE_URL", "Pingvas", "verify_webhook",
    "ApiError", "BadRequestError", "ConflictError", "ForbiddenError", "InsufficientCreditsError", "NetworkError",
    "NotFoundError", "PingvasError", "PingvasTimeoutError", "QuotaExceededError", "RateLimitedError", "ServerError",
    "ServiceUnavailableError", "UnauthorizedError", "ValidationError", "WebhookVerificationError",
    "Generation", "Image", "ImageRef", "Model", "Page", "Progress", "ProgressEvent", "RateLimit", "WebhookEndpoint",
]
