"""One source for each rule and one vocabulary for each concept (issue 15 items 2 and 3)."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest

from backend.cases.models import DecisionChange, DecisionCorrection, DecisionState, PenaltyKind, penalty_kind_label
from backend.cases.workflow import HANDLER, HEAD, REVIEW_SUBMITTABLE_STATUSES, REVIEWER, TRANSITIONS, counts_as
from backend.common import parties
from backend.common.remedies import chinese_number, period_words, remedies_clause
from backend.common.workdays import get_rule, workdays_of
from backend.disclosures.models import AgencyDisclosureProfile, WithdrawalKind
from backend.reviews.models import ReviewSettings

BACKEND = Path(__file__).resolve().parents[2] / "backend"


# --------------------------------------------------------------------------- rules


def _default(model, field: str):
    return model._meta.get_field(field).default


def test_an_agencys_disclosure_settings_default_to_the_statutory_rules():
    assert (
        _default(AgencyDisclosureProfile, "penalty_deadline_workdays")
        == get_rule("DISCLOSE_PENALTY_OR_LICENSE").length
        == 7
    )
    assert (
        _default(AgencyDisclosureProfile, "other_deadline_workdays") == get_rule("DISCLOSE_OTHER_DECISION").length == 20
    )
    assert _default(AgencyDisclosureProfile, "display_months_default") == 36  # SAMR_DISPLAY_LONG: 3 years
    assert _default(AgencyDisclosureProfile, "display_months_short") == 3  # SAMR_DISPLAY_SHORT: 3 months
    assert _default(AgencyDisclosureProfile, "correction_answer_workdays") == workdays_of("CORRECTION_ANSWER")


def test_an_agencys_review_limits_default_to_the_review_rules():
    assert _default(ReviewSettings, "legal_review_workdays") == workdays_of("LEGAL_REVIEW")
    assert _default(ReviewSettings, "case_review_workdays") == workdays_of("CASE_REVIEW")
    assert _default(ReviewSettings, "extension_workdays") == get_rule("LEGAL_REVIEW").extension


def test_a_rule_is_read_in_its_own_unit():
    assert get_rule("AV_UPLOAD").timedelta == dt.timedelta(hours=24)
    assert get_rule("SAMR_DISPLAY_LONG").months == 36
    with pytest.raises(ValueError, match="workdays"):
        workdays_of("PAYMENT")  # 15 calendar days, never read as working days
    with pytest.raises(ValueError):
        _ = get_rule("DISCLOSE_WITHDRAW").months


def test_no_app_module_restates_a_period_as_a_constant():
    """A module-level ``*_WORKDAYS`` / ``*_DEADLINE`` / ``*_HOURS`` number outside the rules table restates a rule."""
    offenders = []
    for path in BACKEND.rglob("*.py"):
        if "migrations" in path.parts or path.name in {"workdays.py", "workcalendar.py", "settings.py"}:
            continue
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            targets = (
                node.targets
                if isinstance(node, ast.Assign)
                else [node.target]
                if isinstance(node, ast.AnnAssign)
                else []
            )
            for target in targets:
                name = getattr(target, "id", "")
                if name.endswith(("_WORKDAYS", "_DEADLINE", "_HOURS")) and name != "DUE_SOON_WORKDAYS":
                    offenders.append(f"{path.relative_to(BACKEND)}: {name}")
    assert not offenders


def test_review_packages_are_submittable_from_the_workflows_entry_rows():
    assert TRANSITIONS["submit_review"].sources <= REVIEW_SUBMITTABLE_STATUSES
    assert TRANSITIONS["submit_post_hearing_review"].sources <= REVIEW_SUBMITTABLE_STATUSES
    from backend.reviews.services import common

    assert common.SUBMITTABLE_STATUSES is REVIEW_SUBMITTABLE_STATUSES


@pytest.mark.django_db
def test_who_counts_as_handler_head_and_reviewer(officer_a, head_a, reviewer_a, officer_a2):
    from factories import CaseFactory

    case = CaseFactory(agency=officer_a.agency, handling_officers=[officer_a])
    assert counts_as(actor=officer_a, case=case, who=HANDLER)
    assert not counts_as(actor=officer_a2, case=case, who=HANDLER)
    assert counts_as(actor=head_a, case=case, who=HANDLER)  # the head may act as a handler
    assert counts_as(actor=head_a, case=case, who=HEAD) and not counts_as(actor=officer_a, case=case, who=HEAD)
    assert counts_as(actor=reviewer_a, case=case, who=REVIEWER) and not counts_as(actor=head_a, case=case, who=REVIEWER)


# --------------------------------------------------------------------------- vocabularies


def test_the_remedies_clause_states_the_rules_periods():
    text = remedies_clause()
    assert f"{period_words(get_rule('ADMIN_REVIEW_WINDOW'))}内依法申请行政复议" in text
    assert f"{period_words(get_rule('LITIGATION_WINDOW'))}内依法向人民法院提起行政诉讼" in text
    expected = (
        "如不服本决定，可以自收到本决定书之日起六十日内依法申请行政复议，"
        "或者自收到本决定书之日起六个月内依法向人民法院提起行政诉讼。"
    )
    assert text == expected
    cited = remedies_clause(reconsideration_body="辽源市人民政府", cite_articles=True)
    assert "向辽源市人民政府申请行政复议" in cited and "第四十六条" in cited and "第七十三条" in cited
    assert [chinese_number(n) for n in (2, 10, 15, 60, 90)] == ["二", "十", "十五", "六十", "九十"]


def test_how_a_decision_changed_has_one_vocabulary():
    change = {c.value: str(c.label) for c in DecisionChange}
    assert {k: str(v) for k, v in WithdrawalKind.choices if k != "corrected"} == change
    assert {k: str(v) for k, v in DecisionCorrection.Kind.choices} == {k: v for k, v in change.items() if k != "remade"}
    assert {k: str(v) for k, v in DecisionState.choices if k != "effective"} == {
        k: f"已{v}" for k, v in change.items() if k != "remade"
    }


def test_penalty_kind_labels_come_from_the_enum():
    assert [penalty_kind_label(k) for k in PenaltyKind.values] == [str(label) for label in PenaltyKind.labels]
    assert penalty_kind_label("unknown_kind") == "unknown_kind"


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("natural_person", parties.PartyType.NATURAL_PERSON),
        ("自然人", parties.PartyType.NATURAL_PERSON),
        ("公民", parties.PartyType.NATURAL_PERSON),
        ("person", parties.PartyType.NATURAL_PERSON),
        ("个体工商户", parties.PartyType.SOLE_TRADER),
        ("法人及非法人组织", parties.PartyType.ORGANISATION),
        ("法人或者其他组织", parties.PartyType.ORGANISATION),
        ("Organization", parties.PartyType.ORGANISATION),
    ],
)
def test_party_type_words_map_to_the_one_enum(word, expected):
    from backend.redaction.fields import parse_party_type

    assert parties.party_type_from_text(word) is expected
    assert parse_party_type(word) is expected  # the redaction engine reads the same table


def test_an_unknown_party_type_word_is_refused():
    with pytest.raises(ValueError, match="法人代表"):
        parties.party_type_from_text("法人代表")
