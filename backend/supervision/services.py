"""Writes of the supervision app: one service per transition, each locked, checked and audited in the same
transaction (backend/ledger/services.audit_record). Reads are in :mod:`backend.supervision.selectors`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from backend.accounts.models import Agency, Role, User
from backend.cases.models import DecisionCorrection
from backend.common.errors import ApplicationError, Forbidden, NotFound, PreconditionFailed
from backend.ledger.services import AuditContext, audit_record
from backend.supervision.models import (
    CorrectionOrder,
    FaultCase,
    OrderCounter,
    ProcuratorGrant,
    ProcuratorialSuggestion,
)
from backend.supervision.reminders import order_escalated_notify
from backend.supervision.selectors import responsible_chain, supervised_agency_ids

OS = CorrectionOrder.Status
F = FaultCase.Status

# 撤销、确认违法、确认无效 of a decision mean it was wrong: whoever made it answers for it (过错追究). A 变更
# (changed penalty) alone opens nothing; a supervisor may still open a fault case by hand.
FAULT_TRIGGER_KINDS = frozenset({
    DecisionCorrection.Kind.REVOKED, DecisionCorrection.Kind.CONFIRMED_ILLEGAL, DecisionCorrection.Kind.CONFIRMED_VOID,
})


def _now(now: dt.datetime | None) -> tuple[dt.datetime, dt.date]:
    now = now or timezone.now()
    return now, timezone.localdate(now)


def _ensure_transition(model: Any, current: str, target: str, label: str) -> None:
    if target not in model.TRANSITIONS[current]:
        raise PreconditionFailed(
            "transition_not_allowed",
            f"{label}当前状态为“{model.Status(current).label}”，不能办理此操作",
            extra={"status": current},
        )


def _ensure_supervises(actor: User, agency_id: int) -> None:
    """Only a supervisor of a body above the agency acts on it (吉林省行政执法监督条例: 上级对下级)."""
    if not actor.has_role(Role.SUPERVISOR):
        raise Forbidden("仅执法监督人员可以办理", code="supervisor_required")
    if agency_id not in supervised_agency_ids(actor):
        raise NotFound("执法主体不存在", code="agency_not_found")


def _supervising_body(actor: User) -> Agency:
    """The supervising body a supervisor acts for (its own agency: a supervisor without one supervises none)."""
    if not actor.has_role(Role.SUPERVISOR) or actor.agency is None:
        raise Forbidden("仅执法监督人员可以办理", code="supervisor_required")
    return actor.agency


def _ensure_head_of(actor: User, agency_id: int) -> None:
    if not (actor.has_role(Role.AGENCY_HEAD) and actor.agency_id == agency_id):
        raise Forbidden("仅被监督机关的负责人可以答复", code="agency_head_required")


# --------------------------------------------------------------------------- 责令纠正 / 执法监督意见书


def _next_order_number(agency: Agency, year: int, kind: str) -> str:
    counter, _ = OrderCounter.objects.select_for_update().get_or_create(agency=agency, year=year)
    counter.last_value += 1
    counter.save(update_fields=["last_value"])
    word = "纠" if kind == CorrectionOrder.Kind.CORRECTION else "监"
    return f"{agency.name}执法监督{word}〔{year}〕{counter.last_value}号"


@transaction.atomic
def order_issue(
    *,
    actor: User,
    context: AuditContext,
    agency: Agency,
    kind: str,
    subject: str,
    findings: str,
    requirement: str,
    deadline: dt.date,
    legal_basis: str = "",
    case: Any = None,
    now: dt.datetime | None = None,
) -> CorrectionOrder:
    """A supervisor orders a supervised agency to correct a case or a practice by ``deadline``."""
    now, today = _now(now)
    _ensure_supervises(actor, agency.pk)
    if case is not None and case.agency_id != agency.pk:
        raise NotFound("案件不存在", code="case_not_found")
    if deadline <= today:
        raise ApplicationError(
            "invalid_deadline", "整改期限须晚于今天", status=422, fields={"deadline": ["须晚于今天"]}
        )
    body = _supervising_body(actor)
    order = CorrectionOrder.objects.create(
        number=_next_order_number(body, today.year, kind),
        kind=kind,
        issuing_agency=body,
        agency=agency,
        case=case,
        subject=subject,
        findings=findings,
        requirement=requirement,
        legal_basis=legal_basis,
        deadline=deadline,
        issued_by=actor,
        issued_at=now,
    )
    audit_record(
        action="supervision.order.issued",
        target=order,
        context=context,
        actor=actor,
        case_id=order.case_id,
        data={
            "number": order.number,
            "kind": kind,
            "agency_id": agency.pk,
            "subject": subject,
            "findings": findings,
            "requirement": requirement,
            "deadline": deadline,
            "issuing_agency_id": actor.agency_id,
        },
    )
    return order


def _lock_order(order: CorrectionOrder) -> CorrectionOrder:
    return CorrectionOrder.objects.select_for_update().get(pk=order.pk)


@transaction.atomic
def order_answer(
    *, order: CorrectionOrder, actor: User, context: AuditContext, answer: str, now: dt.datetime | None = None
) -> CorrectionOrder:
    """The agency's head says what it corrected. After the deadline the answer is accepted and marked late."""
    now, today = _now(now)
    order = _lock_order(order)
    _ensure_head_of(actor, order.agency_id)
    _ensure_transition(CorrectionOrder, order.status, OS.ANSWERED, "该监督文书")
    order.status = OS.ANSWERED
    order.answer = answer
    order.answered_by = actor
    order.answered_at = now
    order.answered_late = today > order.deadline
    order.save()
    audit_record(
        action="supervision.order.answered",
        target=order,
        context=context,
        actor=actor,
        case_id=order.case_id,
        data={"number": order.number, "answer": answer, "late": order.answered_late, "deadline": order.deadline},
    )
    return order


