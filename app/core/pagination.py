"""Cursor pagination over time-ordered ids, newest first."""

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel
from sqlmodel import Session
from sqlmodel.sql.expression import SelectOfScalar

from app.core.problems import Problem

T = TypeVar("T")
MAX_LIMIT = 500


class BadCursor(Problem):
    type = "bad-cursor"
    title = "Invalid cursor"


@dataclass
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None


class PageParams(BaseModel):
    limit: int = 50
    cursor: str | None = None


def _encode(value: str) -> str:
    return base64.urlsafe_b64encode(value.encode()).decode().rstrip("=")


def _decode(cursor: str) -> str:
    try:
        # validate=True: characters outside the alphabet are an error, not silently dropped.
        padded = cursor + "=" * (-len(cursor) % 4)
        return base64.b64decode(padded, altchars=b"-_", validate=True).decode()
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadCursor("The cursor is not one this API handed out.") from exc


def paginate(
    session: Session, query: SelectOfScalar[T], id_column: Any, *, limit: int, cursor: str | None
) -> Page[T]:
    """One page of `query`, ordered by `id_column` descending, plus the cursor of the next."""
    if cursor:
        query = query.where(id_column < _decode(cursor))
    rows = list(session.exec(query.order_by(id_column.desc()).limit(limit + 1)).all())
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = _encode(getattr(rows[-1], id_column.key))
    return Page(items=rows, next_cursor=next_cursor)


def page_of(
    items: list[T], sort_key: Callable[[T], tuple[str, ...]], *, limit: int, cursor: str | None
) -> Page[T]:
    """One page of a small list held in memory (reference data), in ascending `sort_key` order;
    the cursor is the sort key of the page's last item, so a page boundary survives edits."""
    ordered = sorted(items, key=sort_key)
    if cursor:
        try:
            after = tuple(json.loads(_decode(cursor)))
        except (ValueError, TypeError) as exc:
            raise BadCursor("The cursor is not one this API handed out.") from exc
        ordered = [item for item in ordered if sort_key(item) > after]
    if len(ordered) <= limit:
        return Page(items=ordered, next_cursor=None)
    page = ordered[:limit]
    return Page(items=page, next_cursor=_encode(json.dumps(list(sort_key(page[-1])))))


Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Page size (max 500).")]
# Reference lists are small and closed: one page holds them all unless the caller asks for less.
ReferenceLimit = Annotated[
    int, Query(ge=1, le=MAX_LIMIT, description="Page size (max 500; default: all).")
]
Cursor = Annotated[
    str | None, Query(max_length=200, description="`next_cursor` from the previous page.")
]


class ListResponse(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None
