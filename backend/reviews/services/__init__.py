"""Writes of the reviews app: catalog, major-decision evaluation, the decision gate, review rounds.

Hooks the cases app calls (CONTRACTS.md), keyword-only, importable as ``backend.reviews.services.<name>``:

* :func:`review_major_evaluate` — reasons the proposed decision is major (empty: not major);
* :func:`review_ensure_passed` — raises ``PreconditionFailed`` (``legal_review_required`` /
  ``legal_review_not_passed`` / ``case_review_required``) unless a passed round covers the current proposal;
* :func:`review_ensure_collective_discussion` — raises ``collective_discussion_required`` before 决定 when
  行政处罚法 第五十七条第二款 (or the agency's rule for major cases) requires a 集体讨论 record;
* :func:`review_decision_reference` — the passed round (id, 审核意见书文号) the head's decision cites.

Every state-changing service writes its audit event (``review.*``, with ``case_id``) in its transaction.
Modules: :mod:`.common` (helpers, the proposal), :mod:`.catalog` (目录清单, checklist templates),
:mod:`.evaluation` (flags, major test, gate), the review rounds — :mod:`.rounds` (submission, withdrawal),
:mod:`.assignment`, :mod:`.checklist_fill`, :mod:`.outcome`, :mod:`.supplements`, :mod:`.extensions`,
:mod:`.disputes` —, :mod:`.collective`,
:mod:`.reminders` (T-3 / T-1 reminders and the overdue flag of the review time limit).
"""

from backend.reviews.services.assignment import review_assign, review_recusal_record
from backend.reviews.services.catalog import (
    EffectiveItem,
    catalog_create,
    catalog_publish,
    catalog_rule_add,
    catalog_rule_remove,
    checklist_agency_items_set,
    checklist_agency_template,
    checklist_effective_items,
    checklist_statutory_template,
    review_settings_update,
)
from backend.reviews.services.checklist_fill import review_checklist_fill, review_prechecks_refresh
from backend.reviews.services.collective import collective_discussion_record
from backend.reviews.services.common import (
    canonical_sha256,
    proposal_fingerprint,
    proposal_fingerprint_data,
    proposal_from_case,
    review_settings_get,
)
from backend.reviews.services.disputes import review_dispute_raise, review_dispute_resolve
from backend.reviews.services.evaluation import (
    Evaluation,
    ReviewRequirement,
    evaluate_case,
    reason_string,
    review_decision_reference,
    review_ensure_collective_discussion,
    review_ensure_passed,
    review_flags_set,
    review_major_evaluate,
    review_passed_round,
    review_requirement,
)
from backend.reviews.services.extensions import (
    review_extension_decide,
    review_extension_grant,
    review_extension_request,
)
from backend.reviews.services.outcome import CORRECTION_ASPECTS, opinion_payload, review_complete
from backend.reviews.services.reminders import review_deadline_reminders
from backend.reviews.services.rounds import review_submit, review_withdraw
from backend.reviews.services.supplements import review_supplement_request, review_supplement_resolve

__all__ = [
    "CORRECTION_ASPECTS",
    "EffectiveItem",
    "Evaluation",
    "ReviewRequirement",
    "canonical_sha256",
    "catalog_create",
    "catalog_publish",
    "catalog_rule_add",
    "catalog_rule_remove",
    "checklist_agency_items_set",
    "checklist_agency_template",
    "checklist_effective_items",
    "checklist_statutory_template",
    "collective_discussion_record",
    "evaluate_case",
    "opinion_payload",
    "proposal_fingerprint",
    "proposal_fingerprint_data",
    "proposal_from_case",
    "reason_string",
    "review_assign",
    "review_checklist_fill",
    "review_complete",
    "review_deadline_reminders",
    "review_decision_reference",
    "review_dispute_raise",
    "review_dispute_resolve",
    "review_ensure_collective_discussion",
    "review_ensure_passed",
    "review_extension_decide",
    "review_extension_grant",
    "review_extension_request",
    "review_flags_set",
    "review_major_evaluate",
    "review_passed_round",
    "review_prechecks_refresh",
    "review_recusal_record",
    "review_requirement",
    "review_settings_get",
    "review_settings_update",
    "review_submit",
    "review_supplement_request",
    "review_supplement_resolve",
    "review_withdraw",
]
