"""The agency's disclosure profile (事前公开 texts and its disclosure settings): read and changed by the API
(``/api/v1/disclosures/profile/``) and the console's administration page through :func:`profile_update`.

The settings are bounded by the rules they configure: a penalty decision is published within 7 working days and
another decision within 20 (国办发〔2018〕118号 (六)) — an agency may set a shorter period, never a longer one; the
short display period is not longer than the default one (市场监督管理行政处罚信息公示规定 第十三条). A change applies
to the notices drafted after it; the due dates of notices already drafted stay as computed.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction

from backend.accounts.models import Agency, Role, User
from backend.common.errors import ApplicationError, Forbidden
from backend.disclosures.models import AgencyDisclosureProfile
from backend.ledger.services import AuditContext, audit_record

# What the API and the console may change (the redaction policy stays with the Django admin: it is a nested
# policy document, DOMAIN §6.5, not a form).
PROFILE_FIELDS = (
    "procedures", "remedies", "service_guide", "random_inspection_items", "supervision_contact",
    "penalty_deadline_workdays", "other_deadline_workdays", "due_soon_workdays", "publish_warning_only",
    "display_months_default", "display_months_short", "low_fine_threshold", "short_display_kinds",
    "correction_answer_workdays",
)  # fmt: skip

# 国办发〔2018〕118号 (六): the longest periods an agency may set.
PENALTY_DEADLINE_MAX = 7
OTHER_DEADLINE_MAX = 20


def profile_get(*, agency: Agency) -> AgencyDisclosureProfile:
    profile, _ = AgencyDisclosureProfile.objects.get_or_create(agency=agency)
    return profile


def _jsonable(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


@transaction.atomic
def profile_update(*, agency: Agency, actor: User, context: AuditContext, **changes: Any) -> AgencyDisclosureProfile:
    """Change the agency's profile (its head only); the old and new value of each changed field are audited."""
    if not actor.has_role(Role.AGENCY_HEAD) or actor.agency_id != agency.pk:
        raise Forbidden("只有本机关负责人可以修改公示设置", code="not_agency_head")
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise ApplicationError("profile_field_unknown", f"不能修改：{'、'.join(sorted(unknown))}", status=422)
    profile_get(agency=agency)
    profile = AgencyDisclosureProfile.objects.select_for_update().get(agency=agency)
    before = {name: getattr(profile, name) for name in changes}
    for name, value in changes.items():
        setattr(profile, name, value)
    problems: dict[str, list[str]] = {}
    if profile.penalty_deadline_workdays > PENALTY_DEADLINE_MAX:
        problems["penalty_deadline_workdays"] = [f"不得超过{PENALTY_DEADLINE_MAX}个工作日（国办发〔2018〕118号）"]
    if profile.other_deadline_workdays > OTHER_DEADLINE_MAX:
        problems["other_deadline_workdays"] = [f"不得超过{OTHER_DEADLINE_MAX}个工作日（国办发〔2018〕118号）"]
    if profile.due_soon_workdays >= profile.penalty_deadline_workdays:
        problems["due_soon_workdays"] = ["临期提醒应早于处罚决定公示期限"]
    if profile.display_months_short > profile.display_months_default:
        problems["display_months_short"] = ["短公示期不得长于公示期"]
    if problems:
        message = "；".join(
            f"{AgencyDisclosureProfile._meta.get_field(k).verbose_name}：{v[0]}" for k, v in problems.items()
        )
        raise ApplicationError("profile_invalid", message, status=422, fields=problems)
    changed = {name: value for name, value in changes.items() if before[name] != value}
    if not changed:
        return profile
    profile.full_clean()
    profile.save(update_fields=[*changed, "updated_at"])
    agency.__dict__.pop("_disclosure_profile_cache", None)  # services.profile_for's per-instance cache
    audit_record(
        action="disclosure.profile_updated", target=profile, context=context, actor=actor, agency_id=agency.pk,
        data={"changes": {name: {"from": _jsonable(before[name]), "to": _jsonable(value)}
                          for name, value in changed.items()}},
    )  # fmt: skip
    return profile