@transaction.atomic
def order_review(
    *,
    order: CorrectionOrder,
    actor: User,
    context: AuditContext,
    accept: bool,
    note: str = "",
    new_deadline: dt.date | None = None,
    now: dt.datetime | None = None,
) -> CorrectionOrder:
    """The supervisor accepts the answer (closed) or rejects it with a new deadline (issued again)."""
    now, today = _now(now)
    order = _lock_order(order)
    _ensure_supervises(actor, order.agency_id)
    target = OS.CLOSED if accept else OS.ISSUED
    _ensure_transition(CorrectionOrder, order.status, target, "该监督文书")
    if accept:
        order.closed_at, order.closed_by, order.close_note = now, actor, note
    else:
        if new_deadline is None or new_deadline <= today:
            raise ApplicationError(
                "invalid_deadline",
                "退回重新整改须给出晚于今天的新期限",
                status=422,
                fields={"new_deadline": ["须晚于今天"]},
            )
        if not note:
            raise ApplicationError("reason_required", "退回重新整改须说明理由", status=422, fields={"note": ["必填"]})
        order.deadline, order.rejections, order.escalated_at = new_deadline, order.rejections + 1, None
        order.answered_late = False
    order.status = target
    order.save()
    audit_record(
        action="supervision.order.closed" if accept else "supervision.order.rejected",
        target=order,
        context=context,
        actor=actor,
        case_id=order.case_id,
        data={"number": order.number, "note": note, "new_deadline": new_deadline},
    )
    return order


