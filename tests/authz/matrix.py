"""Reading ``matrix.txt`` and enumerating the endpoints from the URL resolver (no database)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.urls import URLPattern, URLResolver, get_resolver

MATRIX_FILE = Path(__file__).with_name("matrix.txt")
READ_METHODS = ("GET", "HEAD")
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
# Django's admin site is session-authenticated (is_staff), outside the API's token personas; its login and
# lock-out are covered by the security-settings tests.
# admin/: session login with is_staff (issue 19 item 5 covers it). console/: the staff console's pages, each
# compared with the API endpoint it shows, role by role (tests/console/test_console_permissions.py).
EXCLUDED_PREFIXES = ("admin/", "console/")


@dataclass(frozen=True)
class Endpoint:
    name: str
    route: str
    pattern: URLPattern
    methods: tuple[str, ...] | None  # None: a function view (its methods are what the table says)


def _walk(patterns: list, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        else:
            yield prefix + str(entry.pattern), entry


def view_methods(pattern: URLPattern) -> tuple[str, ...] | None:
    """The HTTP methods a class-based view handles (HEAD only where there is no GET: tus)."""
    view_class = getattr(pattern.callback, "view_class", None) or getattr(pattern.callback, "cls", None)
    if view_class is None:
        return None
    allowed = [m for m in getattr(view_class, "http_method_names", []) if m not in ("options", "trace")]
    methods = [m.upper() for m in allowed if hasattr(view_class, m)]
    if "GET" in methods and "HEAD" in methods:
        methods.remove("HEAD")
    return tuple(methods)


def endpoints() -> dict[str, Endpoint]:
    """Every named route of the URLconf (the canonical form; the slash variants are unnamed and share the
    view), outside :data:`EXCLUDED_PREFIXES`."""
    found: dict[str, Endpoint] = {}
    for route, pattern in _walk(get_resolver().url_patterns):
        if not pattern.name or route.startswith(EXCLUDED_PREFIXES):
            continue
        found[pattern.name] = Endpoint(pattern.name, route, pattern, view_methods(pattern))
    return found


@dataclass(frozen=True)
class Row:
    name: str
    method: str
    expected: dict[str, int]
    line: int

    @property
    def kind(self) -> str:
        return "read" if self.method in READ_METHODS else "write"


def load(path: Path = MATRIX_FILE) -> tuple[tuple[str, ...], list[Row]]:
    """``(personas, rows)`` from the whitespace-aligned table: ``name method status…`` per line, a header
    line starting with ``route``; ``#`` starts a comment."""
    personas: tuple[str, ...] = ()
    rows: list[Row] = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        cells = line.split()
        if cells[0] == "route":
            personas = tuple(cells[2:])
            continue
        if len(cells) != 2 + len(personas):
            raise ValueError(f"matrix.txt:{number}: {len(cells) - 2} statuses for {len(personas)} personas")
        rows.append(Row(cells[0], cells[1], dict(zip(personas, map(int, cells[2:]), strict=True)), number))
    return personas, rows
