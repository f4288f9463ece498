"""Console permissions are the API's: for each role and page the console answers what the matching API
endpoint answers (200, 403 for a role that may not, 404 for another agency's object), and actions refused
by the services' role checks are refused here with the same status."""

from __future__ import annotations

import datetime

import pytest
from support import client_for, make_agency, make_user

from backend.accounts.models import Role
from backend.disclosures.models import Notice
from backend.reviews import services as review_services

pytestmark = pytest.mark.django_db

ROLES = ["officer_a", "reviewer_a", "head_a", "discloser_a", "auditor_a", "officer_b", "admin_user"]


@pytest.fixture
def objects(submitted_round, deciding_case):
    from backend.disclosures import services as notice_services

    item = deciding_case.evidence_items.get()
    decided = deciding_case.__class__.objects.create(
        agency=deciding_case.agency, title="另一案", party_type="organisation", party_name="辽源市某某商贸有限公司",
        status="decided", decision_outcome="penalty", decision_number="辽市监罚〔2026〕9号",
        decided_on=datetime.date(2026, 3, 10), decided_measures=[{"kind": "fine", "amount": "3000.00"}],
        facts="当事人销售过期食品。", violation_type="销售过期食品",
    )  # fmt: skip
    notice_services.notice_create_for_decision(case=decided, context=None)
    notice = Notice.objects.get(case=decided)
    account = deciding_case.handling_officers.order_by("username").last()  # officer_a2, a colleague of agency A
    return {"case": deciding_case, "round": submitted_round, "item": item, "notice": notice, "account": account}


# (console page, the API endpoint it shows): the same answer is expected from both.
PAIRS = [
    ("/console/cases/{case}/", "/api/v1/cases/{case}/?masked=1"),
    ("/console/cases/{case}/decision/", "/api/v1/cases/{case}/reviews/requirement/"),
    ("/console/reviews/{round}/", "/api/v1/reviews/rounds/{round}/"),
    ("/console/cases/{case}/evidence/", "/api/v1/evidence/?case={case}"),
    ("/console/evidence/{item}/", "/api/v1/evidence/{item}/"),
    ("/console/notices/", "/api/v1/disclosures/notices/"),
    ("/console/notices/{notice}/", "/api/v1/disclosures/notices/{notice}/"),
    ("/console/directory/", "/api/v1/users/"),
    ("/console/admin/recordings/", "/api/v1/recording-requirements/"),
    ("/console/admin/catalogs/", "/api/v1/reviews/catalogs/"),
    ("/console/inbox/", "/api/v1/inbox/"),
    ("/console/admin/profile/", "/api/v1/disclosures/profile/"),
    ("/console/admin/users/", "/api/v1/accounts/users/"),
    ("/console/admin/calendar/", "/api/v1/calendar/years/"),
    ("/console/supervision/indicators/?year=2026", "/api/v1/supervision/indicators/?year=2026"),
]


@pytest.mark.parametrize(("page", "api"), PAIRS)
def test_each_page_answers_each_role_as_the_api_does(request, page, api, objects, console):
    ids = {k: v.pk for k, v in objects.items()}
    for role in ROLES:
        user = request.getfixturevalue(role)
        expected = client_for(user).get(api.format(**ids)).status_code
        got = console(user).get(page.format(**ids)).status_code
        assert got == expected, (role, page, got, expected)
        if role == "officer_b" and "{" in page:
            assert got == 404  # another agency's object is not revealed


def test_the_expected_answers_of_the_matrix_are_the_ones_the_rules_say(objects, console, officer_b, admin_user,
                                                                      auditor_a, discloser_a):  # fmt: skip
    case = objects["case"]
    assert console(officer_b).get(f"/console/cases/{case.pk}/").status_code == 404
    assert console(officer_b).get(f"/console/reviews/{objects['round'].pk}/").status_code == 404
    assert console(officer_b).get(f"/console/notices/{objects['notice'].pk}/").status_code == 404
    assert console(admin_user).get("/console/").status_code == 403  # an administrator manages accounts, not cases
    assert console(auditor_a).get(f"/console/cases/{case.pk}/").status_code == 200
    assert console(discloser_a).get(f"/console/notices/{objects['notice'].pk}/").status_code == 200