def orders_escalate_overdue(*, now: dt.datetime | None = None) -> int:
    """Escalate every order whose deadline has passed unanswered (督办): status ``escalated``, an audit event
    each, and a message to the agency's heads and the issuing supervisor (supervision/reminders.py). Safe to
    run concurrently and repeatedly (conditional UPDATE per order: escalated once)."""
    now, today = _now(now)
    escalated = 0
    for order_id in CorrectionOrder.objects.filter(status=OS.ISSUED, deadline__lt=today).values_list("pk", flat=True):
        with transaction.atomic():
            if not CorrectionOrder.objects.filter(pk=order_id, status=OS.ISSUED).update(
                status=OS.ESCALATED, escalated_at=now
            ):
                continue  # answered or escalated meanwhile
            order = CorrectionOrder.objects.get(pk=order_id)
            audit_record(
                action="supervision.order.escalated",
                target=order,
                case_id=order.case_id,
                data={
                    "number": order.number,
                    "deadline": order.deadline,
                    "days_overdue": (today - order.deadline).days,
                    "issuing_agency_id": order.issuing_agency_id,
                },
            )
            order_escalated_notify(order, now=now)
            escalated += 1
    return escalated


# --------------------------------------------------------------------------- 过错追究


def fault_case_open_for_correction(
    *, case_id: Any, agency_id: int, correction_id: int, kind: str, by: str, reason: str, reference: str
) -> FaultCase | None:
    """A 撤销/确认违法/确认无效 (the cases' ``DecisionCorrected``, supervision/subscribers.py) opens a fault
    case with the responsible chain read from the ledger; a 变更 opens none. Runs in the correction's
    transaction (it commits with it)."""
    if kind not in FAULT_TRIGGER_KINDS:
        return None
    from backend.cases.models import Case

    case = Case.objects.get(pk=case_id)
    fault = FaultCase.objects.create(
        agency_id=agency_id,
        case=case,
        correction_id=correction_id,
        trigger_kind=kind,
        trigger_by=by,
        trigger_reason=reason,
        chain=responsible_chain(case_id=case.pk),
        opened_at=timezone.now(),
    )
    audit_record(
        action="supervision.fault.opened",
        target=fault,
        case_id=case.pk,
        data={
            "trigger": "decision_corrected",
            "correction_id": correction_id,
            "kind": kind,
            "by": by,
            "reference": reference,
            "people": _chain_people(fault.chain),
        },
    )
    return fault


