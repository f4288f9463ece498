"""Automatic pre-checks fill hints per checklist item from the case record."""

from __future__ import annotations

import datetime

from django.utils import timezone
from support import make_user

from backend.accounts.models import Role
from backend.cases.models import EnforcementDocument, RecordingRequirement
from backend.reviews import services


def hints_of(round_, code: str) -> dict[str, dict]:
    entry = round_.checklist.get(code=code)
    return {h["check"]: h for h in entry.hints}


def test_a_missing_required_recording_is_flagged(
    catalog_a, agency_a, make_case, officer_a, reviewer_a, add_evidence, submit
) -> None:
    RecordingRequirement.objects.create(
        agency=agency_a, activity="查封扣押", level="full", basis="国办发〔2018〕118号（八）"
    )
    case = make_case(fine="150000.00", performed_activities=["现场检查", "查封扣押"])
    add_evidence(case, officer_a, kind="video", activity="现场检查")
    round_ = submit(case, officer_a)
    hint = hints_of(round_, "procedure_lawful")["recordings"]
    assert hint["status"] == "problem" and "查封扣押" in hint["message"]
    assert [m["activity"] for m in hint["data"]["missing"]] == ["查封扣押"]
    # Once the recording is received, a refresh clears the problem.
    add_evidence(case, officer_a, kind="video", activity="查封扣押")
    services.review_assign(round_=round_, reviewer=reviewer_a, actor=reviewer_a)
    services.review_prechecks_refresh(round_=round_, actor=reviewer_a)
    assert hints_of(round_, "procedure_lawful")["recordings"]["status"] == "ok"


def test_an_expired_credential_at_the_time_of_an_act_is_flagged(
    catalog_a, agency_a, make_case, officer_a, add_evidence, submit
) -> None:
    expired_on = timezone.localdate() - datetime.timedelta(days=10)
    lapsed = make_user(
        "lapsed", agency_a, [Role.FIELD_OFFICER], credential="A-0500", valid_until=expired_on, full_name="郑过"
    )
    case = make_case(fine="150000.00", officers=[officer_a, lapsed])
    add_evidence(case, lapsed, activity="现场检查", captured_at=timezone.now() - datetime.timedelta(days=2))
    EnforcementDocument.objects.create(
        case=case,
        doc_type="inspection_record",
        occurred_at=timezone.now() - datetime.timedelta(days=3),
        officer_ids=[str(officer_a.pk), str(lapsed.pk)],
    )
    round_ = submit(case, officer_a)
    hint = hints_of(round_, "officer_qualified")["credentials"]
    assert hint["status"] == "problem"
    assert {p["name"] for p in hint["data"]["problems"]} == {"郑过"}
    assert {p["state"] for p in hint["data"]["problems"]} == {"expired"}
    assert "执法证已过期" in hint["message"]


def test_fewer_than_two_officers_and_missing_evidence_are_flagged(catalog_a, make_case, officer_a, submit) -> None:
    case = make_case(fine="150000.00", officers=[officer_a])
    round_ = submit(case, officer_a)
    assert hints_of(round_, "officer_qualified")["officer_count"]["status"] == "problem"
    assert hints_of(round_, "facts_evidence")["evidence_integrity"]["status"] == "problem"


def test_evidence_with_an_integrity_flag_is_flagged(catalog_a, make_case, officer_a, add_evidence, submit) -> None:
    case = make_case(fine="150000.00")
    add_evidence(case, officer_a)
    add_evidence(case, officer_a, flags=[{"code": "hash_mismatch", "message": "复核摘要不一致"}])
    round_ = submit(case, officer_a)
    hint = hints_of(round_, "facts_evidence")["evidence_integrity"]
    assert hint["status"] == "problem" and len(hint["data"]["items"]) == 1


def test_notice_not_yet_served_is_pending_and_a_clean_record_is_ok(
    catalog_a, make_case, officer_a, add_evidence, submit
) -> None:
    case = make_case(fine="150000.00")
    add_evidence(case, officer_a)
    round_ = submit(case, officer_a)
    assert hints_of(round_, "party_rights")["notice"]["status"] == "pending"
    assert hints_of(round_, "officer_qualified")["credentials"]["status"] == "ok"
    assert hints_of(round_, "officer_qualified")["officer_count"]["status"] == "ok"
    assert hints_of(round_, "facts_evidence")["evidence_integrity"]["status"] == "ok"


def test_hints_fold_into_the_shorter_case_review_checklist(catalog_a, make_case, officer_a, submit) -> None:
    round_ = submit(make_case(fine="5000.00", officers=[officer_a]), officer_a)
    assert round_.kind == "case_review"
    checks = hints_of(round_, "procedure_lawful")
    assert checks["officer_count"]["status"] == "problem"
    assert "notice" in checks


def test_a_seizure_without_recording_is_flagged_even_off_the_agencys_list(
    catalog_a, make_case, officer_a, submit
) -> None:
    """全程音像记录 of 查封扣押 is required by law (国办发〔2018〕118号 (八)): the same rule as the case's flag."""
    case = make_case(fine="150000.00", performed_activities=["查封扣押"])
    hint = hints_of(submit(case, officer_a), "procedure_lawful")["recordings"]
    assert hint["status"] == "problem"
    assert hint["data"]["missing"] == [{"activity": "查封扣押", "level": "full", "basis": "国办发〔2018〕118号（八）"}]
