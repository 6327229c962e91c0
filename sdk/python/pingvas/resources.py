"""``client.images``, ``client.models`` and ``client.webhook_endpoints``."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Union

from ._http import Transport
from ._paging import Paginator
from .models import Image, Model, Page, WebhookEndpoint

TERMINAL_GENERATION_EVENTS = ("generation.succeeded", "generation.failed", "generation.cancelled")


class Images:
    def __init__(self, transport: Transport) -> None:
        self._t = transport

    def list(self, *, q: Optional[str] = None, tag: Optional[str] = None, folder: Optional[str] = None, model: Optional[str] = None,
             starred: Optional[bool] = None, sort: Optional[str] = None, limit: Optional[int] = None) -> Paginator[Image]:
        """Your gallery images (newest first unless ``sort``), fetched page by page as you iterate."""

        def fetch(cursor: Optional[str]) -> Page[Image]:
            query = {"q": q, "tag": tag, "folder": folder, "model": model, "starred": starred, "sort": sort, "limit": limit, "cursor": cursor}
            answer = self._t.request("listImages", query=query).json()
            return Page([Image.from_json(i) for i in answer.get("items", [])], answer.get("nextCursor"))

        return Paginator(fetch)

    def get(self, image_id: str) -> Image:
        return Image.from_json(self._t.request("getImage", path={"id": image_id}).json())

    def download(self, image_id: str, path: Union[str, "os.PathLike[str]", None] = None, *, size: Union[str, int] = "original") -> Any:
        """The image's bytes (``size`` ``original`` is the PNG, ``512``/``256`` WebP thumbnails).

        Without ``path`` returns the bytes; with ``path`` streams them to that file and returns its ``Path``.
        """
        response = self._t.request("getImageContent", path={"id": image_id}, query={"size": str(size)}, stream=True)
        with response:
            if path is None:
                return b"".join(response.iter_chunks())
            target = Path(path)
            partial = target.with_name(target.name + ".part")
            with open(partial, "wb") as out:
                for chunk in response.iter_chunks():
                    out.write(chunk)
            # Only a complete download takes the name: an interrupted one never looks finished.
            os.replace(partial, target)
            return target


class Models:
    def __init__(self, transport: Transport) -> None:
        self._t = transport

    def list(self) -> List[Model]:
        """The catalog: which models your plan allows (``allowed``) and which a worker serves now (``available``)."""
        return [Model.from_json(m) for m in self._t.request("listModels").json()]


class WebhookEndpoints:
    def __init__(self, transport: Transport) -> None:
        self._t = transport

    def create(self, url: str, events: Iterable[str] = TERMINAL_GENERATION_EVENTS, *, description: Optional[str] = None) -> WebhookEndpoint:
        """Registers an endpoint; the answer's ``secret`` (``whsec_…``) is shown only now: store it to verify deliveries."""
        body: Dict[str, Any] = {"url": url, "events": list(events)}
        if description is not None:
            body["description"] = description
        return WebhookEndpoint.from_json(self._t.request("createWebhookEndpoint", body=body).json())

    def list(self) -> List[WebhookEndpoint]:
        return [WebhookEndpoint.from_json(e) for e in self._t.request("listWebhookEndpoints").json().get("items", [])]

    def get(self, endpoint_id: str) -> WebhookEndpoint:
        return WebhookEndpoint.from_json(self._t.request("getWebhookEndpoint", path={"id": endpoint_id}).json())

    def delete(self, endpoint_id: str) -> None:
        self._t.request("deleteWebhookEndpoint", path={"id": endpoint_id})

    def rotate_secret(self, endpoint_id: str, *, overlap_hours: Optional[int] = None) -> str:
        """A new secret (returned); during ``overlap_hours`` (0–72, default 24) deliveries carry both signatures."""
        body = {} if overlap_hours is None else {"overlapHours": overlap_hours}
        secret: str = self._t.request("rotateWebhookEndpointSecret", path={"id": endpoint_id}, body=body).json()["secret"]
        return secret

    def deliveries(self, endpoint_id: str, *, limit: Optional[int] = None) -> Paginator[Dict[str, Any]]:
        """The endpoint's delivery log (newest first), as the API's JSON objects."""

        def fetch(cursor: Optional[str]) -> Page[Dict[str, Any]]:
            answer = self._t.request("listWebhookDeliveries", path={"id": endpoint_id}, query={"limit": limit, "cursor": cursor}).json()
            return Page(list(answer.get("items", [])), answer.get("nextCursor"))

        return Paginator(fetch)
