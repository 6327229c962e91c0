"""A Server-Sent Events parser (the WHATWG ``text/event-stream`` rules), fed one line at a time."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Iterator, List, Optional


@dataclass
class SseEvent:
    event: str
    data: str
    id: Optional[str]


class SseParser:
    """Turns lines into events. ``last_event_id`` is what a resume sends as ``Last-Event-ID``."""

    def __init__(self) -> None:
        self.last_event_id: Optional[str] = None
        self._event = ""
        self._data: List[str] = []
        self._has_data = False

    def feed(self, line: str) -> Optional[SseEvent]:
        """One line without or with its line ending; returns the event a blank line completes."""
        line = line.rstrip("\r\n") if line.endswith(("\n", "\r")) else line
        if line == "":
            return self._dispatch()
        if line.startswith(":"):
            return None  # a comment, e.g. the server's keep-alive
        name, sep, value = line.partition(":")
        if sep and value.startswith(" "):
            value = value[1:]
        if name == "event":
            self._event = value
        elif name == "data":
            self._data.append(value)
            self._has_data = True
        elif name == "id":
            if "\0" not in value:
                self.last_event_id = value
        # "retry" and unknown fields are ignored: the SDK's own backoff decides reconnects.
        return None

    def _dispatch(self) -> Optional[SseEvent]:
        event, data, has_data = self._event, self._data, self._has_data
        self._event, self._data, self._has_data = "", [], False
        if not has_data:
            return None
        return SseEvent(event or "message", "\n".join(data), self.last_event_id)


def parse_lines(lines: Iterable[str], parser: Optional[SseParser] = None) -> Iterator[SseEvent]:
    """Every complete event of ``lines``; an event cut off by the end of the stream is dropped, as the spec says."""
    parser = parser or SseParser()
    for line in lines:
        event = parser.feed(line)
        if event is not None:
            yield event
