"""Notices from decision to publication, withdrawal, correction and expiry; every step audited with case_id."""

import datetime

import pytest
from django.db import transaction

from backend.common.errors import ApplicationError, Forbidden, PreconditionFailed
from backend.disclosures import services
from backend.disclosures.models import Notice, NoticeEdit
from backend.ledger.models import AuditEvent

D = datetime.date
PERSON_ID = "220402199003071231"
PHONE = "13912345678"


def _events(notice, action):
    return AuditEvent.objects.filter(action=action, target_id=str(notice.pk))


def test_a_decision_creates_a_redacted_draft_with_the_original_kept_internally(draft_notice, person_case):
    n = draft_notice
    assert n.status == Notice.Status.DRAFT
    assert n.case_id == person_case.pk
    assert n.decision_number == person_case.decision_number
    assert n.party_type == "natural_person"
    assert n.party_name == "王某"
    assert n.party_address.endswith("龙山区")
    for text in (n.facts, n.full_text):
        assert PERSON_ID not in text and PHONE not in text and "王小明" not in text and "88号" not in text
    assert "王某" in n.facts
    assert "1200元" in n.facts  # amounts are not personal data
    assert n.original["party"]["id_number"] == PERSON_ID  # the served decision stays for review and audit
    assert n.penalty_kind_list == ["warning", "fine"]
    assert n.redaction["spans"]["facts"], "the review screen gets the spans and their reasons"
    event = _events(n, "notice.created").get()
    assert event.case_id == person_case.pk


def test_an_organisation_is_named_in_full_with_its_credit_code(create_notice, org_case):
    n = create_notice(org_case)
    assert n.party_type == "organisation"
    assert n.party_name == "辽源市恒通商贸有限公司"
    assert n.party_uscc == "91220400MA0Y3K2X1B"
    assert n.legal_representative == "李建华"
    assert "220402197801015673" not in n.full_text
    assert "0437-3216688" not in n.full_text
    assert "辽源市恒通商贸有限公司" in n.facts


def test_a_sole_trader_shows_its_trade_name_and_credit_code_and_masks_its_operator(
    make_case, create_notice, agency_a
):
    """DOMAIN.md §6.5 (个体工商户): trade name and USCC shown, the operator's given name masked, no ID number."""
    case = make_case(
        agency_a,
        kind="organisation",
        party_type="sole_trader",
        party_name="辽源市龙山区张记小吃店",
        party_uscc="92220402MA0000007G",
        party_legal_rep="张建国",
        party_legal_rep_id_number="220402197001012343",
        facts="当事人辽源市龙山区张记小吃店（经营者张建国）销售超过保质期的食品。",
    )
    n = create_notice(case)
    assert n.party_type == "sole_trader"
    assert (n.party_name, n.party_uscc, n.legal_representative) == (
        "辽源市龙山区张记小吃店",
        "92220402MA0000007G",
        "张某",
    )
    for text in (n.facts, n.full_text):
        assert "张建国" not in text and "220402197001012343" not in text
    assert "经营者：张某" in n.full_text
    assert n.original["party"]["operator_name"] == "张建国"


def test_the_hook_is_idempotent(draft_notice, person_case):
    with transaction.atomic():
        services.notice_create_for_decision(case=person_case, context=None)
    assert Notice.objects.filter(case=person_case).count() == 1


def test_publishing_puts_it_on_the_list_and_is_audited(published_notice, discloser_a):
    n = published_notice
    assert n.status == Notice.Status.PUBLISHED
    assert n.listed and n.public_seq and n.published_by == discloser_a
    assert n.display_until is not None
    event = _events(n, "notice.published").get()
    assert event.case_id == n.case_id
    assert event.actor_id == discloser_a.pk


def test_a_late_publication_is_recorded_as_late(make_case, create_notice, agency_a, discloser_a):
    notice = create_notice(make_case(agency_a, decided_on=D(2026, 1, 5)))
    notice = services.notice_publish(notice=notice, actor=discloser_a)
    assert notice.published_late is True


def test_only_the_disclosure_manager_of_the_agency_publishes(draft_notice, officer_a, head_a, officer_b):
    for actor in (officer_a, head_a, officer_b):
        with pytest.raises(Forbidden):
            services.notice_publish(notice=draft_notice, actor=actor)


