"""The agency's 音像记录事项清单 and the missing-recording flag; retention terms and legal hold."""

from __future__ import annotations

import datetime as dt

import pytest
from cases.casekit import at, ctx, new_case, walk
from django.utils import timezone

from backend.cases import services, tasks
from backend.cases.models import CaseDeadline, DocumentType, RecordingRequirement
from backend.common.errors import PreconditionFailed
from backend.ledger.models import AuditEvent

START = dt.date(2026, 3, 2)


def _seize(client, case, **extra):
    body = {"doc_type": "seizure_decision", "content": {"items": ["过期食品 12 箱"]}, **extra}
    return client.post(f"/api/v1/cases/{case.id}/documents/", body, format="json")


@pytest.fixture
def investigating(officer_a, officer_a2, head_a):
    return walk(new_case(officer_a, officer_a2, on=START), officer=officer_a, head=head_a, to="investigating",
                start=START)


def test_heads_keep_the_recording_list_and_everyone_in_the_agency_reads_it(as_user, head_a, officer_a, officer_b):
    body = {"activity": "查封扣押", "level": "full", "retention": "permanent", "basis": "国办发〔2018〕118号"}
    assert as_user(officer_a).post("/api/v1/recording-requirements/", body, format="json").status_code == 403
    r = as_user(head_a).post("/api/v1/recording-requirements/", body, format="json")
    assert r.status_code == 201, r.json()
    assert [x["activity"] for x in as_user(officer_a).get("/api/v1/recording-requirements/").json()] == ["查封扣押"]
    assert as_user(officer_b).get("/api/v1/recording-requirements/").json() == []
    requirement_id = r.json()["id"]
    assert as_user(officer_b).delete(f"/api/v1/recording-requirements/{requirement_id}/").status_code == 404
    assert as_user(head_a).delete(f"/api/v1/recording-requirements/{requirement_id}/").status_code == 204
    assert AuditEvent.objects.filter(action__startswith="recording_requirement.").count() == 2


