"""The publish-time check over HTTP: personal data typed back into any public field by a discloser is refused
with the findings; an uncertain item must be resolved (mask or keep, with a reason, recorded and audited)
before publication."""

from __future__ import annotations

import pytest

from backend.disclosures.models import Notice, NoticeEdit
from backend.ledger.models import AuditEvent

PERSON_ID = "220402199003071231"
PHONE = "13912345678"


def _url(notice, action=""):
    return f"/api/v1/disclosures/notices/{notice.pk}/" + (f"{action}/" if action else "")


@pytest.fixture
def witness_notice(make_case, create_notice, agency_a):
    case = make_case(
        agency_a,
        facts=(
            "经查，当事人王小明于2026年1月在其位于人民大街88号3单元502室的家中销售超过保质期的食品，"
            "顾客张晓燕证实。执法人员张伟、李娜到场检查。"
        ),
    )
    return create_notice(case)


@pytest.mark.parametrize(
    ("typed", "category"),
    [
        ("经与王小明本人核实", "person_name"),  # the party's full name
        ("小明称其不知情", "person_name"),  # the given name alone
        ("张晓燕再次到场", "person_name"),  # a witness of the served decision, without its cue
        (f"身份证号{PERSON_ID}", "id_number"),
        (f"联系{PHONE}", "mobile_phone"),
        ("住人民大街88号3单元502室", "home_address"),
        ("当事人患有高血压", "health"),
        ("当事人1990年3月7日出生", "birth_date"),
    ],
)
def test_personal_data_typed_back_is_refused_at_publication(
    as_user, discloser_a, witness_notice, typed, category
):
    client = as_user(discloser_a)
    draft = client.get(_url(witness_notice)).json()
    assert "张晓燕" not in draft["facts"] and "顾客张某证实" in draft["facts"]
    assert "执法人员张伟、李娜" in draft["facts"]  # officers are public
    edited = client.post(_url(witness_notice, "edit"), {"changes": {"remarks": typed}, "note": "补充"}, format="json")
    assert edited.status_code == 200
    refused = client.post(_url(witness_notice, "publish"), format="json")
    assert refused.status_code == 409
    body = refused.json()
    assert body["code"] == "notice_contains_personal_data"
    assert "个人信息" in body["message"]
    findings = body["extra"]["findings"]
    assert any(f["field"] == "remarks" and f["category"] == category for f in findings), findings
    assert Notice.objects.get(pk=witness_notice.pk).status == Notice.Status.DRAFT
    # The same check, on demand, for the review screen.
    check = client.get(_url(witness_notice, "redaction-check")).json()
    assert check["findings"] == findings
    fixed = client.post(_url(witness_notice, "edit"), {"changes": {"remarks": "当事人对上述事实无异议"}}, format="json")
    assert fixed.status_code == 200
    assert client.post(_url(witness_notice, "publish"), format="json").status_code == 200


def test_an_edit_of_a_published_notice_is_checked_the_same_way(as_user, discloser_a, witness_notice):
    client = as_user(discloser_a)
    assert client.post(_url(witness_notice, "publish"), format="json").status_code == 200
    refused = client.post(
        _url(witness_notice, "edit"), {"changes": {"facts": "顾客张晓燕证实"}, "note": "更正"}, format="json"
    )
    assert refused.status_code == 409 and refused.json()["code"] == "notice_contains_personal_data"


@pytest.fixture
def uncertain_notice(make_case, create_notice, agency_a):
    # 孙丽萍 has no cue before it: only the segmenter takes it for a name, so the discloser decides.
    facts = "经查，当事人王小明于2026年1月销售超过保质期的食品。经现场检查，现场有孙丽萍在柜台内销售。"
    case = make_case(agency_a, facts=facts)
    return create_notice(case)


def test_an_uncertain_name_must_be_resolved_before_publication(as_user, discloser_a, uncertain_notice):
    client = as_user(discloser_a)
    refused = client.post(_url(uncertain_notice, "publish"), format="json")
    assert refused.status_code == 409
    assert refused.json()["code"] == "notice_redaction_candidates_unresolved"
    candidates = refused.json()["extra"]["candidates"]
    assert [c["text"] for c in candidates] == ["孙丽萍"]
    key = candidates[0]["key"]

    resolve = _url(uncertain_notice, "redaction-check/resolve")
    no_reason = client.post(resolve, {"key": key, "decision": "mask", "reason": " "}, format="json")
    assert no_reason.status_code == 400 and "reason" in no_reason.json()["fields"]
    bad = client.post(resolve, {"key": key, "decision": "delete", "reason": "x"}, format="json")
    assert bad.status_code == 400
    unknown = client.post(resolve, {"key": "0" * 12, "decision": "mask", "reason": "x"}, format="json")
    assert unknown.status_code == 404 and unknown.json()["code"] == "redaction_candidate_not_found"

    done = client.post(resolve, {"key": key, "decision": "mask", "reason": "现场人员，系自然人"}, format="json")
    assert done.status_code == 200, done.json()
    assert done.json()["candidates"] == [] and done.json()["findings"] == []
    assert done.json()["resolutions"][0]["decision"] == "mask"
    notice = Notice.objects.get(pk=uncertain_notice.pk)
    assert "孙丽萍" not in notice.facts and "孙某在柜台内" in notice.facts
    assert NoticeEdit.objects.filter(notice=notice, field="facts", note__contains="现场人员").exists()
    event = AuditEvent.objects.get(action="notice.redaction_candidate_resolved", target_id=str(notice.pk))
    assert event.data["decision"] == "mask" and event.data["reason"] == "现场人员，系自然人"
    assert client.post(_url(uncertain_notice, "publish"), format="json").status_code == 200


def test_an_uncertain_item_kept_with_a_reason_is_published_as_it_is(as_user, discloser_a, uncertain_notice):
    client = as_user(discloser_a)
    key = client.get(_url(uncertain_notice, "redaction-check")).json()["candidates"][0]["key"]
    kept = client.post(
        _url(uncertain_notice, "redaction-check/resolve"),
        {"key": key, "decision": "keep", "reason": "系商品名称"},
        format="json",
    )
    assert kept.status_code == 200 and kept.json()["candidates"] == []
    assert client.post(_url(uncertain_notice, "publish"), format="json").status_code == 200
    assert "孙丽萍在柜台内" in Notice.objects.get(pk=uncertain_notice.pk).facts


def test_only_the_disclosure_manager_resolves(as_user, officer_a, uncertain_notice):
    response = as_user(officer_a).post(
        _url(uncertain_notice, "redaction-check/resolve"), {"key": "x", "decision": "keep", "reason": "x"},
        format="json",
    )
    assert response.status_code == 403


def test_the_service_refuses_a_resolution_without_reason_or_with_an_unknown_decision(discloser_a, uncertain_notice):
    from backend.common.errors import ApplicationError
    from backend.disclosures import services

    key = services.redaction_check(uncertain_notice)["candidates"][0]["key"]
    for decision, reason, code in (("mask", "  ", "redaction_reason_required"),
                                   ("delete", "理由", "redaction_decision_invalid")):
        with pytest.raises(ApplicationError) as refused:
            services.notice_resolve_candidate(
                notice=uncertain_notice, actor=discloser_a, key=key, decision=decision, reason=reason
            )
        assert refused.value.code == code and refused.value.status == 422
    assert services.redaction_check(uncertain_notice)["resolutions"] == []