def _chain_people(chain: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [{"user_id": p["user_id"], "name": p["name"], "role": p["role"]} for p in chain]


@transaction.atomic
def fault_case_open(*, actor: User, context: AuditContext, case: Any, reason: str) -> FaultCase:
    """A supervisor opens a fault case on a decided case of a supervised agency (found by supervision)."""
    _ensure_supervises(actor, case.agency_id)
    if not case.decision_number:
        raise PreconditionFailed("no_decision", "案件尚未作出决定")
    fault = FaultCase.objects.create(
        agency_id=case.agency_id,
        case=case,
        trigger_kind="supervision",
        trigger_reason=reason,
        chain=responsible_chain(case_id=case.pk),
        opened_by=actor,
        opened_at=timezone.now(),
    )
    audit_record(
        action="supervision.fault.opened",
        target=fault,
        context=context,
        actor=actor,
        case_id=case.pk,
        data={"trigger": "supervision", "reason": reason, "people": _chain_people(fault.chain)},
    )
    return fault


def _lock_fault(fault: FaultCase) -> FaultCase:
    return FaultCase.objects.select_for_update().get(pk=fault.pk)


@transaction.atomic
def fault_case_decide(
    *,
    fault: FaultCase,
    actor: User,
    context: AuditContext,
    finding: str,
    reasoning: str,
    responsible: list[dict[str, Any]],
    now: dt.datetime | None = None,
) -> FaultCase:
    """The supervisor records the finding and, when at fault, who answers for what and the measure taken.
    Only people of the responsible chain can be named: the record says why each of them is in it."""
    now, _ = _now(now)
    fault = _lock_fault(fault)
    _ensure_supervises(actor, fault.agency_id)
    _ensure_transition(FaultCase, fault.status, F.DECIDED, "该过错追究案件")
    if finding == FaultCase.Finding.AT_FAULT and not responsible:
        raise ApplicationError(
            "responsible_required", "认定存在执法过错须写明责任人员", status=422, fields={"responsible": ["必填"]}
        )
    if finding != FaultCase.Finding.AT_FAULT and responsible:
        raise ApplicationError(
            "responsible_not_allowed",
            "未认定执法过错时不得列出责任人员",
            status=422,
            fields={"responsible": ["须为空"]},
        )
    in_chain = {p["user_id"]: p for p in fault.chain}
    named = []
    for entry in responsible:
        person = in_chain.get(str(entry["user_id"]))
        if person is None:
            raise ApplicationError(
                "not_in_chain", "责任人员须在责任链中", status=422, extra={"user_id": str(entry["user_id"])}
            )
        named.append(
            {
                "user_id": person["user_id"],
                "name": person["name"],
                "role": person["role"],
                "responsibility": entry["responsibility"],
                "measure": entry["measure"],
            }
        )
    fault.status, fault.finding, fault.reasoning, fault.responsible = F.DECIDED, finding, reasoning, named
    fault.decided_by, fault.decided_at = actor, now
    fault.save()
    audit_record(
        action="supervision.fault.decided",
        target=fault,
        context=context,
        actor=actor,
        case_id=fault.case_id,
        data={"finding": finding, "reasoning": reasoning, "responsible": named},
    )
    return fault


@transaction.atomic
def fault_case_close(
    *, fault: FaultCase, actor: User, context: AuditContext, note: str, now: dt.datetime | None = None
) -> FaultCase:
    now, _ = _now(now)
    fault = _lock_fault(fault)
    _ensure_supervises(actor, fault.agency_id)
    _ensure_transition(FaultCase, fault.status, F.CLOSED, "该过错追究案件")
    fault.status, fault.closed_by, fault.closed_at, fault.close_note = F.CLOSED, actor, now, note
    fault.save()
    audit_record(
        action="supervision.fault.closed",
        target=fault,
        context=context,
        actor=actor,
        case_id=fault.case_id,
        data={"note": note},
    )
    return fault


# --------------------------------------------------------------------------- 检察监督


@transaction.atomic
def grant_create(
    *,
    actor: User,
    context: AuditContext,
    grantee: User,
    procuratorate: str,
    purpose: str,
    case_ids: list[Any],
    days: int,
    reference: str = "",
    now: dt.datetime | None = None,
) -> ProcuratorGrant:
    """The agency's head grants a procurator read access to named cases of the agency for ``days`` days."""
    from backend.cases.models import Case

    now, _ = _now(now)
    if not actor.has_role(Role.AGENCY_HEAD) or actor.agency_id is None:
        raise Forbidden("仅机关负责人可以授权检察调阅", code="agency_head_required")
    max_days = settings.SUPERVISION_GRANT_MAX_DAYS
    if not 1 <= days <= max_days:
        raise ApplicationError(
            "invalid_grant_days",
            f"调阅期限须在 1 至 {max_days} 天之间",
            status=422,
            fields={"days": [f"1 至 {max_days}"]},
        )
    if not grantee.is_active or not grantee.has_role(Role.PROCURATOR):
        raise ApplicationError(
            "grantee_not_procurator", "被授权人须为检察机关人员", status=422, fields={"grantee": ["须为检察机关人员"]}
        )
    cases = list(Case.objects.filter(pk__in=case_ids, agency_id=actor.agency_id))
    if len(cases) != len(set(case_ids)):
        raise NotFound("案件不存在", code="case_not_found")
    grant = ProcuratorGrant.objects.create(
        agency_id=actor.agency_id,
        grantee=grantee,
        procuratorate=procuratorate,
        purpose=purpose,
        reference=reference,
        granted_by=actor,
        expires_at=now + dt.timedelta(days=days),
    )
    grant.cases.set(cases)
    audit_record(
        action="supervision.grant.created",
        target=grant,
        context=context,
        actor=actor,
        data={
            "grantee": str(grantee.pk),
            "grantee_name": str(grantee),
            "procuratorate": procuratorate,
            "purpose": purpose,
            "reference": reference,
            "cases": sorted(str(c.pk) for c in cases),
            "expires_at": grant.expires_at,
        },
    )
    return grant


@transaction.atomic
def grant_revoke(*, grant: ProcuratorGrant, actor: User, context: AuditContext, reason: str) -> ProcuratorGrant:
    grant = ProcuratorGrant.objects.select_for_update().get(pk=grant.pk)
    _ensure_head_of(actor, grant.agency_id)
    if grant.revoked_at is not None:
        raise PreconditionFailed("grant_revoked", "该授权已撤销")
    grant.revoked_at, grant.revoked_by, grant.revoke_reason = timezone.now(), actor, reason
    grant.save()
    audit_record(
        action="supervision.grant.revoked", target=grant, context=context, actor=actor, data={"reason": reason}
    )
    return grant


def grant_record_read(*, grant: ProcuratorGrant, case: Any, context: AuditContext, what: str) -> None:
    """Every read under a grant is logged (监督全程留痕), in its own transaction before the answer is sent."""
    with transaction.atomic():
        audit_record(
            action="supervision.grant.read",
            target=grant,
            context=context,
            case_id=case.pk,
            agency_id=grant.agency_id,
            data={"what": what, "procuratorate": grant.procuratorate},
        )


@transaction.atomic
def suggestion_file(
    *,
    actor: User,
    context: AuditContext,
    grant: ProcuratorGrant,
    case: Any,
    number: str,
    content: str,
    now: dt.datetime | None = None,
) -> ProcuratorialSuggestion:
    """A procurator files a 检察建议 about a case it was granted; the agency must answer within the period
    (人民检察院检察建议工作规定 第十九条: 两个月)."""
    now, today = _now(now)
    suggestion = ProcuratorialSuggestion.objects.create(
        agency_id=grant.agency_id,
        grant=grant,
        case=case,
        procuratorate=grant.procuratorate,
        number=number,
        content=content,
        filed_by=actor,
        filed_at=now,
        answer_due=today + dt.timedelta(days=settings.SUPERVISION_SUGGESTION_DAYS),
    )
    audit_record(
        action="supervision.suggestion.filed",
        target=suggestion,
        context=context,
        actor=actor,
        case_id=case.pk,
        data={
            "number": number,
            "content": content,
            "answer_due": suggestion.answer_due,
            "procuratorate": grant.procuratorate,
        },
    )
    return suggestion


@transaction.atomic
def suggestion_answer(
    *,
    suggestion: ProcuratorialSuggestion,
    actor: User,
    context: AuditContext,
    answer: str,
    now: dt.datetime | None = None,
) -> ProcuratorialSuggestion:
    now, today = _now(now)
    suggestion = ProcuratorialSuggestion.objects.select_for_update().get(pk=suggestion.pk)
    _ensure_head_of(actor, suggestion.agency_id)
    _ensure_transition(
        ProcuratorialSuggestion, suggestion.status, ProcuratorialSuggestion.Status.ANSWERED, "该检察建议"
    )
    suggestion.status = ProcuratorialSuggestion.Status.ANSWERED
    suggestion.answer, suggestion.answered_by, suggestion.answered_at = answer, actor, now
    suggestion.answered_late = today > suggestion.answer_due
    suggestion.save()
    audit_record(
        action="supervision.suggestion.answered",
        target=suggestion,
        context=context,
        actor=actor,
        case_id=suggestion.case_id,
        data={"answer": answer, "late": suggestion.answered_late},
    )
    return suggestion


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
    body = _supervising_body(actor)
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

    _ensure_supervises(actor, agency.pk)
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
        issuing_agency=_supervising_body(actor),
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

    _ensure_supervises(actor, sample.agency_id)
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