def test_edits_of_the_redacted_text_are_recorded(draft_notice, discloser_a):
    n = services.notice_edit(
        notice=draft_notice, actor=discloser_a, changes={"facts": "经查，当事人王某销售超过保质期的食品。"}, note="精简"
    )
    edit = NoticeEdit.objects.get(notice=n)
    assert edit.field == "facts" and edit.after.startswith("经查") and edit.edited_by == discloser_a
    assert _events(n, "notice.edited").get().data["fields"] == ["facts"]


def test_publishing_refuses_personal_data_typed_back_in(draft_notice, discloser_a):
    services.notice_edit(notice=draft_notice, actor=discloser_a, changes={"facts": f"当事人电话{PHONE}"})
    with pytest.raises(PreconditionFailed) as excinfo:
        services.notice_publish(notice=draft_notice, actor=discloser_a)
    assert excinfo.value.code == "notice_contains_personal_data"


def test_non_disclosure_needs_a_statutory_reason_and_someone_else_to_approve(draft_notice, discloser_a, head_a):
    with pytest.raises(ApplicationError):
        services.notice_request_non_disclosure(notice=draft_notice, actor=discloser_a, reason="not_a_reason")
    n = services.notice_request_non_disclosure(notice=draft_notice, actor=discloser_a, reason="related_cases")
    with pytest.raises(PreconditionFailed):
        services.notice_publish(notice=n, actor=discloser_a)
    with pytest.raises(Forbidden):
        services.notice_decide_non_disclosure(notice=n, actor=discloser_a, approve=True)
    n = services.notice_decide_non_disclosure(notice=n, actor=head_a, approve=True, comment="同意")
    assert n.status == Notice.Status.NOT_DISCLOSED and n.nd_approved_by == head_a
    assert _events(n, "notice.non_disclosure_approved").get().case_id == n.case_id


def test_a_rejected_non_disclosure_returns_the_draft_to_publication(draft_notice, discloser_a, head_a):
    n = services.notice_request_non_disclosure(notice=draft_notice, actor=discloser_a, reason="security")
    n = services.notice_decide_non_disclosure(notice=n, actor=head_a, approve=False)
    assert n.status == Notice.Status.DRAFT and not n.nd_reason
    assert services.notice_publish(notice=n, actor=discloser_a).status == Notice.Status.PUBLISHED


def test_a_minor_is_flagged_for_non_disclosure(make_case, create_notice, agency_a, discloser_a):
    notice = create_notice(make_case(agency_a, party_id_number="220402201203071236"))
    assert notice.nd_reason == "minor"
    with pytest.raises(PreconditionFailed):
        services.notice_publish(notice=notice, actor=discloser_a)


def test_warning_only_follows_the_agency_rule(make_case, create_notice, agency_a):
    profile = services.profile_for(agency_a)
    profile.publish_warning_only = False  # 市场监管: 仅受到警告的行政处罚不予公示
    profile.save()
    case = make_case(agency_a, decided_measures=[{"kind": "warning"}], fine_amount=None)
    notice = create_notice(case)
    assert notice.status == Notice.Status.NOT_DISCLOSED and notice.nd_rule == "warning_only"


def test_withdrawal_keeps_the_page_with_a_public_reason_and_is_audited(published_notice, discloser_a):
    n = services.notice_withdraw(
        notice=published_notice, actor=discloser_a, reason="原决定经行政复议被撤销，当事人王小明", kind="撤销"
    )
    assert n.status == Notice.Status.WITHDRAWN and n.listed
    assert n.withdrawal_kind == "revoked"
    assert "王小明" not in n.withdrawal_reason
    assert n.withdrawn_late is False
    event = _events(n, "notice.withdrawn").get()
    assert event.case_id == n.case_id and event.data["was_public"] is True


def test_withdrawal_within_three_working_days_is_on_time_and_later_is_late(published_notice, settings):
    today = datetime.date.today()
    n = services.notice_withdraw(notice=published_notice, reason="决定被变更", kind="changed", triggered_on=today)
    assert n.withdrawal_due > today and not n.withdrawn_late


