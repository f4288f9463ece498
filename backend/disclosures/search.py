"""Chinese full-text search over public notices: jieba tokens in a plain text column.

Why this design (measured in ``bench/bench_notices.py``, see api_docs/guides/public-api.md):

* Chinese has no spaces, so the public text is segmented with jieba in *search mode* (every dictionary word
  plus its 2- and 3-character sub-words) when a notice is saved, and stored space-separated in
  ``Notice.search_text``. The same column works on SQLite (``LIKE '% 词 %'``) and PostgreSQL, where a GIN
  index on ``to_tsvector('simple', search_text)`` answers the query from the index (migration 0002).
* A query is segmented in precise mode. Each query word must match; a word also matches when all of its
  own sub-words match, so "经营许可" finds "食品经营许可证" although the two segment differently.
* HMM is off on both sides so that unknown words are split the same way at index and at query time.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import jieba
from django.db import connection, transaction
from django.db.models import Q, QuerySet

jieba.setLogLevel(60)  # jieba prints its dictionary loading to stderr otherwise

_WORD = re.compile(r"\w+", re.UNICODE)
MAX_QUERY_WORDS = 8
# Public search on PostgreSQL: a query matching at most this many listed notices is answered from the
# GIN index alone (see apply_public_search).
RARE_MATCHES = 2000
RECENT_WINDOW = 2000
DENSE_MATCHES = RECENT_WINDOW // 100  # 1%


def load_dictionary() -> None:
    """Load jieba's dictionary now (about a second) instead of in the first search request."""
    jieba.initialize()


def _clean(tokens: Iterable[str]) -> list[str]:
    out: list[str] = []
    for token in tokens:
        token = token.strip().lower()
        if token and _WORD.fullmatch(token) and "_" not in token:
            out.append(token)
    return out


def index_tokens(*texts: str) -> str:
    """Space-padded, de-duplicated search-mode tokens of ``texts`` (stored in ``Notice.search_text``)."""
    seen: dict[str, None] = {}
    for text in texts:
        if text:
            for token in _clean(jieba.cut_for_search(text, HMM=False)):
                seen.setdefault(token, None)
    return " " + " ".join(seen) + " " if seen else ""


def query_terms(query: str) -> list[tuple[str, tuple[str, ...]]]:
    """``[(word, sub_words), ...]`` for a user query: each word must match, directly or by its sub-words."""
    terms: list[tuple[str, tuple[str, ...]]] = []
    seen: set[str] = set()
    for word in _clean(jieba.cut(query[:200], HMM=False)):
        if word in seen:
            continue
        seen.add(word)
        subs = tuple(t for t in dict.fromkeys(_clean(jieba.cut_for_search(word, HMM=False))) if t != word)
        terms.append((word, subs))
        if len(terms) >= MAX_QUERY_WORDS:
            break
    return terms


def _tsquery(terms: list[tuple[str, tuple[str, ...]]]) -> str:
    parts = []
    for word, subs in terms:
        alt = f"'{word}'"
        if subs:
            conj = " & ".join(f"'{s}'" for s in subs)
            alt = f"({alt} | ({conj}))"
        parts.append(alt)
    return " & ".join(parts)


def apply_search(queryset: QuerySet, query: str) -> QuerySet:
    """Filter ``queryset`` (of notices) to those matching ``query``; an empty query changes nothing."""
    terms = query_terms(query or "")
    if not terms:
        return queryset
    if connection.vendor == "postgresql":
        return queryset.extra(where=["search_vector @@ to_tsquery('simple', %s)"], params=[_tsquery(terms)])
    condition = Q()
    for word, subs in terms:
        alt = Q(search_text__contains=f" {word} ")
        if subs:
            sub_q = Q()
            for sub in subs:
                sub_q &= Q(search_text__contains=f" {sub} ")
            alt |= sub_q
        condition &= alt
    return queryset.filter(condition)


def apply_public_search(queryset: QuerySet, query: str) -> QuerySet:
    """:func:`apply_search` for the public list (``listed`` notices ordered by ``public_seq``).

    On PostgreSQL the planner chooses between walking the ``public_seq`` index backwards while filtering
    (fast when many notices match) and reading the GIN index then sorting (fast when few match). For a
    word it has no statistics for, or two common words that never occur together, its estimate is far
    too high and it walks the whole table for an empty page: seconds at 1,000,000 rows (measured in
    bench/bench_notices.py). Asking the GIN index first is no cure either: for a word in 40% of the
    notices building that bitmap alone costs more than the page. So two cheap probes decide:

    1. does the walk find :data:`DENSE_MATCHES` matches among the latest :data:`RECENT_WINDOW` listed
       notices? It stops at the last match it needs, so a common word answers after a few dozen rows
       (0.3 ms); a density of 1% means the plain filtered walk fills a page within a few thousand rows;
    2. otherwise the GIN index alone, with the other plans switched off, lists the matches; when there
       are at most :data:`RARE_MATCHES` the list is restricted to exactly those notices.
    """
    terms = query_terms(query or "")
    if not terms:
        return queryset
    if connection.vendor != "postgresql":
        return apply_search(queryset, query)
    tsquery = _tsquery(terms)
    filtered = queryset.extra(where=["search_vector @@ to_tsquery('simple', %s)"], params=[tsquery])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM (SELECT 1 FROM (SELECT search_vector FROM disclosures_notice WHERE listed "
            "ORDER BY public_seq DESC LIMIT %s) recent WHERE search_vector @@ to_tsquery('simple', %s) LIMIT %s) hits",
            [RECENT_WINDOW, tsquery, DENSE_MATCHES],
        )
        if cursor.fetchone()[0] >= DENSE_MATCHES:
            return filtered
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off")
        cursor.execute(
            "SELECT public_seq FROM disclosures_notice WHERE listed AND search_vector @@ to_tsquery('simple', %s) "
            "LIMIT %s",
            [tsquery, RARE_MATCHES + 1],
        )
        seqs = [row[0] for row in cursor.fetchall()]
    if len(seqs) <= RARE_MATCHES:
        return queryset.filter(public_seq__in=seqs)
    return filtered