def test_a_seizure_without_a_recording_is_flagged_until_the_video_arrives(
    as_user, agency_a, officer_a, officer_a2, head_a, fake_apps
):
    RecordingRequirement.objects.create(agency=agency_a, activity="查封扣押", level="full")
    case = walk(new_case(officer_a, officer_a2, on=START), officer=officer_a, head=head_a, to="investigating",
                start=START)
    services.case_add_document(
        case=case, actor=officer_a, context=ctx(officer_a), doc_type=DocumentType.SEIZURE_DECISION,
        content={"items": ["过期食品 12 箱"]}, approved_by_id=head_a.pk, now=at(START + dt.timedelta(days=2)),
    )
    case.refresh_from_db()
    assert case.missing_recordings == ["查封扣押"]
    seizure = CaseDeadline.objects.get(case=case, rule_code="SEIZURE")
    assert seizure.due_on == dt.date(2026, 4, 3)  # 30 days (行政强制法 第二十五条)
    # Complex case: the head extends once by 30 days; a second extension is refused.
    url = f"/api/v1/cases/{case.id}/deadlines/SEIZURE/extend/"
    assert as_user(officer_a).post(url, {"reason": "情况复杂"}, format="json").status_code == 403
    # Today the 30 days are long over: an extension can no longer be approved (行政强制法 第二十五条、第二十八条).
    r = as_user(head_a).post(url, {"reason": "需检验鉴定，情况复杂"}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "extension_after_expiry"
    # Approved within the 30 days, it is.
    extended = services.case_extend_deadline(
        case=case, actor=head_a, context=ctx(head_a), rule_code="SEIZURE", reason="需检验鉴定，情况复杂",
        now=at(dt.date(2026, 4, 3)),
    )
    assert extended.due_on == dt.date(2026, 5, 6)  # 60 days: Sun 05-03 (劳动节) → Wed 05-06
    with pytest.raises(PreconditionFailed) as refused:
        services.case_extend_deadline(case=case, actor=head_a, context=ctx(head_a), rule_code="SEIZURE",
                                      reason="再延", now=at(dt.date(2026, 4, 20)))
    assert refused.value.code == "extension_limit_reached"
    listed = as_user(officer_a).get("/api/v1/cases/").json()["results"][0]
    assert listed["has_missing_recordings"] is True

    fake_apps.recorded.add("查封扣押")  # the body-cam video is uploaded and received
    assert tasks.recording_flags_refresh() == 1
    case.refresh_from_db()
    assert case.missing_recordings == []
    assert AuditEvent.objects.filter(action="case.recording_flag", case_id=case.id).exists()

    services.case_add_document(
        case=case, actor=officer_a, context=ctx(officer_a), doc_type=DocumentType.SEIZURE_RELEASE,
        content={"reason": "已作出处理决定"}, now=at(START + dt.timedelta(days=20)),
    )
    seizure.refresh_from_db()
    assert seizure.state == "met"


def test_a_seizure_must_be_recorded_even_when_the_agencys_list_is_empty(as_user, officer_a, head_a, investigating):
    """全程音像记录 of 查封扣押 is the law's (国办发〔2018〕118号 (八)), not an agency option."""
    assert _seize(as_user(officer_a), investigating, approved_by_id=str(head_a.pk)).status_code == 201
    investigating.refresh_from_db()
    assert not RecordingRequirement.objects.exists()
    assert investigating.missing_recordings == ["查封扣押"]


def test_acts_not_on_the_list_raise_no_flag(officer_a, officer_a2, head_a):
    case = walk(new_case(officer_a, officer_a2, on=START), officer=officer_a, head=head_a,
                to="investigation_concluded", start=START)
    assert case.performed_activities == ["现场检查"] and case.missing_recordings == []


def test_nothing_is_purged_under_legal_hold_or_inside_its_term(as_user, officer_a, officer_a2, head_a):
    case = walk(new_case(officer_a, officer_a2, on=START), officer=officer_a, head=head_a,
                to="investigation_concluded", start=START)
    with pytest.raises(PreconditionFailed) as failure:
        services.case_ensure_purgeable(case=case)
    assert failure.value.code == "case_not_archived"

    case = services.case_decide_without_penalty(case=case, actor=head_a, context=ctx(head_a), outcome="no_penalty",
                                                reason="首违轻微并及时改正", now=at(START + dt.timedelta(5)))
    case = services.case_close(case=case, actor=head_a, context=ctx(head_a), now=at(START + dt.timedelta(6)))
    case = services.case_archive(case=case, actor=officer_a, context=ctx(officer_a), retention_years=10,
                                 now=at(START + dt.timedelta(7)))
    assert case.retention_until == dt.date(2036, 3, 9)
    with pytest.raises(PreconditionFailed) as failure:
        services.case_ensure_purgeable(case=case, today=dt.date(2030, 1, 1))
    assert failure.value.code == "retention_term_not_elapsed"

    url = f"/api/v1/cases/{case.id}/retention/"
    assert as_user(officer_a).post(url, {"legal_hold": True, "reason": "行政诉讼"}, format="json").status_code == 403
    r = as_user(head_a).post(url, {"legal_hold": True, "reason": "行政诉讼中"}, format="json")
    assert r.status_code == 200 and r.json()["legal_hold"] is True
    case.refresh_from_db()
    with pytest.raises(PreconditionFailed) as failure:
        services.case_purge_personal_data(case=case, actor=head_a, context=ctx(head_a), today=dt.date(2040, 1, 1))
    assert failure.value.code == "legal_hold"

    as_user(head_a).post(url, {"legal_hold": False}, format="json")
    case.refresh_from_db()
    case = services.case_purge_personal_data(case=case, actor=head_a, context=ctx(head_a), today=dt.date(2040, 1, 1))
    assert case.party_name == "已删除" and case.party_id_number == ""
    assert AuditEvent.objects.filter(action="case.personal_data_purged", case_id=case.id).exists()


def test_a_permanent_case_is_never_purgeable(officer_a, officer_a2, head_a):
    case = walk(new_case(officer_a, officer_a2, on=START), officer=officer_a, head=head_a,
                to="investigation_concluded", start=START)
    case = services.case_decide_without_penalty(case=case, actor=head_a, context=ctx(head_a), outcome="no_penalty",
                                                reason="违法事实不能成立", now=at(START + dt.timedelta(5)))
    case = services.case_close(case=case, actor=head_a, context=ctx(head_a), now=at(START + dt.timedelta(6)))
    case = services.case_archive(case=case, actor=officer_a, context=ctx(officer_a), now=at(START + dt.timedelta(7)))
    assert case.retention_term == "permanent" and case.retention_until is None
    with pytest.raises(PreconditionFailed) as failure:
        services.case_ensure_purgeable(case=case, today=timezone.localdate() + dt.timedelta(days=365 * 200))
    assert failure.value.code == "retention_term_not_elapsed"


# --------------------------------------------------------------------------- approval of coercive measures


def test_a_seizure_needs_the_heads_prior_approval(as_user, officer_a, officer_a2, head_a, investigating):
    """行政强制法 第十八条第一项: 实施前须向行政机关负责人报告并经批准."""
    client = as_user(officer_a)
    r = _seize(client, investigating)
    assert r.status_code == 409 and r.json()["code"] == "measure_approval_required"
    r = _seize(client, investigating, approved_by_id=str(officer_a2.pk))
    assert r.status_code == 422 and r.json()["code"] == "approver_not_head"
    r = _seize(client, investigating, approved_by_id=str(head_a.pk))
    assert r.status_code == 201, r.json()
    assert r.json()["content"]["approval"]["approved_by"] == str(head_a.pk)
    assert not CaseDeadline.objects.filter(case=investigating, rule_code="EMERGENCY_MEASURE_REPORT").exists()


def test_an_emergency_seizure_is_approved_by_the_head_within_24_hours(
    as_user, officer_a, head_a, investigating
):
    """行政强制法 第十九条: 情况紧急当场实施的，二十四小时内向负责人报告并补办批准手续."""
    r = _seize(as_user(officer_a), investigating, emergency=True, occurred_at="2026-03-04T21:30:00+08:00")
    assert r.status_code == 201, r.json()
    report = CaseDeadline.objects.get(case=investigating, rule_code="EMERGENCY_MEASURE_REPORT")
    assert (report.state, report.due_on) == ("due", dt.date(2026, 3, 5))
    url = f"/api/v1/cases/{investigating.id}/documents/{r.json()['id']}/approve/"
    assert as_user(officer_a).post(url, {}, format="json").status_code == 403
    assert as_user(head_a).post(url, {"note": "同意"}, format="json").status_code == 200
    report.refresh_from_db()
    assert report.state == "met"
    assert AuditEvent.objects.filter(action="document.emergency_measure_approved", case_id=investigating.id).exists()
