"""The statutory checklist: in order, stable codes, versioned; agencies add items, never remove statutory ones."""

from __future__ import annotations

import pytest

from backend.common.errors import ApplicationError
from backend.reviews import services
from backend.reviews.checklist import LEGAL_REVIEW_V1

STATUTORY_ORDER = [
    "subject_lawful",
    "officer_qualified",
    "procedure_lawful",
    "facts_evidence",
    "law_application",
    "discretion",
    "within_authority",
    "documents_complete",
    "crime_transfer",
    "jurisdiction",
    "party_info",
    "characterization",
    "party_rights",
    "outcome_appropriate",
    "other",
]


def test_the_statutory_items_keep_their_order_and_codes() -> None:
    assert LEGAL_REVIEW_V1.codes() == STATUTORY_ORDER
    titles = [item.title for item in LEGAL_REVIEW_V1.items[:9]]
    assert titles == [
        "执法主体是否合法",
        "执法人员是否具备执法资格",
        "执法程序是否合法",
        "案件事实是否清楚、证据是否合法充分",
        "适用法律、法规、规章是否准确",
        "裁量基准运用是否适当",
        "执法是否超越执法机关法定权限",
        "执法文书是否完备、规范",
        "违法行为是否涉嫌犯罪、需要移送司法机关",
    ]


def test_agency_items_come_after_the_statutory_ones(agency_a, head_a, as_user, officer_a) -> None:
    services.checklist_agency_items_set(
        agency=agency_a,
        actor=head_a,
        kind="legal_review",
        items=[
            {"code": "safety_risk", "title": "是否评估社会稳定风险"},
        ],
    )
    response = as_user(officer_a).get("/api/v1/reviews/checklist/?kind=legal_review")
    items = response.json()["items"]
    assert [i["code"] for i in items] == [*STATUTORY_ORDER, "safety_risk"]
    assert [i["order"] for i in items] == list(range(1, len(items) + 1))
    assert items[0]["statutory"] and not items[-1]["statutory"]


def test_an_agency_cannot_replace_or_remove_a_statutory_item(agency_a, head_a) -> None:
    with pytest.raises(ApplicationError) as exc:
        services.checklist_agency_items_set(
            agency=agency_a, actor=head_a, kind="legal_review", items=[{"code": "discretion", "title": "裁量"}]
        )
    assert exc.value.code == "checklist_items_invalid"
    # A new agency version with no items simply drops the agency's additions; the statute stays.
    services.checklist_agency_items_set(agency=agency_a, actor=head_a, kind="legal_review", items=[])
    codes = [i.code for i in services.checklist_effective_items(agency_id=agency_a.pk, kind="legal_review")]
    assert codes == STATUTORY_ORDER


def test_a_round_freezes_the_items_it_was_submitted_with(
    catalog_a, agency_a, head_a, make_case, officer_a, submit
) -> None:
    round_ = submit(make_case(fine="150000.00"), officer_a)
    services.checklist_agency_items_set(
        agency=agency_a, actor=head_a, kind="legal_review", items=[{"code": "later", "title": "后加条目"}]
    )
    assert [e.code for e in round_.checklist.all()] == STATUTORY_ORDER
