"""The major-decision test (pure): thresholds, measures, hearing, handler flags, named law, statute."""

from __future__ import annotations

from decimal import Decimal

import pytest

from backend.reviews.major import (
    MEASURE_LABELS,
    Flag,
    Measure,
    ProposedDecision,
    RuleSpec,
    evaluate_major,
    normalise_measures,
)

FINE_PERSON = RuleSpec(
    code="fine_person",
    kind="fine_amount",
    party_types=frozenset({"natural_person", "sole_trader"}),
    amount=Decimal("10000"),
    inclusive=True,
    description="对自然人罚款一万元以上",
    order=1,
)
FINE_ORG = RuleSpec(
    code="fine_org",
    kind="fine_amount",
    party_types=frozenset({"organisation"}),
    amount=Decimal("100000"),
    inclusive=False,
    description="对组织罚款超过十万元",
    order=2,
)
CONFISCATION = RuleSpec(code="confiscation", kind="confiscation_amount", amount=Decimal("50000"), order=3)
MEASURES = RuleSpec(
    code="measures",
    kind="measure",
    order=4,
    measures=frozenset(
        {Measure.SUSPEND_BUSINESS, Measure.CLOSE, Measure.RESTRICT_PRACTICE, Measure.DOWNGRADE, Measure.REVOKE_LICENCE}
    ),
)
HEARING = RuleSpec(code="hearing", kind="hearing_held", order=5)
DISCRETION = RuleSpec(code="discretion", kind="flag", flag=Flag.DISCRETION_DEVIATION, order=6)
FOOD_LAW = RuleSpec(code="food_law", kind="named_law", law_name="《中华人民共和国食品安全法》", order=7)
RULES = [FINE_PERSON, FINE_ORG, CONFISCATION, MEASURES, HEARING, DISCRETION, FOOD_LAW]


def codes(proposal: ProposedDecision, rules=RULES) -> list[str]:
    return [r.code for r in evaluate_major(proposal=proposal, rules=rules)]


@pytest.mark.parametrize(
    ("party", "amount", "expected"),
    [
        ("natural_person", "9999.99", []),  # just below "一万元以上"
        ("natural_person", "10000.00", ["catalog.fine_person"]),  # at: 以上 includes the amount
        ("sole_trader", "10000", ["catalog.fine_person"]),
        ("organisation", "10000", []),  # the person threshold does not apply to organisations
        ("organisation", "99999.99", []),
        ("organisation", "100000.00", []),  # at: "超过" excludes the amount itself
        ("organisation", "100000.01", ["catalog.fine_org"]),  # just above
    ],
)
def test_fine_thresholds_just_below_at_and_above(party: str, amount: str, expected: list[str]) -> None:
    assert codes(ProposedDecision(party_type=party, fine_amount=Decimal(amount))) == expected


def test_an_inclusive_organisation_threshold_is_met_at_the_amount() -> None:
    inclusive = RuleSpec(
        code="fine_org_incl",
        kind="fine_amount",
        party_types=frozenset({"organisation"}),
        amount=Decimal("50000"),
        inclusive=True,
    )
    below = ProposedDecision(party_type="organisation", fine_amount=Decimal("49999.99"))
    at = ProposedDecision(party_type="organisation", fine_amount=Decimal("50000"))
    assert codes(below, [inclusive]) == []
    assert codes(at, [inclusive]) == ["catalog.fine_org_incl"]


def test_confiscation_threshold_just_below_and_at() -> None:
    assert codes(ProposedDecision(confiscation_amount=Decimal("49999.99"))) == []
    assert codes(ProposedDecision(confiscation_amount=Decimal("50000"))) == ["catalog.confiscation"]


@pytest.mark.parametrize("measure", sorted(MEASURES.measures))
def test_each_listed_measure_makes_the_decision_major(measure: str) -> None:
    reasons = evaluate_major(proposal=ProposedDecision(measures=frozenset({measure})), rules=RULES)
    assert [r.code for r in reasons] == ["catalog.measures"]
    assert MEASURE_LABELS[measure] in reasons[0].text


@pytest.mark.parametrize("measure", [Measure.WARNING, Measure.CRITICISM, Measure.FINE, Measure.SUSPEND_LICENCE])
def test_measures_not_in_the_catalog_do_not(measure: str) -> None:
    assert codes(ProposedDecision(measures=frozenset({measure}))) == []


def test_measures_given_as_chinese_labels_or_case_dicts_are_understood() -> None:
    assert normalise_measures(["吊销许可证件", {"kind": "close"}, "责令停产停业"]) == {
        Measure.REVOKE_LICENCE,
        Measure.CLOSE,
        Measure.SUSPEND_BUSINESS,
    }


def test_hearing_held_is_major_by_statute_and_by_the_catalog() -> None:
    result = codes(ProposedDecision(hearing_held=True))
    assert result == ["statutory.hearing_held", "catalog.hearing"]


def test_hearing_held_is_major_even_with_no_catalog() -> None:
    assert codes(ProposedDecision(hearing_held=True), []) == ["statutory.hearing_held"]


@pytest.mark.parametrize(
    ("flag", "code"),
    [
        (Flag.PUBLIC_INTEREST, "statutory.public_interest"),
        (Flag.COMPLEX, "statutory.complex"),
        (Flag.LAW_REQUIRES, "statutory.law_requires"),
        (Flag.SOCIAL_RISK, "statutory.social_risk"),
        (Flag.DISCRETION_DEVIATION, "catalog.discretion"),
    ],
)
def test_each_handler_flag(flag: str, code: str) -> None:
    assert codes(ProposedDecision(flags=frozenset({flag}))) == [code]


def test_the_law_requires_flag_carries_its_citation() -> None:
    proposal = ProposedDecision(
        flags=frozenset({Flag.LAW_REQUIRES}), flag_notes={Flag.LAW_REQUIRES: "《某条例》第二十条"}
    )
    (reason,) = evaluate_major(proposal=proposal)
    assert "《某条例》第二十条" in reason.text
    assert "第五十八条第一款第四项" in reason.source


def test_named_law_matches_the_legal_basis() -> None:
    cites = ProposedDecision(legal_basis=("中华人民共和国食品安全法 第一百二十四条",))
    other = ProposedDecision(legal_basis=("中华人民共和国广告法 第五十五条",))
    assert codes(cites) == ["catalog.food_law"]
    assert codes(other) == []


def test_a_small_fine_against_an_organisation_is_not_major() -> None:
    assert (
        evaluate_major(proposal=ProposedDecision(party_type="organisation", fine_amount=Decimal("5000")), rules=RULES)
        == []
    )


def test_several_reasons_are_all_listed_statute_first_then_catalog_order() -> None:
    proposal = ProposedDecision(
        party_type="natural_person",
        fine_amount=Decimal("20000"),
        measures=frozenset({Measure.REVOKE_LICENCE}),
        hearing_held=True,
        flags=frozenset({Flag.PUBLIC_INTEREST}),
    )
    assert codes(proposal) == [
        "statutory.public_interest",
        "statutory.hearing_held",
        "catalog.fine_person",
        "catalog.measures",
        "catalog.hearing",
    ]
