"""Entity tags and conditional requests (RFC 9110 §8.8.3, §13.1). Pure functions, one place for the API.

- ``If-None-Match`` (revalidating a GET) uses the **weak** comparison: ``W/"x"`` and ``"x"`` match
  (§13.1.2), so a client or proxy that weakened a tag still gets its 304.
- ``If-Match`` (guarding a change) uses the **strong** comparison: a weak tag never matches (§13.1.1).
- ``*`` matches any current representation.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any, Final

from django.core.serializers.json import DjangoJSONEncoder


@dataclass(frozen=True)
class EntityTag:
    opaque: str  # between the quotes
    weak: bool = False

    def __str__(self) -> str:
        return f'{"W/" if self.weak else ""}"{self.opaque}"'


class _Any:
    def __repr__(self) -> str:
        return "ANY"


ANY: Final = _Any()
# entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE ; etagc = %x21 / %x23-7E / obs-text
_TAG = re.compile(r'\s*(W/)?"([\x21\x23-\x7e\x80-\xff]*)"\s*')


def parse_entity_tags(value: str) -> list[EntityTag] | _Any:
    """A field value of ``If-Match``/``If-None-Match`` → its entity tags, or :data:`ANY` for ``*``.

    Members that are not entity tags (unquoted values) are skipped.
    """
    if value.strip() == "*":
        return ANY
    tags: list[EntityTag] = []
    position = 0
    while position < len(value):
        match = _TAG.match(value, position)
        if match and (match.end() == len(value) or value[match.end()] == ","):
            tags.append(EntityTag(match[2], weak=bool(match[1])))
            position = match.end() + 1
            continue
        comma = value.find(",", position)
        if comma < 0:
            break
        position = comma + 1
    return tags


def _parse_one(etag: str) -> EntityTag | None:
    tags = parse_entity_tags(etag)
    return tags[0] if isinstance(tags, list) and len(tags) == 1 else None


def if_none_match_hits(header: str | None, etag: str) -> bool:
    """Whether ``If-None-Match: header`` matches the current ``etag`` (weak comparison: answer 304)."""
    if not header:
        return False
    tags = parse_entity_tags(header)
    if tags is ANY:
        return True
    current = _parse_one(etag)
    return current is not None and any(tag.opaque == current.opaque for tag in tags)  # type: ignore[union-attr]


def if_match_holds(header: str | None, etag: str) -> bool:
    """Whether ``If-Match: header`` matches the current ``etag`` (strong comparison: neither may be weak)."""
    if not header:
        return False
    tags = parse_entity_tags(header)
    if tags is ANY:
        return True
    current = _parse_one(etag)
    if current is None or current.weak:
        return False
    return any(not tag.weak and tag.opaque == current.opaque for tag in tags)  # type: ignore[union-attr]


def representation_digest(body: Any, *, length: int = 16) -> str:
    """A short digest of a JSON body (sorted keys, the API's encoder): the part of a validator that changes
    whenever the representation does."""
    raw = json.dumps(body, cls=DjangoJSONEncoder, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(raw.encode()).hexdigest()[:length]