def test_withdrawal_after_three_working_days_is_flagged_late(published_org_notice):
    n = services.notice_withdraw(
        notice=published_org_notice, reason="决定被确认违法", kind="confirmed_illegal", triggered_on=D(2026, 2, 13)
    )
    assert n.withdrawal_due == D(2026, 2, 25)  # Sat 2/14 make-up day, holiday to 2/23, 2/24, 2/25
    assert n.withdrawn_late is True


def test_withdrawal_requires_a_reason(published_notice):
    with pytest.raises(ApplicationError):
        services.notice_withdraw(notice=published_notice, reason="  ", kind="revoked")


def test_the_cases_hook_withdraws_and_a_changed_decision_is_published_anew_linked_to_the_old(
    published_notice, person_case
):
    person_case.decided_measures = [{"kind": "fine", "amount": "3000.00"}]
    person_case.fine_amount = 3000
    person_case.decision_state = "changed"
    person_case.save()
    with transaction.atomic():
        services.notice_withdraw_for_case(case=person_case, reason="复议机关变更处罚决定", kind="changed", context=None)
    published_notice.refresh_from_db()
    assert published_notice.status == Notice.Status.WITHDRAWN
    new = Notice.objects.get(case=person_case, status=Notice.Status.DRAFT)
    assert new.supersedes_id == published_notice.pk
    assert new.fine_amount == 3000 and new.penalty_kind_list == ["fine"]


def test_a_revoked_decision_gets_no_new_notice(published_notice, person_case):
    with transaction.atomic():
        services.notice_withdraw_for_case(case=person_case, reason="决定被撤销", kind="撤销", context=None)
    assert list(Notice.objects.filter(case=person_case).values_list("status", flat=True)) == ["withdrawn"]


def test_summary_procedure_decisions_are_not_published(make_case, create_notice, agency_a):
    assert create_notice(make_case(agency_a, procedure="summary")) is None


def test_a_draft_withdrawn_before_publication_never_becomes_public(draft_notice, person_case):
    with transaction.atomic():
        services.notice_withdraw_for_case(case=person_case, reason="决定被撤销", kind="revoked", context=None)
    draft_notice.refresh_from_db()
    assert draft_notice.status == Notice.Status.WITHDRAWN and not draft_notice.listed
    assert draft_notice.published_at is None


def test_display_periods_end_automatically(published_notice, published_org_notice):
    published_notice.display_until = D(2026, 1, 1)
    published_notice.save()
    assert services.notice_expire_display_periods(today=D(2026, 6, 1)) == 1
    published_notice.refresh_from_db()
    assert published_notice.status == Notice.Status.EXPIRED and not published_notice.listed
    assert AuditEvent.objects.filter(action="notice.expired", case_id=published_notice.case_id).exists()
    assert services.notice_expire_display_periods(today=D(2026, 6, 1)) == 0  # replay is harmless


def test_display_period_short_for_low_fines_and_criticism_long_otherwise(db, agency_a):
    profile = services.profile_for(agency_a)
    profile.low_fine_threshold = 10000
    profile.short_display_kinds = ["criticism"]
    profile.save()
    published = D(2026, 3, 10)

    def until(kinds, fine=None):
        n = Notice(penalty_kinds="," + ",".join(kinds) + ",", fine_amount=fine)
        return services.display_until_for(notice=n, profile=profile, published_on=published)

    assert until(["criticism"]) == D(2026, 6, 10)
    assert until(["fine"], 5000) == D(2026, 6, 10)
    assert until(["fine"], 50000) == D(2029, 3, 10)
    assert until(["fine", "revoke_licence"], 5000) == D(2029, 3, 10)


def test_a_correction_request_is_tracked_and_answered(published_notice, discloser_a):
    req = services.correction_request_submit(
        notice=published_notice, requester_name="王小明", requester_contact=PHONE, content="罚款金额有误，应为4000元"
    )
    assert len(req.tracking_code) == 12 and req.due_date > datetime.date.today()
    req = services.correction_request_answer(request=req, actor=discloser_a, accept=False, answer="经核实，金额无误。")
    assert req.status == "rejected"
    assert AuditEvent.objects.filter(action="notice.correction_answered", case_id=published_notice.case_id).exists()


