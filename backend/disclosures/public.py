"""Shared by the public API and the public pages: row rendering, cursors, validators, export layout.

Rows are rendered from ``.values()`` dicts by hand rather than through DRF serializers: the public list is
the hottest endpoint of the service, and a dict comprehension over nine columns is several times cheaper
than a ModelSerializer (measured in bench/bench_notices.py). The OpenAPI schema still documents the shape
through the serializers in :mod:`backend.disclosures.serializers`.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.http import http_date, parse_http_date_safe, quote_etag

from backend.cases.models import penalty_kind_label
from backend.common.conditional import if_none_match_hits
from backend.common.errors import ApplicationError
from backend.common.inputs import int_or_none, parse_client_date
from backend.disclosures import revision
from backend.disclosures.models import Notice, PartyType

STATUS_LABELS = dict(Notice.Status.choices)
PARTY_TYPE_LABELS = dict(PartyType.choices)
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
LIST_MAX_AGE = 60
DETAIL_MAX_AGE = 300


def kinds_of(value: str) -> list[str]:
    return [k for k in (value or "").split(",") if k]


def money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def list_row(row: dict[str, Any]) -> dict[str, Any]:
    """One public list item. A withdrawn notice keeps only its header (没有决定内容)."""
    withdrawn = row["status"] == Notice.Status.WITHDRAWN
    kinds = [] if withdrawn else kinds_of(row["penalty_kinds"])
    return {
        "id": str(row["id"]),
        "status": row["status"],
        "status_label": str(STATUS_LABELS[row["status"]]),
        "decision_number": row["decision_number"],
        "party_type": None if withdrawn else row["party_type"],
        "party_name": None if withdrawn else row["party_name"],
        "party_uscc": None if withdrawn else (row["party_uscc"] or None),
        "violation_type": None if withdrawn else row["violation_type"],
        "penalty_kinds": kinds,
        "penalty_kind_labels": [penalty_kind_label(k) for k in kinds],
        "fine_amount": None if withdrawn else money(row["fine_amount"]),
        "decision_date": row["decision_date"].isoformat(),
        "agency_id": row["agency_id"],
        "agency_name": row["agency_name"],
        "region_code": row["region_code"],
        "published_at": row["published_at"].isoformat(),
        "withdrawn_at": row["withdrawn_at"].isoformat() if row["withdrawn_at"] else None,
    }


def detail_dict(notice: Notice, *, superseded_by: Notice | None = None) -> dict[str, Any]:
    base = {
        "id": str(notice.pk),
        "status": notice.status,
        "status_label": str(STATUS_LABELS[notice.status]),
        "decision_number": notice.decision_number,
        "decision_date": notice.decision_date.isoformat(),
        "agency_id": notice.agency_id,
        "agency_name": notice.agency_name,
        "agency_uscc": notice.agency_uscc,
        "region_code": notice.region_code,
        "published_at": notice.published_at.isoformat() if notice.published_at else None,
        "supersedes": str(notice.supersedes_id) if notice.supersedes_id else None,
        "superseded_by": str(superseded_by.pk) if superseded_by else None,
    }
    if notice.status == Notice.Status.WITHDRAWN:
        # 行政处罚法 第四十八条第二款: withdraw the decision and publish the reason; the content goes.
        base.update(
            {
                "withdrawn_at": notice.withdrawn_at.isoformat() if notice.withdrawn_at else None,
                "withdrawal_kind": notice.withdrawal_kind,
                "withdrawal_kind_label": str(notice.get_withdrawal_kind_display()),
                "withdrawal_reason": notice.withdrawal_reason,
            }
        )
        return base
    kinds = notice.penalty_kind_list
    base.update(
        {
            "decision_kind": notice.decision_kind,
            "party_type": notice.party_type,
            "party_type_label": str(PARTY_TYPE_LABELS.get(notice.party_type, "")),
            "party_name": notice.party_name,
            "party_uscc": notice.party_uscc or None,
            "legal_representative": notice.legal_representative or None,
            "party_address": notice.party_address or None,
            "violation_type": notice.violation_type,
            "facts": notice.facts,
            "legal_basis": notice.legal_basis,
            "penalty_kinds": kinds,
            "penalty_kind_labels": [penalty_kind_label(k) for k in kinds],
            "penalty_content": notice.penalty_content,
            "fine_amount": money(notice.fine_amount),
            "confiscation_amount": money(notice.confiscation_amount),
            "licence_info": notice.licence_info or None,
            "penalty_valid_until": notice.penalty_valid_until.isoformat() if notice.penalty_valid_until else None,
            "display_until": notice.display_until.isoformat() if notice.display_until else None,
            "full_text": notice.full_text,
            "remarks": notice.remarks or None,
        }
    )
    return base


# --------------------------------------------------------------------------------------------------
# Keyset cursors over public_seq (strictly increasing, assigned at publication)
# --------------------------------------------------------------------------------------------------


def encode_cursor(direction: str, seq: int) -> str:
    return base64.urlsafe_b64encode(f"{direction}{seq}".encode()).decode().rstrip("=")


def decode_cursor(value: str | None) -> tuple[str, int] | None:
    """``("n", seq)`` for the page after ``seq``, ``("p", seq)`` for the page before; None if absent/invalid."""
    if not value:
        return None
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
        direction, seq = raw[0], int_or_none(raw[1:])
    except (ValueError, binascii.Error, UnicodeDecodeError, IndexError):
        return None
    if direction not in ("n", "p") or seq is None:
        return None
    return direction, seq


def paginate(queryset: Any, *, cursor: str | None, page_size: int, fields: tuple[str, ...]) -> tuple[list, Any, Any]:
    """Return ``(rows, next_seq, prev_seq)``; rows newest first. Two-way keyset pagination, no OFFSET."""
    position = decode_cursor(cursor)
    if position and position[0] == "p":
        rows = list(queryset.filter(public_seq__gt=position[1]).order_by("public_seq").values(*fields)[: page_size + 1])
        has_more = len(rows) > page_size
        rows = list(reversed(rows[:page_size]))
        next_seq = rows[-1]["public_seq"] if rows else None
        prev_seq = rows[0]["public_seq"] if rows and has_more else None
        return rows, next_seq, prev_seq
    qs = queryset
    if position:
        qs = qs.filter(public_seq__lt=position[1])
    rows = list(qs.order_by("-public_seq").values(*fields)[: page_size + 1])
    has_more = len(rows) > page_size
    rows = rows[:page_size]
    next_seq = rows[-1]["public_seq"] if rows and has_more else None
    prev_seq = rows[0]["public_seq"] if rows and position else None
    return rows, next_seq, prev_seq


def page_size_from(value: str | None) -> int:
    size = int_or_none(value) if value else None
    return max(1, min(size or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE))


def parse_date(value: str | None) -> datetime.date | None:
    if not value:
        return None
    try:
        return parse_client_date(value, field="date")
    except ApplicationError:
        return None  # a filter: an unusable date is ignored, as before


# --------------------------------------------------------------------------------------------------
# Conditional requests (ETag / Last-Modified from the public revision)
# --------------------------------------------------------------------------------------------------


def validators(request: HttpRequest) -> tuple[str, datetime.datetime]:
    rev, changed_at = revision.current()
    digest = hashlib.blake2s(request.get_full_path().encode(), digest_size=6).hexdigest()
    return f'W/"r{rev}-{digest}"', changed_at


def not_modified(request: HttpRequest, etag: str, changed_at: datetime.datetime) -> bool:
    """RFC 9110 §13.1: If-None-Match wins over If-Modified-Since."""
    inm = request.META.get("HTTP_IF_NONE_MATCH")
    if inm is not None:
        return if_none_match_hits(inm, etag)  # weak comparison (§13.1.2)
    ims = request.META.get("HTTP_IF_MODIFIED_SINCE")
    if ims:
        parsed = parse_http_date_safe(ims)
        return parsed is not None and int(changed_at.timestamp()) <= parsed
    return False


def stamp(response: HttpResponse, etag: str, changed_at: datetime.datetime, *, max_age: int) -> HttpResponse:
    response["ETag"] = etag
    response["Last-Modified"] = http_date(changed_at.timestamp())
    response["Cache-Control"] = f"public, max-age={max_age}, stale-while-revalidate={max_age}"
    return response


class RenderedCache:
    """Small per-process LRU of rendered public responses, keyed by host, full path and public revision.

    Public reads vastly outnumber publications, and the same first pages, searches and notices are asked
    for again and again; a response whose revision is unchanged is served from memory without a query
    or a render. The revision in the key makes invalidation automatic, the size bound keeps a crawl of
    unique URLs from growing memory (``maxsize`` entries of a few kB per worker). Nothing personal is in it:
    these are the public, redacted responses.
    """

    def __init__(self, maxsize: int = 512) -> None:
        self.maxsize = maxsize
        self._data: OrderedDict[str, tuple[bytes, str]] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_build(self, key: str, build: Callable[[], tuple[int, bytes, str]]) -> tuple[int, bytes, str]:
        with self._lock:
            hit = self._data.get(key)
            if hit is not None:
                self._data.move_to_end(key)
                return 200, hit[0], hit[1]
        status, content, content_type = build()
        if status == 200:
            with self._lock:
                self._data[key] = (content, content_type)
                self._data.move_to_end(key)
                while len(self._data) > self.maxsize:
                    self._data.popitem(last=False)
        return status, content, content_type

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


rendered = RenderedCache()


def render_key(request: HttpRequest, etag: str) -> str:
    return f"{request.get_host()}|{request.get_full_path()}|{etag}"


def content_etag(body: bytes) -> str:
    return quote_etag(hashlib.blake2s(body, digest_size=8).hexdigest())


# --------------------------------------------------------------------------------------------------
# 双公示 行政处罚 layout (DOMAIN §9; field codes of the national 信用信息 data standard)
# --------------------------------------------------------------------------------------------------

# (code, Chinese column name). ID-number columns are part of the layout but always empty here: they go to
# the credit platform only and are never published by us (DOMAIN §6.6).
EXPORT_LAYOUT: tuple[tuple[str, str], ...] = (
    ("CF_XDR_MC", "行政相对人名称"),
    ("CF_XDR_LB", "行政相对人类别"),
    ("CF_XDR_SHXYM", "行政相对人代码_1(统一社会信用代码)"),
    ("CF_XDR_GSZC", "行政相对人代码_2(工商注册号)"),
    ("CF_XDR_ZZJG", "行政相对人代码_3(组织机构代码)"),
    ("CF_XDR_SWDJ", "行政相对人代码_4(税务登记号)"),
    ("CF_XDR_SYDW", "行政相对人代码_5(事业单位证书号)"),
    ("CF_XDR_SHZZ", "行政相对人代码_6(社会组织登记证号)"),
    ("CF_FRDB", "法定代表人"),
    ("CF_FR_ZJLX", "法定代表人证件类型"),
    ("CF_FR_ZJHM", "法定代表人证件号码"),
    ("CF_XDR_ZJLX", "证件类型"),
    ("CF_XDR_ZJHM", "证件号码"),
    ("CF_WSH", "行政处罚决定书文号"),
    ("CF_WFXW", "违法行为类型"),
    ("CF_SY", "违法事实"),
    ("CF_YJ", "处罚依据"),
    ("CF_CFLB", "处罚类别"),
    ("CF_NR", "处罚内容"),
    ("CF_NR_FK", "罚款金额（万元）"),
    ("CF_NR_WFFF", "没收违法所得、没收非法财物的金额（万元）"),
    ("CF_NR_ZKDX", "暂扣或吊销证照名称及编号"),
    ("CF_JDRQ", "处罚决定日期"),
    ("CF_YXQ", "处罚有效期"),
    ("CF_GSJZQ", "公示截止期"),
    ("CF_CFJG", "处罚机关"),
    ("CF_CFJGDM", "处罚机关统一社会信用代码"),
    ("CF_SJLY", "数据来源单位"),
    ("CF_SJLYDM", "数据来源单位统一社会信用代码"),
    ("BZ", "备注"),
    # Not in the national layout: publication status (S2 第四十八条; S5 第十一条) and our identifiers.
    ("GS_ZT", "公示状态"),
    ("GS_CHSJ", "撤回时间"),
    ("GS_CHLY", "撤回理由"),
    ("GS_FBSJ", "发布时间"),
    ("GS_ID", "公示信息标识"),
)
EXPORT_FIELDS: tuple[str, ...] = (
    "id",
    "public_seq",
    "status",
    "party_name",
    "party_type",
    "party_uscc",
    "legal_representative",
    "decision_number",
    "violation_type",
    "facts",
    "legal_basis",
    "penalty_kinds",
    "penalty_content",
    "fine_amount",
    "confiscation_amount",
    "licence_info",
    "decision_date",
    "penalty_valid_until",
    "display_until",
    "agency_name",
    "agency_uscc",
    "remarks",
    "published_at",
    "withdrawn_at",
    "withdrawal_reason",
)


def _wan(value: Decimal | None) -> str:
    if value is None:
        return ""
    text = f"{(value / Decimal(10000)).quantize(Decimal('0.000001')):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def export_row(row: dict[str, Any]) -> dict[str, str]:
    withdrawn = row["status"] == Notice.Status.WITHDRAWN
    content = {
        "CF_XDR_MC": row["party_name"],
        "CF_XDR_LB": str(PARTY_TYPE_LABELS.get(row["party_type"], "")),
        "CF_XDR_SHXYM": row["party_uscc"] or "",
        "CF_FRDB": row["legal_representative"] or "",
        "CF_WFXW": row["violation_type"],
        "CF_SY": row["facts"],
        "CF_YJ": row["legal_basis"],
        "CF_CFLB": "；".join(penalty_kind_label(k) for k in kinds_of(row["penalty_kinds"])),
        "CF_NR": row["penalty_content"],
        "CF_NR_FK": _wan(row["fine_amount"]),
        "CF_NR_WFFF": _wan(row["confiscation_amount"]),
        "CF_NR_ZKDX": row["licence_info"],
        "CF_YXQ": row["penalty_valid_until"].isoformat() if row["penalty_valid_until"] else "",
        "CF_GSJZQ": row["display_until"].isoformat() if row["display_until"] else "",
        "BZ": row["remarks"],
    }
    out = {code: "" for code, _ in EXPORT_LAYOUT}
    if not withdrawn:
        out.update(content)
    out.update(
        {
            "CF_WSH": row["decision_number"],
            "CF_JDRQ": row["decision_date"].isoformat(),
            "CF_CFJG": row["agency_name"],
            "CF_CFJGDM": row["agency_uscc"],
            "CF_SJLY": row["agency_name"],
            "CF_SJLYDM": row["agency_uscc"],
            "GS_ZT": str(STATUS_LABELS[row["status"]]),
            "GS_CHSJ": row["withdrawn_at"].isoformat() if row["withdrawn_at"] else "",
            "GS_CHLY": row["withdrawal_reason"] if withdrawn else "",
            "GS_FBSJ": row["published_at"].isoformat() if row["published_at"] else "",
            "GS_ID": str(row["id"]),
        }
    )
    return out
