"""The home page's 通知公告 gathers notices from several apps. `core` imports no later app, so each
app registers a function here in its `AppConfig.ready()`: `function(user, limit=...)` returns rows
`{"kind", "date", "title", "url"}`, newest first, in a fixed number of queries."""

from collections.abc import Callable

_sources: list[Callable] = []


def register(function: Callable) -> None:
    if function not in _sources:
        _sources.append(function)


def notice_rows(user, *, limit: int = 8) -> list[dict]:
    """The registered apps' rows, merged newest first."""
    rows = [row for function in _sources for row in function(user, limit=limit)]
    return sorted(rows, key=lambda row: row["date"], reverse=True)[:limit]