def test_an_auditor_of_the_supervising_agency_reads_and_another_agency_does_not(objects, console, agency_a):
    parent = make_agency("辽源市司法局", "11220400MB0000001A")
    agency_a.parent = parent
    agency_a.save()
    supervisor = make_user("supervisor", parent, [Role.AUDITOR])
    stranger = make_user("stranger", make_agency("通化市市场监督管理局", "11220500MB0000002B"), [Role.AUDITOR])
    for path in (f"/console/cases/{objects['case'].pk}/", f"/console/reviews/{objects['round'].pk}/"):
        assert console(supervisor).get(path).status_code == 200
        assert console(stranger).get(path).status_code == 404
    # Reading is not acting: the supervising auditor may not decide the subordinate's case.
    response = console(supervisor).post(f"/console/cases/{objects['case'].pk}/steps/decide/", {})
    assert response.status_code == 403


def test_anonymous_visitors_are_sent_to_the_login_page(objects, console):
    for path in ("/console/", f"/console/cases/{objects['case'].pk}/", f"/console/reviews/{objects['round'].pk}/"):
        response = console(None).get(path)
        assert response.status_code == 302 and response["Location"].startswith("/console/login/?next=")
    assert console(None).post(f"/console/reviews/{objects['round'].pk}/assign/").status_code == 302


# (console action, its form, the API endpoint of the same service, its JSON body)
ACTIONS = [
    ("/console/reviews/{round}/assign/", {}, "/api/v1/reviews/rounds/{round}/assign/", {"reviewer_id": "{me}"}),
    ("/console/reviews/{round}/checklist/", {"result-subject_lawful": "conforms"},
     "/api/v1/reviews/rounds/{round}/checklist/", {"items": [{"code": "subject_lawful", "result": "conforms"}]}),
    ("/console/reviews/{round}/outcome/", {"outcome": "approved"}, "/api/v1/reviews/rounds/{round}/outcome/",
     {"outcome": "approved"}),
    ("/console/notices/{notice}/publish/", {}, "/api/v1/disclosures/notices/{notice}/publish/", {}),
    ("/console/cases/{case}/steps/decide/", {}, "/api/v1/cases/{case}/decide/", {}),
    ("/console/admin/users/{account}/roles/", {"role": "legal_reviewer"},
     "/api/v1/accounts/users/{account}/roles/", {"role": "legal_reviewer"}),
    ("/console/admin/users/{account}/deactivate/", {"reason": "调离本机关"},
     "/api/v1/accounts/users/{account}/deactivate/", {"reason": "调离本机关"}),
]  # fmt: skip


def _answer(status: int) -> str:
    """What a status means for permissions: done or refused by a precondition (the console then redirects
    back to the page with the message), forbidden, or not found."""
    return {403: "forbidden", 404: "not found", 401: "anonymous", 302: "anonymous"}.get(status, "reached the rule")


@pytest.mark.parametrize(("page", "form", "api", "body"), ACTIONS)
def test_each_action_is_refused_or_let_through_as_the_api_does(request, page, form, api, body, objects, console,
                                                               reviewer_a):  # fmt: skip
    ids = {k: v.pk for k, v in objects.items()}
    if page.endswith(("checklist/", "outcome/")):  # the reviewer's own work: the round is assigned first
        review_services.review_assign(round_=objects["round"], reviewer=reviewer_a, actor=reviewer_a)
    answers = {}
    for role in ["officer_b", "auditor_a", "officer_a", "discloser_a", "head_a", "reviewer_a"]:
        user = request.getfixturevalue(role)
        got = console(user).post(page.format(**ids), form).status_code
        payload = {k: (str(user.pk) if v == "{me}" else v) for k, v in body.items()}
        expected = client_for(user).post(api.format(**ids), payload, format="json").status_code
        assert _answer(got) == _answer(expected), (role, page, got, expected)
        assert got in (303, 403, 404), got  # never a 500, never a page claiming success for a refusal
        answers[role] = _answer(got)
    assert answers["officer_b"] in ("not found", "forbidden")
    assert "reached the rule" in answers.values()  # someone may do it: the test is not all refusals


def test_an_unmet_precondition_is_shown_with_the_services_code(objects, console, head_a):
    client = console(head_a)
    response = client.post(f"/console/cases/{objects['case'].pk}/steps/decide/", {}, follow=True)
    assert response.status_code == 200
    body = response.content.decode()
    assert "legal_review_not_passed" in body or "legal_review_required" in body
