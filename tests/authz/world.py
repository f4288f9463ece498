"""One shared set of records and personas for the authorization matrix (built once per run).

Agency A holds every object an endpoint can name (a case in 调查终结 with a review round, a document, an
evidence item, an upload, devices, a recording requirement, a review catalog, a decided case with a
published notice and a citizen's correction, a bundle share); agency B holds only its own officer, who
must see none of it (404, never 403: existence is not revealed).
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import tempfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.db import transaction
from django.utils import timezone
from rest_framework.test import APIClient
from support import make_agency, make_user, sequence_ledger, token_for

from backend.accounts.models import Device, Role, User
from backend.ledger.services import AuditContext

# Column order of matrix.txt.
PERSONAS = (
    "anon", "officer", "reviewer", "head", "discloser", "auditor", "admin", "other", "revoked", "expired",
    "inactive", "supervisor", "procurator",
)  # fmt: skip
PERSONA_HELP = {
    "anon": "no credentials",
    "officer": "field officer of agency A, valid 执法证, handles case A",
    "reviewer": "legal reviewer (法制审核) of agency A, qualified",
    "head": "agency head (机关负责人) of agency A",
    "discloser": "disclosure manager (公示管理员) of agency A",
    "auditor": "auditor (监督人员) of agency A: read-only everywhere",
    "admin": "system administrator (no agency)",
    "other": "field officer of agency B (another agency)",
    "revoked": "field officer of agency A whose token names a revoked device",
    "expired": "field officer of agency A, handles case A, 执法证 expired yesterday",
    "inactive": "field officer of agency A, deactivated after the token was issued",
    "supervisor": "执法监督人员 of 辽源市司法局, the supervising body of agency A (agency B is outside its tree)",
    "procurator": "检察机关人员 (no agency), granted read access to case A only",
}

DEVICE_KEY = Ed25519PrivateKey.generate()


@dataclass
class World:
    clients: dict[str, APIClient]
    kwargs: dict[str, Any] = field(default_factory=dict)


def _device(owner: User, *, revoked: bool = False) -> Device:
    raw = Ed25519PrivateKey.generate().public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    device = Device.objects.create(agency=owner.agency, owner=owner, model="执法记录仪 X1",
                                   public_key=base64.b64encode(raw).decode())
    if revoked:
        device.status = Device.Status.REVOKED
        device.revoked_at = timezone.now()
        device.save()
    return device


def _client(token: str | None) -> APIClient:
    client = APIClient(HTTP_TUS_RESUMABLE="1.0.0")
    client.raise_request_exception = False  # a 500 is a finding to report, not a crash of the run
    if token:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def _evidence(case: Any, user: User) -> Any:
    from backend.common.storage import get_storage
    from backend.evidence.models import EvidenceItem
    from backend.ledger.services import audit_record
    from backend.ledgercore.canonical_json import capture_record

    content = b"\xff\xd8\xff\xe0 photo of the shelf " * 64 + b"\xff\xd9"
    sha = hashlib.sha256(content).hexdigest()
    captured = timezone.now() - datetime.timedelta(minutes=5)
    record = capture_record(sha256=sha, captured_at=captured, case=str(case.id), device=None,
                            latitude="42.8876543", longitude="125.1434567")
    key = f"originals/{case.id}/{sha[:16]}"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "f"
        path.write_bytes(content)
        get_storage().put_file(key, path)
    with transaction.atomic():
        item = EvidenceItem.objects.create(
            case=case, kind="photo", sha256=sha, size=len(content), status=EvidenceItem.Status.RECEIVED,
            captured_at=captured, captured_at_raw=record["captured_at"], received_at=timezone.now(),
            uploaded_by=user, latitude=record["latitude"], longitude=record["longitude"],
            original_filename="现场照片.jpg", content_type="image/jpeg", signature_status="absent",
            capture_record=record, storage_key=key,
        )
        audit_record(action="evidence.received", target=item, actor=user, case_id=case.id,
                     data={"kind": "photo", "sha256": sha, "size": len(content), "storage_key": key,
                           "capture_record": record})
    return item


def build_world() -> World:
    from backend.cases.models import Activity, Case, RecordingRequirement
    from backend.disclosures import services as disclosure_services
    from backend.disclosures.models import CorrectionRequest, Notice
    from backend.reviews import services as review_services
    from backend.sharing import services as bundles

    today = timezone.localdate()
    bureau = make_agency("辽源市司法局", "11220400MB0000010A")  # supervises agency A, not agency B
    agency_a = make_agency("辽源市市场监督管理局", "11220400MB1234567X", parent=bureau)
    agency_b = make_agency("辽源市城市管理综合执法局", "11220400MB7654321Y")
    officer = make_user("officer_a", agency_a, [Role.FIELD_OFFICER], credential="A-0001", full_name="张伟")
    officer2 = make_user("officer_a2", agency_a, [Role.FIELD_OFFICER], credential="A-0002", full_name="李娜")
    reviewer = make_user("reviewer_a", agency_a, [Role.LEGAL_REVIEWER], full_name="赵敏")
    reviewer.legal_qualification_no = "A2018220000001"
    reviewer.save()
    head = make_user("head_a", agency_a, [Role.AGENCY_HEAD], full_name="刘建国")
    discloser = make_user("discloser_a", agency_a, [Role.DISCLOSURE_MANAGER], full_name="陈静")
    auditor = make_user("auditor_a", agency_a, [Role.AUDITOR], full_name="孙立")
    admin = make_user("sysadmin", None, [Role.SYSTEM_ADMIN])
    other = make_user("officer_b", agency_b, [Role.FIELD_OFFICER], credential="B-0001", full_name="王强")
    expired = make_user("officer_expired", agency_a, [Role.FIELD_OFFICER], credential="A-0009",
                        valid_until=today - datetime.timedelta(days=1), full_name="周过期")
    inactive = make_user("officer_gone", agency_a, [Role.FIELD_OFFICER], credential="A-0010", full_name="吴离职")
    supervisor = make_user("supervisor_j", bureau, [Role.SUPERVISOR], full_name="高秀兰")
    procurator = make_user("procurator_ly", None, [Role.PROCURATOR], full_name="林海")

    revoked_device = _device(officer2, revoked=True)
    active_device = _device(officer)
    tokens = {
        "anon": None, "officer": token_for(officer), "reviewer": token_for(reviewer), "head": token_for(head),
        "discloser": token_for(discloser), "auditor": token_for(auditor), "admin": token_for(admin),
        "other": token_for(other), "revoked": token_for(officer2, device_id=str(revoked_device.id)),
        "expired": token_for(expired), "inactive": token_for(inactive), "supervisor": token_for(supervisor),
        "procurator": token_for(procurator),
    }  # fmt: skip
    inactive.is_active = False
    inactive.save()
    clients = {name: _client(token) for name, token in tokens.items()}

    # Case A in 调查终结, handled by the officer, the second officer and the one whose 执法证 expired.
    case = Case.objects.create(
        agency=agency_a, created_by=officer, title="销售超过保质期的食品案", case_number="辽市监立字〔2026〕0001号",
        party_type="organisation", party_name="辽源市某商贸有限公司", party_uscc="91220400MA0000007N",
        procedure="general", status=Case.Status.INVESTIGATION_CONCLUDED,
        facts="当事人在其经营场所销售超过保质期的预包装食品。", violation_type="销售超过保质期的食品",
        legal_basis=[{"law": "中华人民共和国食品安全法", "article": "第一百二十四条第一款第（五）项"}],
        proposed_measures=[{"kind": "fine", "amount": "5000.00"}], proposed_fine_amount=Decimal("5000.00"),
        registered_on=today - datetime.timedelta(days=20), investigation_concluded_on=today,
    )
    case.handling_officers.set([officer, officer2, expired])
    item = _evidence(case, officer)
    round_ = review_services.review_submit(
        case=case, actor=officer, context=AuditContext(actor=officer),
        discretion="适用裁量基准一般情节。", investigation_report="经调查，违法事实清楚，证据确实充分。",
    )
    catalog = review_services.catalog_create(agency=agency_a, actor=reviewer, title="重大执法决定法制审核目录清单")
    rule = review_services.catalog_rule_add(catalog=catalog, actor=reviewer, code="hearing", kind="hearing_held",
                                            description="经过听证程序的")
    requirement = RecordingRequirement.objects.create(agency=agency_a, activity=Activity.ON_SITE_INSPECTION)

    # A document on case A, through the API as the officer would add it.
    created = clients["officer"].post(
        f"/api/v1/cases/{case.id}/documents/",
        {"doc_type": "inspection_record", "content": {"summary": "现场检查笔录"},
         "officer_ids": [str(officer.id), str(officer2.id)]}, format="json",
    )
    assert created.status_code == 201, created.content
    document_id = created.json()["id"]

    # An upload in progress (tus creation) by the officer.
    metadata = {"case": str(case.id), "kind": "photo", "filename": "a.jpg",
                "captured_at": timezone.now().isoformat(), "sha256": "0" * 64}
    header = ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in metadata.items())
    upload = clients["officer"].post("/api/v1/uploads/", HTTP_UPLOAD_LENGTH="100", HTTP_UPLOAD_METADATA=header)
    assert upload.status_code == 201, upload.content
    upload_id = upload["Location"].rstrip("/").rsplit("/", 1)[-1]

    # A decided case with a published notice, and a citizen's correction request on it.
    decided = Case.objects.create(
        agency=agency_a, title="经营超过保质期的食品", party_type="organisation", party_name="辽源市恒通商贸有限公司",
        party_uscc="91220400MA0Y3K2X1B", facts="当事人经营超过保质期的食品。", violation_type="经营超过保质期的食品",
        legal_basis=[{"law": "中华人民共和国食品安全法", "article": "第一百二十四条"}],
        decided_measures=[{"kind": "fine", "amount": "5000.00"}], fine_amount=Decimal("5000.00"),
        status="decided", decision_outcome="penalty", decision_number="辽市监罚〔2026〕1号",
        decided_on=today - datetime.timedelta(days=3), registered_on=today - datetime.timedelta(days=30),
    )
    with transaction.atomic():
        disclosure_services.notice_create_for_decision(case=decided, context=None)
    notice = Notice.objects.get(case=decided)
    disclosure_services.notice_publish(notice=notice, actor=discloser)
    correction = clients["anon"].post(
        f"/api/v1/public/notices/{notice.id}/corrections/",
        {"requester_name": "王先生", "requester_contact": "13900000000", "content": "公示的罚款金额有误，应为四千元。"},
        format="json",
    )
    assert correction.status_code == 201, correction.content
    correction_row = CorrectionRequest.objects.get()

    share = bundles.share_create(case=case, user=head, recipient_kind="court", recipient_name="辽源市龙山区人民法院",
                                 context=AuditContext(actor=head))
    # Supervision records on agency A: an order, a fault case, a grant of case A to the procurator and a 检察建议.
    from backend.supervision import services as supervision_services

    order = supervision_services.order_issue(
        actor=supervisor, context=AuditContext(actor=supervisor), agency=agency_a, kind="correction",
        subject="行政处罚决定未按期公示", findings="两件处罚决定超过7个工作日未公示。",
        requirement="限期补充公示并报告。",
        deadline=today + datetime.timedelta(days=15), case=decided,
    )
    fault = supervision_services.fault_case_open(
        actor=supervisor, context=AuditContext(actor=supervisor), case=decided, reason="监督检查中发现认定事实不清。"
    )
    grant = supervision_services.grant_create(
        actor=head, context=AuditContext(actor=head), grantee=procurator, procuratorate="辽源市人民检察院",
        purpose="行政诉讼监督案件调阅", case_ids=[case.id], days=30,
    )
    suggestion = supervision_services.suggestion_file(
        actor=procurator, context=AuditContext(actor=procurator), grant=grant, case=case,
        number="辽检行建〔2026〕1号", content="建议规范现场检查笔录的制作。",
    )
    from backend.supervision.models import CaseSample

    sample = CaseSample.objects.create(  # a drawn sample of agency A (the draw itself: tests/supervision)
        issuing_agency=bureau, agency=agency_a, year=today.year, seed="0f1e2d3c", size=1, population=[str(decided.id)],
        case_ids=[str(decided.id)], strata={"all": {"population": 1, "drawn": 1}}, drawn_by=supervisor,
    )
    from backend.supervision import annual_report

    report = annual_report.annual_report_publish(actor=head, context=AuditContext(actor=head), year=today.year - 1)
    sequence_ledger()
    annual_report.annual_report_seal(report_id=report.pk)

    kwargs = {
        "case_id": case.id, "document_id": document_id, "item_id": item.id, "upload_id": upload_id,
        "device_id": active_device.id, "requirement_id": requirement.id, "catalog_id": catalog.id,
        "user_id": officer2.id,
        "rule_id": rule.id, "round_id": round_.id, "notice_id": notice.id, "correction_id": correction_row.id,
        "code": correction_row.tracking_code, "share_id": share.share.id, "token": share.token, "index": 0,
        "key": agency_a.uscc, "number": "A-0001", "year": today.year - 1, "name": "poster.jpg",
        "rule_code": "decision", "supplement_id": 999_999, "extension_id": 999_999, "dispute_id": 999_999,
        "notification_id": "00000000-0000-4000-8000-000000000001",  # nobody's: 404 for every reader
        "order_id": order.id, "fault_id": fault.id, "grant_id": grant.id, "suggestion_id": suggestion.id,
        "sample_id": sample.id, "agency_id": agency_a.id, "indicator": "notices_on_time",
        # No 复议/诉讼 or plan on case A: their steps refuse the empty body (400) or the case (409).
        "remedy_id": 999_999, "plan_id": 999_999, "property_id": 999_999,
        "transfer_id": 999_999,
        "report_id": report.id, "version": 1,
    }  # fmt: skip
    return World(clients=clients, kwargs=kwargs)
