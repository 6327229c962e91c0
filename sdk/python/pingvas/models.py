"""What the API answers, as small dataclasses with snake_case fields. ``raw`` keeps the whole JSON object."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Dict, Generic, List, Mapping, Optional, TypeVar

from ._time import parse_time

TERMINAL_STATUSES = ("succeeded", "failed", "cancelled")

T = TypeVar("T")


@dataclass
class Progress:
    step: int
    total_steps: int
    percent: int

    @classmethod
    def from_json(cls, data: Optional[Mapping[str, Any]]) -> "Progress":
        data = data or {}
        return cls(int(data.get("step") or 0), int(data.get("totalSteps") or 0), int(data.get("percent") or 0))


@dataclass
class ImageRef:
    """An output image as a generation lists it; ``url`` is signed and good for an hour."""

    id: str
    url: str
    thumbnail_url: str
    thumbnail512_url: str
    width: int
    height: int
    seed: int

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "ImageRef":
        return cls(
            data["id"], data.get("url", ""), data.get("thumbnailUrl", ""), data.get("thumbnail512Url", ""),
            int(data.get("width") or 0), int(data.get("height") or 0), int(data.get("seed") or 0),
        )


@dataclass
class GenerationError:
    code: str
    message: str


@dataclass
class Generation:
    """A generation job: ``GET /generations/{id}``, and the payload of every event about it."""

    id: str
    status: str
    model: str
    prompt: str
    kind: str
    width: int
    height: int
    steps: int
    seed: int
    batch_size: int
    queue_position: Optional[int]
    progress: Progress
    images: List[ImageRef]
    reserved_credits: int
    credits_charged: Optional[int]
    gpu_seconds: Optional[float]
    engine: Optional[str]
    error: Optional[GenerationError]
    created_at: Optional[datetime]
    started_at: Optional[datetime]
    finished_at: Optional[datetime]
    raw: Dict[str, Any] = field(repr=False)

    @property
    def done(self) -> bool:
        """True once the job reached a final status (succeeded, failed or cancelled)."""
        return self.status in TERMINAL_STATUSES

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "Generation":
        error = data.get("error")
        return cls(
            id=data["id"],
            status=data.get("status", ""),
            model=data.get("model", ""),
            prompt=data.get("prompt", ""),
            kind=data.get("kind", "txt2img"),
            width=int(data.get("width") or 0),
            height=int(data.get("height") or 0),
            steps=int(data.get("steps") or 0),
            seed=int(data.get("seed") or 0),
            batch_size=int(data.get("batchSize") or 0),
            queue_position=data.get("queuePosition"),
            progress=Progress.from_json(data.get("progress")),
            images=[ImageRef.from_json(i) for i in data.get("images") or []],
            reserved_credits=int(data.get("reservedCredits") or 0),
            credits_charged=data.get("creditsCharged"),
            gpu_seconds=data.get("gpuSeconds"),
            engine=data.get("engine"),
            error=GenerationError(error.get("code", ""), error.get("message", "")) if isinstance(error, dict) else None,
            created_at=parse_time(data.get("createdAt")),
            started_at=parse_time(data.get("startedAt")),
            finished_at=parse_time(data.get("finishedAt")),
            raw=dict(data),
        )


@dataclass
class ProgressEvent:
    """One event of a generation's stream: its state at that moment, plus ``preview`` and ``balance`` when sent."""

    id: Optional[str]
    generation: Generation
    preview: Optional[str]
    balance: Optional[int]
    raw: Dict[str, Any] = field(repr=False)

    @property
    def status(self) -> str:
        return self.generation.status

    @property
    def step(self) -> int:
        return self.generation.progress.step

    @property
    def total_steps(self) -> int:
        return self.generation.progress.total_steps

    @property
    def percent(self) -> int:
        return self.generation.progress.percent

    @property
    def done(self) -> bool:
        return self.generation.done

    @classmethod
    def from_json(cls, event_id: Optional[str], data: Mapping[str, Any]) -> "ProgressEvent":
        return cls(event_id, Generation.from_json(data), data.get("preview"), data.get("balance"), dict(data))


@dataclass
class Image:
    """A gallery image (``GET /images/{id}``)."""

    id: str
    generation_id: str
    batch_index: int
    url: str
    thumbnail_url: str
    thumbnail512_url: str
    width: int
    height: int
    seed: int
    model: str
    prompt: str
    negative_prompt: Optional[str]
    stored_bytes: int
    metadata: Dict[str, str]
    tags: List[str]
    starred: bool
    folder_id: Optional[str]
    created_at: Optional[datetime]
    deleted_at: Optional[datetime]
    raw: Dict[str, Any] = field(repr=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "Image":
        return cls(
            id=data["id"],
            generation_id=data.get("generationId", ""),
            batch_index=int(data.get("batchIndex") or 0),
            url=data.get("url", ""),
            thumbnail_url=data.get("thumbnailUrl", ""),
            thumbnail512_url=data.get("thumbnail512Url", ""),
            width=int(data.get("width") or 0),
            height=int(data.get("height") or 0),
            seed=int(data.get("seed") or 0),
            model=data.get("model", ""),
            prompt=data.get("prompt", ""),
            negative_prompt=data.get("negativePrompt"),
            stored_bytes=int(data.get("storedBytes") or 0),
            metadata=dict(data.get("metadata") or {}),
            tags=list(data.get("tags") or []),
            starred=bool(data.get("starred")),
            folder_id=data.get("folderId"),
            created_at=parse_time(data.get("createdAt")),
            deleted_at=parse_time(data.get("deletedAt")),
            raw=dict(data),
        )


@dataclass
class Model:
    """A model of the catalog: ``allowed`` by your plan, ``available`` on a live worker now."""

    id: str
    name: str
    kind: str
    family: str
    allowed: bool
    available: bool
    default_steps: int
    default_side: int
    typical_credits: int
    raw: Dict[str, Any] = field(repr=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "Model":
        return cls(
            data["id"], data.get("name", ""), data.get("kind", ""), data.get("family", ""),
            bool(data.get("allowed")), bool(data.get("available")),
            int(data.get("defaultSteps") or 0), int(data.get("defaultSide") or 0), int(data.get("typicalCredits") or 0),
            dict(data),
        )


@dataclass
class WebhookEndpoint:
    """A registered webhook endpoint; ``secret`` is set only on creation (and shown nowhere else)."""

    id: str
    url: str
    events: List[str]
    description: Optional[str]
    enabled: bool
    disabled_reason: Optional[str]
    created_at: Optional[datetime]
    secret: Optional[str]
    raw: Dict[str, Any] = field(repr=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "WebhookEndpoint":
        return cls(
            data["id"], data.get("url", ""), list(data.get("events") or []), data.get("description"),
            bool(data.get("enabled")), data.get("disabledReason"), parse_time(data.get("createdAt")),
            data.get("secret"), dict(data),
        )


@dataclass
class RateLimit:
    """The last ``RateLimit-*`` headers seen: monthly API calls allowed, left, and seconds until the reset."""

    limit: Optional[int]
    remaining: Optional[int]
    reset: Optional[int]


@dataclass
class Page(Generic[T]):
    items: List[T]
    next_cursor: Optional[str]
