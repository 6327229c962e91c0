"""Cursor paging: ``{items, nextCursor}`` pages fetched one after another, only as far as the caller reads."""

from __future__ import annotations

from typing import Callable, Generic, Iterator, Optional, TypeVar

from .models import Page

T = TypeVar("T")


class Paginator(Generic[T]):
    """Iterate for every item across pages, or call :meth:`pages` for the pages themselves."""

    def __init__(self, fetch: Callable[[Optional[str]], Page[T]]) -> None:
        self._fetch = fetch

    def pages(self) -> Iterator[Page[T]]:
        cursor: Optional[str] = None
        while True:
            page = self._fetch(cursor)
            yield page
            if not page.next_cursor:
                return
            cursor = page.next_cursor

    def first_page(self) -> Page[T]:
        return self._fetch(None)

    def __iter__(self) -> Iterator[T]:
        for page in self.pages():
            yield from page.items
