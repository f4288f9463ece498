"""评议考核 in the console: the pages answer each role as the API does and show the figures and their records."""

from __future__ import annotations

import datetime as dt

import pytest
from support import client_for, make_agency, make_user

from backend.accounts.models import Role
from backend.cases.models import Case, CaseDeadline

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree(agency_a, officer_a):
    bureau = make_agency("辽源市司法局", "11220400MB0000010A")
    agency_a.parent = bureau
    agency_a.save()
    other = make_agency("梅河口市市场监督管理局", "11220581MB5550001C")
    supervisor = make_user("supervisor_c", bureau, [Role.SUPERVISOR], full_name="高秀兰")
    head_other = make_user("head_other", other, [Role.AGENCY_HEAD], full_name="韩冬")
    case = Case.objects.create(
        agency=agency_a, title="销售超过保质期的食品案", case_number="辽市监立字〔2026〕0301号",
        party_type="organisation",
        party_name="辽源市福源超市有限公司", procedure="general", status="closed", decision_outcome="penalty",
        decision_number="辽市监罚〔2026〕301号", decided_on=dt.date(2026, 4, 20), registered_on=dt.date(2026, 3, 1),
        decided_measures=[{"kind": "fine", "amount": "5000.00"}], facts="销售过期食品。", violation_type="销售过期食品",
    )  # fmt: skip
    CaseDeadline.objects.create(case=case, rule_code="DECISION", name="作出处罚决定", anchor_on=dt.date(2026, 3, 1),
                                due_on=dt.date(2026, 4, 15), state=CaseDeadline.State.MET,
                                met_on=dt.date(2026, 4, 20), met_late=True)  # fmt: skip
    return {"supervisor": supervisor, "head_other": head_other, "case": case}


def test_the_pages_answer_as_the_api_and_show_the_records(console, tree, agency_a, head_a, auditor_a, officer_a):
    pages = [
        ("/console/supervision/indicators/?year=2026", "/api/v1/supervision/indicators/?year=2026"),
        (f"/console/supervision/indicators/{agency_a.pk}/2026/decisions_on_time/",
         f"/api/v1/supervision/indicators/{agency_a.pk}/2026/decisions_on_time/"),
    ]  # fmt: skip
    for user in (tree["supervisor"], head_a, auditor_a, officer_a, tree["head_other"]):
        for page, api in pages:
            expected = client_for(user).get(api).status_code
            assert console(user).get(page).status_code == expected, (user.username, page, expected)
    ranking = console(tree["supervisor"]).get("/console/supervision/indicators/?year=2026").content.decode()
    assert agency_a.name in ranking and "梅河口市" not in ranking
    assert "0/1" in ranking  # the one decision of the year, made late
    detail = console(tree["supervisor"]).get(
        f"/console/supervision/indicators/{agency_a.pk}/2026/decisions_on_time/"
    ).content.decode()
    assert tree["case"].case_number in detail and "期限 2026-04-15，决定 2026-04-20" in detail
    assert console(tree["head_other"]).get(
        f"/console/supervision/indicators/{agency_a.pk}/2026/decisions_on_time/"
    ).status_code == 404
    assert console(tree["supervisor"]).get("/console/supervision/indicators/?year=1990").status_code == 400
