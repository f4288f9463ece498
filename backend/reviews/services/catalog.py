"""The 目录清单 (catalog of major decisions) and the checklist templates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max

from backend.accounts.models import Agency, Role, User
from backend.common.errors import ApplicationError, Forbidden, PreconditionFailed
from backend.ledger.services import AuditContext, audit_record
from backend.reviews import major
from backend.reviews.checklist import (
    ReviewKind,
    all_statutory_codes,
    statutory_checklist,
)
from backend.reviews.models import (
    CatalogRule,
    ChecklistTemplate,
    ChecklistTemplateItem,
    MajorCatalog,
    ReviewSettings,
)
from backend.reviews.services.common import (
    _ensure_agency,
    _ensure_role,
    _now,
    _today,
    review_settings_get,
)

# --------------------------------------------------------------------------- catalog


def _next_catalog_version(agency_id: int) -> int:
    return (MajorCatalog.objects.filter(agency_id=agency_id).aggregate(m=Max("version"))["m"] or 0) + 1


@transaction.atomic
def catalog_create(
    *,
    agency: Agency,
    actor: User,
    title: str,
    basis: str = "",
    note: str = "",
    copy_from: MajorCatalog | None = None,
    context: AuditContext | None = None,
) -> MajorCatalog:
    """A new draft version; ``copy_from`` copies another version's rules as the starting point."""
    _ensure_agency(actor, agency.pk)
    _ensure_role(actor, Role.LEGAL_REVIEWER, Role.AGENCY_HEAD, message="只有法制审核人员或机关负责人可以编制目录清单")
    if copy_from is not None and copy_from.agency_id != agency.pk:
        raise Forbidden("只能复制本机关的目录清单", code="not_same_agency")
    if MajorCatalog.objects.filter(agency=agency, status=MajorCatalog.Status.DRAFT).exists():
        raise PreconditionFailed("catalog_draft_exists", "已有未发布的目录清单草稿，请先发布或在草稿上修改")
    catalog = MajorCatalog(
        agency=agency,
        version=_next_catalog_version(agency.pk),
        title=title,
        basis=basis,
        note=note,
        created_by=actor,
    )
    catalog.full_clean()
    catalog.save()
    if copy_from is not None:
        CatalogRule.objects.bulk_create(
            CatalogRule(
                catalog=catalog,
                code=r.code,
                order=r.order,
                kind=r.kind,
                description=r.description,
                party_types=r.party_types,
                amount=r.amount,
                inclusive=r.inclusive,
                measures=r.measures,
                flag=r.flag,
                law_name=r.law_name,
            )
            for r in copy_from.rules.all()
        )
    audit_record(
        action="review.catalog_created",
        target=catalog,
        context=context,
        actor=actor,
        data={"version": catalog.version, "title": title, "copied_from": copy_from.version if copy_from else None},
    )
    return catalog


def _validate_rule(rule: CatalogRule) -> None:
    errors: dict[str, list[str]] = {}
    kind = rule.kind
    amount_kinds = (major.RuleKind.FINE_AMOUNT, major.RuleKind.CONFISCATION_AMOUNT)
    if kind in amount_kinds and (rule.amount is None or rule.amount <= 0):
        errors["amount"] = ["数额标准须为正数"]
    unknown = [m for m in major.normalise_measures(rule.measures) if m not in major.MEASURE_LABELS]
    if kind == major.RuleKind.MEASURE and not rule.measures:
        errors["measures"] = ["须列明处罚种类"]
    elif unknown:
        errors["measures"] = [f"未知的处罚种类：{'、'.join(unknown)}"]
    rule.measures = sorted(major.normalise_measures(rule.measures))
    if kind == major.RuleKind.FLAG and rule.flag not in major.FLAG_LABELS:
        errors["flag"] = [f"情形须为：{'、'.join(major.FLAG_LABELS)}"]
    if kind == major.RuleKind.NAMED_LAW and not rule.law_name.strip():
        errors["law_name"] = ["须填写法律、法规名称"]
    bad_party = [p for p in rule.party_types or [] if p not in major.PartyType.__members__.values()]
    if bad_party:
        errors["party_types"] = [f"未知的当事人类别：{'、'.join(bad_party)}"]
    if errors:
        raise ApplicationError("catalog_rule_invalid", "目录清单条目无效", status=422, fields=errors)


