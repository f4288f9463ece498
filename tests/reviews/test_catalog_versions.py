"""The 目录清单 is versioned and effective-dated; published versions are frozen; decided cases keep their reasons."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from backend.cases.models import Case
from backend.common.errors import ApplicationError, Forbidden, PreconditionFailed
from backend.ledger.models import AuditEvent
from backend.reviews import selectors, services
from backend.reviews.models import MajorEvaluation


def _publish_v2(agency, reviewer, head, *, person_threshold: str, effective_from=None):
    current = selectors.catalog_current(agency=agency)
    draft = services.catalog_create(agency=agency, actor=reviewer, title="目录清单（修订）", copy_from=current)
    rule = draft.rules.get(code="fine_person")
    services.catalog_rule_remove(rule=rule, actor=reviewer)
    services.catalog_rule_add(
        catalog=draft,
        actor=reviewer,
        code="fine_person",
        kind="fine_amount",
        description="对自然人罚款五万元以上",
        party_types=["natural_person"],
        amount=Decimal(person_threshold),
        order=1,
    )
    return services.catalog_publish(catalog=draft, actor=head, effective_from=effective_from)


def test_it_publishes_and_serves_the_current_catalog_for_disclosure(catalog_a, agency_a, agency_b) -> None:
    current = selectors.catalog_current(agency=agency_a)
    assert current == catalog_a
    assert [r.code for r in current.rules.all()][:2] == ["fine_person", "fine_org"]
    assert selectors.catalog_current(agency=agency_b) is None
    assert AuditEvent.objects.filter(action="review.catalog_published").count() == 1


def test_a_published_catalog_cannot_be_edited(catalog_a, reviewer_a) -> None:
    with pytest.raises(PreconditionFailed) as exc:
        services.catalog_rule_add(catalog=catalog_a, actor=reviewer_a, code="x", kind="hearing_held", description="x")
    assert exc.value.code == "catalog_published"


def test_only_the_head_publishes_and_never_retroactively(agency_a, reviewer_a, head_a) -> None:
    draft = services.catalog_create(agency=agency_a, actor=reviewer_a, title="目录清单")
    services.catalog_rule_add(catalog=draft, actor=reviewer_a, code="h", kind="hearing_held", description="经过听证")
    with pytest.raises(Forbidden):
        services.catalog_publish(catalog=draft, actor=reviewer_a)
    with pytest.raises(ApplicationError) as exc:
        services.catalog_publish(
            catalog=draft, actor=head_a, effective_from=timezone.localdate() - datetime.timedelta(days=1)
        )
    assert exc.value.code == "catalog_retroactive"


def test_invalid_rules_are_refused(agency_a, reviewer_a) -> None:
    draft = services.catalog_create(agency=agency_a, actor=reviewer_a, title="目录清单")
    with pytest.raises(ApplicationError) as exc:
        services.catalog_rule_add(catalog=draft, actor=reviewer_a, code="f", kind="fine_amount", description="罚款")
    assert exc.value.code == "catalog_rule_invalid"
    with pytest.raises(ApplicationError):
        services.catalog_rule_add(
            catalog=draft, actor=reviewer_a, code="m", kind="measure", description="x", measures=["not_a_measure"]
        )


def test_a_future_version_applies_only_from_its_date(catalog_a, agency_a, reviewer_a, head_a) -> None:
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    v2 = _publish_v2(agency_a, reviewer_a, head_a, person_threshold="50000", effective_from=tomorrow)
    assert selectors.catalog_current(agency=agency_a) == catalog_a
    assert selectors.catalog_for_date(agency_id=agency_a.pk, on=tomorrow) == v2


def test_catalog_changes_do_not_affect_decided_cases(catalog_a, agency_a, reviewer_a, head_a, make_case) -> None:
    decided = make_case(party_type="natural_person", party_name="王某", fine="20000.00", status=Case.Status.PROPOSED)
    reasons = services.review_major_evaluate(case=decided)
    assert any("一万元以上" in r or "10,000" in r for r in reasons)
    Case.objects.filter(pk=decided.pk).update(
        status=Case.Status.DECIDED, is_major=True, major_reasons=reasons, decided_measures=decided.proposed_measures
    )
    decided.refresh_from_db()

    _publish_v2(agency_a, reviewer_a, head_a, person_threshold="50000")

    # The decided case keeps the reasons and the catalog version it was evaluated under …
    assert services.review_major_evaluate(case=decided) == reasons
    requirement = services.review_requirement(case=decided)
    assert requirement.is_major and requirement.kind == "legal_review"
    evaluation = MajorEvaluation.objects.get(case=decided)
    assert evaluation.catalog_version == 1 and evaluation.is_major
    # … while an open case with the same fine is evaluated under version 2 and is not major.
    open_case = make_case(party_type="natural_person", party_name="李某", fine="20000.00", status=Case.Status.PROPOSED)
    assert services.review_major_evaluate(case=open_case) == []
    assert MajorEvaluation.objects.get(case=open_case).catalog_version == 2


def test_catalog_api_lifecycle(as_user, reviewer_a, head_a, officer_a, officer_b) -> None:
    reviewer, head = as_user(reviewer_a), as_user(head_a)
    assert reviewer.get("/api/v1/reviews/catalogs/current/").json()["code"] == "catalog_not_published"
    created = reviewer.post("/api/v1/reviews/catalogs/", {"title": "目录清单"}, format="json")
    assert created.status_code == 201, created.json()
    catalog_id = created.json()["id"]
    rule = reviewer.post(
        f"/api/v1/reviews/catalogs/{catalog_id}/rules/",
        {
            "code": "fine_person",
            "kind": "fine_amount",
            "description": "对公民罚款一万元以上",
            "party_types": ["natural_person"],
            "amount": "10000",
        },
        format="json",
    )
    assert rule.status_code == 201, rule.json()
    assert (
        as_user(officer_a)
        .post(
            f"/api/v1/reviews/catalogs/{catalog_id}/rules/",
            {"code": "x", "kind": "hearing_held", "description": "x"},
            format="json",
        )
        .status_code
        == 403
    )
    assert reviewer.post(f"/api/v1/reviews/catalogs/{catalog_id}/publish/", {}, format="json").status_code == 403
    published = head.post(
        f"/api/v1/reviews/catalogs/{catalog_id}/publish/", {"document_number": "辽市监〔2026〕1号"}, format="json"
    )
    assert published.status_code == 200, published.json()
    assert published.json()["status"] == "published"
    current = as_user(officer_a).get("/api/v1/reviews/catalogs/current/").json()
    assert current["version"] == 1 and current["rules"][0]["amount"] == "10000.00"
    assert as_user(officer_b).get(f"/api/v1/reviews/catalogs/{catalog_id}/").status_code == 404


def test_a_sole_trader_case_meets_the_citizen_threshold_of_the_catalog(catalog_a, make_case) -> None:
    """长治 (DOMAIN §7): fines over 10,000 for 自然人/个体户, over 100,000 for 法人: a 个体工商户 fined 20,000
    needs legal review, an organisation fined the same does not."""
    sole_trader = make_case(
        party_type="sole_trader", party_name="辽源市龙山区张记小吃店", party_legal_rep="张建国", fine="20000.00",
        status=Case.Status.PROPOSED,
    )
    assert services.review_requirement(case=sole_trader).is_major
    organisation = make_case(fine="20000.00", status=Case.Status.PROPOSED)
    assert not services.review_requirement(case=organisation).is_major
