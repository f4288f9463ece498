"""案卷评查: versioned evaluation standards, reproducible stratified samples of closed cases, per-item evaluations."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from backend.accounts.models import Agency, Role, User
from backend.common.errors import ApplicationError, Forbidden, NotFound, PreconditionFailed
from backend.ledger.services import AuditContext, audit_record
from backend.supervision.services.common import (
    ensure_supervises,
    supervising_body,
)

# --------------------------------------------------------------------------- 案卷评查

SAMPLE_STRATA = ("category", "procedure", "decision_outcome")
CLOSED_STATUSES = ("closed", "archived")


@transaction.atomic
def standard_create(*, actor: User, context: AuditContext, title: str, items: list[dict[str, Any]]) -> Any:
    """A new version of the body's 案卷评查标准 (earlier versions stay as they were: evaluations cite theirs)."""
    from backend.supervision.models import EvaluationStandard

    if not actor.has_role(Role.SUPERVISOR):
        raise Forbidden("仅执法监督人员可以制定评查标准", code="supervisor_required")
    codes = [i["code"] for i in items]
    if len(set(codes)) != len(codes):
        raise ApplicationError("duplicate_item", "评查项目代码重复", status=422, fields={"items": ["代码重复"]})
    body = supervising_body(actor)
    Agency.objects.select_for_update().get(pk=body.pk)  # one version number at a time
    last = EvaluationStandard.objects.filter(issuing_agency=body).order_by("-version").first()
    standard = EvaluationStandard.objects.create(
        issuing_agency=body,
        version=(last.version + 1) if last else 1,
        title=title,
        items=[{"code": i["code"], "label": i["label"], "max_score": int(i["max_score"])} for i in items],
        created_by=actor,
    )
    audit_record(
        action="supervision.standard.created",
        target=standard,
        context=context,
        actor=actor,
        data={"version": standard.version, "title": title, "items": standard.items},
    )
    return standard


def draw_sample(
    population: list[dict[str, Any]], *, size: int, stratify_by: list[str], seed: str
) -> tuple[list[str], dict[str, dict[str, int]]]:
    """Pure: draw ``size`` case ids from ``population`` (dicts with ``id`` and the strata fields).

    Strata get a share proportional to their size (largest remainder; ties by stratum key), each stratum is
    drawn with ``random.Random(seed + key)`` over its ids sorted, so the draw depends only on the seed and
    the population."""
    import random

    strata: dict[str, list[str]] = {}
    for row in sorted(population, key=lambda r: r["id"]):
        key = "|".join(str(row[f]) for f in stratify_by) or "all"
        strata.setdefault(key, []).append(row["id"])
    total = len(population)
    size = min(size, total)
    quotas = {k: size * len(v) / total for k, v in strata.items()} if total else {}
    counts = {k: int(q) for k, q in quotas.items()}
    rest = size - sum(counts.values())
    for key in sorted(quotas, key=lambda k: (-(quotas[k] - counts[k]), k))[:rest]:
        counts[key] += 1
    drawn: list[str] = []
    report = {}
    for key in sorted(strata):
        picked = random.Random(f"{seed}:{key}").sample(strata[key], counts[key])
        drawn.extend(sorted(picked))
        report[key] = {"population": len(strata[key]), "drawn": counts[key]}
    return drawn, report


@transaction.atomic
def sample_draw(
    *,
    actor: User,
    context: AuditContext,
    agency: Agency,
    year: int,
    size: int,
    stratify_by: list[str],
    seed: str = "",
) -> Any:
    """A supervisor samples an agency's cases closed (decided) in ``year``; the seed is recorded (a new random one
    when not given) so anyone can replay the draw."""
    import secrets

    from backend.cases.models import Case
    from backend.supervision.models import CaseSample

    ensure_supervises(actor, agency.pk)
    if any(f not in SAMPLE_STRATA for f in stratify_by):
        raise ApplicationError(
            "invalid_strata",
            "分层字段须为：category、procedure、decision_outcome",
            status=422,
            fields={"stratify_by": list(SAMPLE_STRATA)},
        )
    seed = seed or secrets.token_hex(8)
    rows = [
        {**row, "id": str(row["id"])}
        for row in Case.objects.filter(agency=agency, status__in=CLOSED_STATUSES, decided_on__year=year).values(
            "id", *SAMPLE_STRATA
        )
    ]
    if not rows:
        raise PreconditionFailed("no_closed_cases", f"该机关{year}年没有已结案件可供抽取")
    drawn, strata = draw_sample(rows, size=size, stratify_by=stratify_by, seed=seed)
    sample = CaseSample.objects.create(
        issuing_agency=supervising_body(actor),
        agency=agency,
        year=year,
        seed=seed,
        size=len(drawn),
        stratify_by=stratify_by,
        population=sorted(r["id"] for r in rows),
        case_ids=drawn,
        strata=strata,
        drawn_by=actor,
    )
    audit_record(
        action="supervision.sample.drawn",
        target=sample,
        context=context,
        actor=actor,
        agency_id=agency.pk,
        data={
            "year": year,
            "seed": seed,
            "stratify_by": stratify_by,
            "population": len(rows),
            "case_ids": drawn,
            "strata": strata,
        },
    )
    return sample


@transaction.atomic
def evaluation_submit(
    *, actor: User, context: AuditContext, sample: Any, case_id: Any, standard: Any, items: list[dict[str, Any]]
) -> Any:
    """An evaluator scores a sampled case against a standard version, item by item, with a finding for each
    item below full marks; the automatic checks are recorded with it."""
    from backend.cases.models import Case
    from backend.supervision.models import CaseEvaluation
    from backend.supervision.selectors import automatic_checks

    ensure_supervises(actor, sample.agency_id)
    if str(case_id) not in sample.case_ids:
        raise NotFound("案件不在本次抽样中", code="case_not_in_sample")
    case = Case.objects.get(pk=case_id)
    given = {i["code"]: i for i in items}
    if set(given) != {i["code"] for i in standard.items}:
        raise ApplicationError(
            "items_mismatch",
            "须对评查标准的每一项评分",
            status=422,
            extra={"expected": [i["code"] for i in standard.items]},
        )
    scored = []
    for item in standard.items:
        entry = given[item["code"]]
        if not 0 <= entry["score"] <= item["max_score"]:
            raise ApplicationError(
                "invalid_score",
                f"“{item['label']}”得分须在 0 至 {item['max_score']} 之间",
                status=422,
                extra={"code": item["code"]},
            )
        if entry["score"] < item["max_score"] and not entry.get("finding"):
            raise ApplicationError(
                "finding_required", f"“{item['label']}”扣分须写明问题", status=422, extra={"code": item["code"]}
            )
        scored.append({**item, "score": str(entry["score"]), "finding": entry.get("finding", "")})
    if CaseEvaluation.objects.filter(sample=sample, case=case, evaluator=actor).exists():
        raise PreconditionFailed("already_evaluated", "您已评查过该案卷")
    evaluation = CaseEvaluation.objects.create(
        sample=sample,
        case=case,
        standard=standard,
        evaluator=actor,
        items=scored,
        total=sum(given[i["code"]]["score"] for i in standard.items),
        max_total=sum(i["max_score"] for i in standard.items),
        checks=automatic_checks(case=case),
    )
    audit_record(
        action="supervision.evaluation.submitted",
        target=evaluation,
        context=context,
        actor=actor,
        case_id=case.pk,
        agency_id=sample.agency_id,
        data={
            "sample_id": str(sample.pk),
            "standard_version": standard.version,
            "items": scored,
            "total": evaluation.total,
        },
    )
    return evaluation