def test_the_periodic_task_expires_display_periods(published_notice):
    from backend.disclosures.tasks import notice_expire_display_periods

    Notice.objects.filter(pk=published_notice.pk).update(display_until=D(2020, 1, 1))
    assert notice_expire_display_periods.delay().get() == 1
    published_notice.refresh_from_db()
    assert published_notice.status == Notice.Status.EXPIRED


def test_the_cases_adapter_reaches_the_disclosure_hooks(person_case):
    from backend.cases import hooks

    with transaction.atomic():
        hooks.notice_create_for_decision(case=person_case, context=None)
    notice = Notice.objects.get(case=person_case)
    assert notice.status == Notice.Status.DRAFT
    with transaction.atomic():
        hooks.notice_withdraw_for_case(
            case=person_case, reason="决定被撤销", kind="revoked", triggered_on=datetime.date(2026, 9, 30), context=None
        )
    notice.refresh_from_db()
    assert notice.status == Notice.Status.WITHDRAWN
    assert notice.withdrawal_triggered_on == datetime.date(2026, 9, 30)


def test_the_notice_text_is_the_decision_as_served(officer_a, officer_a2, head_a, discloser_a, monkeypatch):
    """国办发〔2018〕118号 (六): the published 决定书 is the one served (redacted), including the manner and term
    of performance, the evidence and the remedies it states (行政处罚法 第五十九条)."""
    from cases.casekit import new_case, walk

    from backend.cases import hooks

    # The legal-review gate is the reviews app's (tested there); this test is about what disclosure publishes.
    monkeypatch.setattr(hooks, "review_ensure_passed", lambda *, case: None)
    monkeypatch.setattr(hooks, "review_decision_reference", lambda *, case: None)
    start = datetime.date(2026, 3, 2)
    case = walk(new_case(officer_a, officer_a2, on=start), officer=officer_a, head=head_a, to="decided", start=start)
    served = case.documents.get(doc_type="decision").content
    notice = Notice.objects.get(case=case)
    assert served["agency_name"] == case.agency.name
    # The 笔录 are evidence (行政处罚法 第四十六条).
    assert served["evidence"] == ["现场检查（勘验）笔录（2026-03-04，辽源市龙山区人民大街88号）"]
    assert "证据：现场检查（勘验）笔录（2026-03-04，" in notice.full_text
    assert f"履行方式和期限：{served['performance']}" in notice.full_text
    assert served["remedies"] in notice.full_text
    assert notice.full_text.splitlines()[-1] == f"{served['agency_name']}　{served['decided_on']}"
    assert "处罚内容：罚款人民币5,000.00元" in notice.full_text

    # A 变更 withdraws it and publishes the changed decision: the new text states the changed penalty.
    from backend.cases import services as case_services
    from backend.ledger.services import AuditContext

    services.notice_publish(notice=notice, actor=discloser_a)
    case_services.case_correct_decision(
        case=case, actor=head_a, context=AuditContext(actor=head_a), kind="changed", by="litigation",
        reason="法院判决变更罚款数额", new_measures=[{"kind": "fine", "amount": "2000"}],
    )
    changed = Notice.objects.get(case=case, supersedes=notice)
    assert "处罚内容：罚款人民币2,000.00元" in changed.full_text and "5,000.00" not in changed.full_text


def test_a_restriction_longer_than_three_years_stays_on_display_for_its_term(
    make_case, create_notice, agency_a, discloser_a
):
    """市场监督管理行政处罚信息公示规定 第十三条: 限制从业 for 5 years is displayed for 5 years, not the usual 3."""
    case = make_case(
        agency_a,
        decided_on=datetime.date(2026, 3, 10),
        decided_measures=[{"kind": "fine", "amount": "5000.00"}, {"kind": "restrict_practice", "months": 60}],
    )
    notice = create_notice(case)
    assert notice.penalty_valid_until == datetime.date(2031, 3, 10)
    notice = services.notice_publish(notice=notice, actor=discloser_a)
    assert notice.display_until == datetime.date(2031, 3, 10)
