"""The API's JSON parser: strict, bounded, and never a 500 on hostile input.

Python's ``json`` recurses once per nesting level: a body of 100,000 ``[`` raised ``RecursionError`` (a
500, before authentication on the login and public correction endpoints), and data a thousand levels
deep would still overflow later in a serializer or ``json.dumps``. orjson parses without recursing on the
Python stack (it refuses more than 1,024 levels), refuses invalid UTF-8, lone surrogates (which
PostgreSQL cannot store), ``NaN``/``Infinity`` and numbers that overflow a double; the parsed value is
then walked iteratively and refused beyond :data:`JSON_MAX_DEPTH` levels (no request of this API nests
more than five).
"""

from __future__ import annotations

from typing import Any

import orjson
from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

JSON_MAX_DEPTH_DEFAULT = 32


class JSONTooDeep(ParseError):
    default_detail = "JSON 嵌套过深"
    default_code = "json_too_deep"


def json_depth_exceeds(value: Any, limit: int) -> bool:
    """Whether ``value`` nests more than ``limit`` containers deep (iterative: no recursion to overflow)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def parse_json_bytes(raw: bytes) -> Any:
    """Parse one JSON document from a client (see the module docstring); ``ParseError`` on anything bad."""
    if not raw.strip():
        raise ParseError("JSON parse error - 请求体为空")
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        if "depth" in str(exc) or "recursion" in str(exc):
            raise JSONTooDeep() from None
        raise ParseError(f"JSON parse error - {exc}") from None
    if json_depth_exceeds(value, getattr(settings, "JSON_MAX_DEPTH", JSON_MAX_DEPTH_DEFAULT)):
        raise JSONTooDeep()
    return value


class StrictJSONParser(JSONParser):
    """``application/json`` (and ``+json`` types) parsed by :func:`parse_json_bytes`; UTF-8 only (RFC 8259 §8.1)."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: dict | None = None) -> Any:
        parser_context = parser_context or {}
        encoding = (parser_context.get("encoding") or settings.DEFAULT_CHARSET).lower().replace("_", "-")
        if encoding not in ("utf-8", "utf8"):
            raise ParseError(f'JSON 请求体须为 UTF-8 编码（收到 charset="{encoding}"）')
        return parse_json_bytes(stream.read())
