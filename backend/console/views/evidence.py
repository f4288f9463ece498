"""The evidence viewer: gallery, photo with its EXIF facts, players on the browser-playable derivatives,
capture facts and integrity; an original opens only for a stated purpose and is logged in custody."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render

from backend.accounts.permissions import IsAgencyStaff
from backend.cases import selectors as case_selectors
from backend.common.errors import NotFound
from backend.common.storage import ObjectMissing, get_storage
from backend.console.security import console_view
from backend.console.views.common import ctx
from backend.evidence import selectors, services
from backend.evidence.models import EvidenceItem
from backend.evidence.serializers import EvidenceItemOutputSerializer
from backend.evidence.streaming import guess_type, parse_range, stream_response

META_LABELS = {
    "mime": "格式",
    "width": "宽（像素）",
    "height": "高（像素）",
    "display_width": "显示宽",
    "display_height": "显示高",
    "orientation": "EXIF 方向",
    "camera_make": "相机厂商",
    "camera_model": "相机型号",
    "taken_at": "拍摄时间（EXIF）",
    "duration_s": "时长（秒）",
    "video_codec": "视频编码",
    "audio_codec": "音频编码",
    "frame_rate": "帧率",
    "sample_rate": "采样率",
    "channels": "声道",
    "original_sha256_verified": "处理前复核哈希",
}


def _metadata(item: EvidenceItem, request: HttpRequest) -> dict[str, Any]:
    """The metadata as the API shows it (its serializer drops the worker's bookkeeping)."""
    return dict(EvidenceItemOutputSerializer(item, context={"request": request}).data.get("media_metadata") or {})


def _facts(md: dict[str, Any]) -> list[tuple[str, Any]]:
    return [(label, md[key]) for key, label in META_LABELS.items() if key in md and md[key] not in (None, "")]


def map_point(item: EvidenceItem) -> dict[str, float] | None:
    """Where the capture lies inside the agency's region box, as percentages for a small SVG map drawn
    without any tile server (the box is ``[min_lon, min_lat, max_lon, max_lat]``)."""
    bbox = item.case.agency.region_bbox
    if item.latitude is None or item.longitude is None or not bbox or len(bbox) != 4:
        return None
    min_lon, min_lat, max_lon, max_lat = (float(v) for v in bbox)
    lon, lat = float(item.longitude), float(item.latitude)
    if max_lon <= min_lon or max_lat <= min_lat:
        return None
    x = (lon - min_lon) / (max_lon - min_lon) * 100
    y = (max_lat - lat) / (max_lat - min_lat) * 100
    return {"x": round(x, 2), "y": round(y, 2), "inside": 0 <= x <= 100 and 0 <= y <= 100}


@console_view(IsAgencyStaff)
def gallery(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    case = case_selectors.case_get_for_user(user=request.user, case_id=case_id)
    kind = request.GET.get("kind", "")
    items = selectors.evidence_visible_to(user=request.user).filter(case=case)
    if kind in ("photo", "video", "audio", "document"):
        items = items.filter(kind=kind)
    context = {"title": f"证据：{case.case_number or case.title}", "case": case, "items": list(items), "kind": kind}
    return render(request, "console/evidence_gallery.html", context)


@console_view(IsAgencyStaff)
def detail(request: HttpRequest, item_id: uuid.UUID) -> HttpResponse:
    item = selectors.evidence_get_for_user(user=request.user, item_id=item_id)
    md = _metadata(item, request)
    context = {
        "title": f"证据 {item.get_kind_display()} {item.sha256[:12]}",
        "item": item,
        "md": md,
        "facts": _facts(md),
        "gps": md.get("gps"),
        "camera_check": md.get("camera_check") or {},
        "map": map_point(item),
        "custody": list(selectors.evidence_custody_log(item=item)),
        "notes": list(selectors.evidence_notes(item=item)),
        "derivatives": item.derivatives or {},
    }
    return render(request, "console/evidence.html", context)


@console_view(IsAgencyStaff)
def derivative(request: HttpRequest, item_id: uuid.UUID, name: str) -> StreamingHttpResponse:
    """A derivative (thumbnail, display, poster, preview, proxy, waveform), authorised like the API's; Range
    requests are answered so the browser's players can seek."""
    item = selectors.evidence_get_for_user(user=request.user, item_id=item_id)
    entry = (item.derivatives or {}).get(name)
    key = entry.get("key") if isinstance(entry, dict) else entry
    if not key:
        raise NotFound("衍生文件不存在", code="derivative_not_found")
    storage = get_storage()
    try:
        size = storage.size(key)
    except ObjectMissing:
        raise NotFound("衍生文件不存在", code="derivative_not_found") from None
    byte_range = parse_range(request.META.get("HTTP_RANGE"), size)
    start, end = byte_range if byte_range else (0, size - 1)
    content_type = (entry.get("content_type", "") if isinstance(entry, dict) else "") or guess_type(key)
    chunks = storage.open(key, start=start, end=end) if size else iter(())
    response = stream_response(chunks=chunks, size=size, byte_range=byte_range, content_type=content_type,
                               filename=key.rsplit("/", 1)[-1])  # fmt: skip
    response["Content-Disposition"] = "inline"  # shown in the page (img/video/audio), not downloaded
    response["Cache-Control"] = "private, max-age=300"
    return response


@console_view(IsAgencyStaff, methods=("POST",))
def original(request: HttpRequest, item_id: uuid.UUID) -> StreamingHttpResponse:
    """The original, for the purpose typed in: ``services.evidence_original_read`` writes the custody record
    (``evidence.accessed``) before a byte is sent, exactly as the API's original download."""
    item = selectors.evidence_get_for_user(user=request.user, item_id=item_id)
    read = services.evidence_original_read(item=item, purpose=request.POST.get("purpose", ""), byte_range=None,
                                           context=ctx(request))  # fmt: skip
    response = stream_response(chunks=read.chunks, size=item.size, byte_range=None,
                                content_type=item.content_type, filename=item.original_filename)  # fmt: skip
    response["X-Evidence-SHA256"] = item.sha256
    return response
