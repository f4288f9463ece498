"""Entity-tag parsing and the two comparisons of RFC 9110 §8.8.3.2 (pure)."""

import pytest

from backend.common.conditional import ANY, EntityTag, if_match_holds, if_none_match_hits, parse_entity_tags


@pytest.mark.parametrize(
    ("header", "tags"),
    [
        ('"abc"', [EntityTag("abc", weak=False)]),
        ('W/"abc"', [EntityTag("abc", weak=True)]),
        (' "a", W/"b" ,"c"', [EntityTag("a", False), EntityTag("b", True), EntityTag("c", False)]),
        ('""', [EntityTag("", False)]),
        ("*", ANY),
        (" * ", ANY),
        ("abc", []),  # unquoted: not an entity tag
        ('"a", junk, W/"b"', [EntityTag("a", False), EntityTag("b", True)]),
        ('"a,b"', [EntityTag("a,b", False)]),  # a comma inside the quotes belongs to the tag
    ],
)
def test_entity_tags_are_parsed_as_rfc_9110_writes_them(header, tags):
    assert parse_entity_tags(header) == tags


@pytest.mark.parametrize(
    ("header", "etag", "weak_hit", "strong_hit"),
    [
        ('"1"', '"1"', True, True),
        ('W/"1"', '"1"', True, False),  # weak comparison ignores W/, strong never matches it
        ('"1"', 'W/"1"', True, False),
        ('W/"1"', 'W/"1"', True, False),
        ('"2"', '"1"', False, False),
        ('"2", "1"', '"1"', True, True),
        ("*", '"1"', True, True),
        ("", '"1"', False, False),
    ],
)
def test_weak_and_strong_comparison(header, etag, weak_hit, strong_hit):
    assert if_none_match_hits(header, etag) is weak_hit
    assert if_match_holds(header, etag) is strong_hit