@transaction.atomic
def catalog_rule_add(
    *,
    catalog: MajorCatalog,
    actor: User,
    code: str,
    kind: str,
    description: str,
    order: int | None = None,
    party_types: Sequence[str] = (),
    amount: Decimal | None = None,
    inclusive: bool = True,
    measures: Sequence[str] = (),
    flag: str = "",
    law_name: str = "",
    context: AuditContext | None = None,
) -> CatalogRule:
    catalog = MajorCatalog.objects.select_for_update().get(pk=catalog.pk)
    _ensure_agency(actor, catalog.agency_id)
    _ensure_role(actor, Role.LEGAL_REVIEWER, Role.AGENCY_HEAD, message="只有法制审核人员或机关负责人可以编制目录清单")
    if catalog.status != MajorCatalog.Status.DRAFT:
        raise PreconditionFailed("catalog_published", "已发布的目录清单不能修改，请编制新版本")
    if catalog.rules.filter(code=code).exists():
        raise ApplicationError("catalog_rule_code_taken", "该编码已存在", status=409, fields={"code": ["编码重复"]})
    if order is None:
        order = (catalog.rules.aggregate(m=Max("order"))["m"] or 0) + 1
    rule = CatalogRule(
        catalog=catalog,
        code=code,
        order=order,
        kind=kind,
        description=description,
        party_types=sorted(set(party_types)),
        amount=amount,
        inclusive=inclusive,
        measures=list(measures),
        flag=flag,
        law_name=law_name,
    )
    _validate_rule(rule)
    rule.full_clean()
    rule.save()
    audit_record(
        action="review.catalog_rule_added",
        target=catalog,
        context=context,
        actor=actor,
        data={
            "code": code,
            "kind": kind,
            "description": description,
            "amount": str(amount) if amount is not None else None,
        },
    )
    return rule


@transaction.atomic
def catalog_rule_remove(*, rule: CatalogRule, actor: User, context: AuditContext | None = None) -> None:
    catalog = MajorCatalog.objects.select_for_update().get(pk=rule.catalog_id)
    _ensure_agency(actor, catalog.agency_id)
    _ensure_role(actor, Role.LEGAL_REVIEWER, Role.AGENCY_HEAD, message="只有法制审核人员或机关负责人可以编制目录清单")
    if catalog.status != MajorCatalog.Status.DRAFT:
        raise PreconditionFailed("catalog_published", "已发布的目录清单不能修改，请编制新版本")
    code = rule.code
    rule.delete()
    audit_record(
        action="review.catalog_rule_removed", target=catalog, context=context, actor=actor, data={"code": code}
    )


@transaction.atomic
def catalog_publish(
    *,
    catalog: MajorCatalog,
    actor: User,
    effective_from: dt.date | None = None,
    document_number: str = "",
    context: AuditContext | None = None,
) -> MajorCatalog:
    """Publish a draft (机关负责人). It applies from ``effective_from`` (never retroactively) to proposals
    evaluated from then on; decisions evaluated under an earlier version keep their stored reasons."""
    catalog = MajorCatalog.objects.select_for_update().get(pk=catalog.pk)
    _ensure_agency(actor, catalog.agency_id)
    _ensure_role(actor, Role.AGENCY_HEAD, message="目录清单须经机关负责人批准发布", code="head_required")
    if catalog.status != MajorCatalog.Status.DRAFT:
        raise PreconditionFailed("catalog_published", "该版本已发布")
    if not catalog.rules.exists():
        raise PreconditionFailed("catalog_empty", "目录清单没有任何条目")
    effective_from = effective_from or _today()
    if effective_from < _today():
        raise ApplicationError(
            "catalog_retroactive",
            "目录清单不能溯及既往：施行日期不得早于今天",
            status=422,
            fields={"effective_from": ["不得早于今天"]},
        )
    catalog.status = MajorCatalog.Status.PUBLISHED
    catalog.effective_from = effective_from
    catalog.document_number = document_number or catalog.document_number
    catalog.published_at = _now()
    catalog.published_by = actor
    catalog.save(
        update_fields=["status", "effective_from", "document_number", "published_at", "published_by", "updated_at"]
    )
    audit_record(
        action="review.catalog_published",
        target=catalog,
        context=context,
        actor=actor,
        data={
            "version": catalog.version,
            "effective_from": effective_from,
            "document_number": catalog.document_number,
            "rules": [r.as_spec().code for r in catalog.rules.all()],
        },
    )
    return catalog


# --------------------------------------------------------------------------- checklist templates


def checklist_statutory_template(*, kind: str, on: dt.date | None = None) -> ChecklistTemplate:
    """The database copy of the statutory checklist version in force (created on first use)."""
    definition = statutory_checklist(kind, on=on)
    template = ChecklistTemplate.objects.filter(kind=kind, agency__isnull=True, version=definition.version).first()
    if template is not None:
        return template
    try:
        with transaction.atomic():
            template = ChecklistTemplate.objects.create(
                kind=kind,
                agency=None,
                version=definition.version,
                effective_from=definition.effective_from,
                note="法定审核内容",
            )
            ChecklistTemplateItem.objects.bulk_create(
                ChecklistTemplateItem(
                    template=template,
                    code=item.code,
                    order=index,
                    title=item.title,
                    guidance=item.guidance,
                    source=item.source,
                    statutory=True,
                )
                for index, item in enumerate(definition.items, start=1)
            )
    except IntegrityError:  # a concurrent first use created it
        template = ChecklistTemplate.objects.get(kind=kind, agency__isnull=True, version=definition.version)
    return template


def checklist_agency_template(*, agency_id: int, kind: str, on: dt.date | None = None) -> ChecklistTemplate | None:
    on = on or _today()
    return (
        ChecklistTemplate.objects.filter(kind=kind, agency_id=agency_id, effective_from__lte=on)
        .order_by("-version")
        .first()
    )


@dataclass(frozen=True)
class EffectiveItem:
    code: str
    order: int
    title: str
    guidance: str
    source: str
    statutory: bool
    template_id: int
    template_version: int


def checklist_effective_items(*, agency_id: int, kind: str, on: dt.date | None = None) -> list[EffectiveItem]:
    """Statutory items in statutory order, then the agency's additional items in its order."""
    statutory = checklist_statutory_template(kind=kind, on=on)
    templates = [statutory]
    extra = checklist_agency_template(agency_id=agency_id, kind=kind, on=on)
    if extra is not None:
        templates.append(extra)
    items: list[EffectiveItem] = []
    for template in templates:
        for item in template.items.all():
            items.append(
                EffectiveItem(
                    item.code,
                    len(items) + 1,
                    item.title,
                    item.guidance,
                    item.source,
                    item.statutory,
                    template.pk,
                    template.version,
                )
            )
    return items


@transaction.atomic
def checklist_agency_items_set(
    *,
    agency: Agency,
    actor: User,
    kind: str,
    items: Sequence[dict[str, str]],
    effective_from: dt.date | None = None,
    note: str = "",
    context: AuditContext | None = None,
) -> ChecklistTemplate:
    """A new version of the agency's *additional* checklist items (the statutory ones always stay)."""
    _ensure_agency(actor, agency.pk)
    _ensure_role(actor, Role.AGENCY_HEAD, Role.LEGAL_REVIEWER, message="只有法制审核人员或机关负责人可以调整审核内容")
    ReviewKind(kind)
    statutory_codes = all_statutory_codes(kind)
    codes = [str(item.get("code", "")).strip() for item in items]
    errors: dict[str, list[str]] = {}
    clash = sorted(set(codes) & statutory_codes)
    if clash:
        errors["items"] = [f"不能以新增条目替换或删除法定审核内容：{'、'.join(clash)}"]
    if len(set(codes)) != len(codes) or any(not c for c in codes):
        errors.setdefault("items", []).append("条目编码须填写且不得重复")
    if any(not str(item.get("title", "")).strip() for item in items):
        errors.setdefault("items", []).append("条目须填写审核内容")
    if errors:
        raise ApplicationError("checklist_items_invalid", "审核内容条目无效", status=422, fields=errors)
    effective_from = effective_from or _today()
    version = (ChecklistTemplate.objects.filter(kind=kind, agency=agency).aggregate(m=Max("version"))["m"] or 0) + 1
    template = ChecklistTemplate.objects.create(
        kind=kind, agency=agency, version=version, effective_from=effective_from, note=note, created_by=actor
    )
    ChecklistTemplateItem.objects.bulk_create(
        ChecklistTemplateItem(
            template=template,
            code=code,
            order=index,
            title=str(item["title"]).strip(),
            guidance=str(item.get("guidance", "")),
            source=str(item.get("source", "")),
            statutory=False,
        )
        for index, (code, item) in enumerate(zip(codes, items, strict=True), start=1)
    )
    audit_record(
        action="review.checklist_template_changed",
        target=template,
        context=context,
        actor=actor,
        agency_id=agency.pk,
        data={"kind": kind, "version": version, "codes": codes},
    )
    return template


@transaction.atomic
def review_settings_update(
    *, agency: Agency, actor: User, values: dict[str, Any], context: AuditContext | None = None
) -> ReviewSettings:
    """The agency head sets the review parameters (时限、延期、集体讨论、文号代字; DOMAIN §10 item 3)."""
    _ensure_agency(actor, agency.pk)
    _ensure_role(actor, Role.AGENCY_HEAD, message="只有机关负责人可以修改法制审核参数", code="head_required")
    row = ReviewSettings.objects.select_for_update().get(pk=review_settings_get(agency_id=agency.pk).pk)
    before = {name: getattr(row, name) for name in values}
    for name, value in values.items():
        setattr(row, name, value)
    row.full_clean()
    row.save()
    audit_record(
        action="review.settings_changed",
        target=row,
        context=context,
        actor=actor,
        agency_id=agency.pk,
        data={"before": before, "after": values},
    )
    return row
