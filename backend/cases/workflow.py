"""The case lifecycle as one table (DOMAIN.md §8).

Each row is one transition: its name (also the API path ``/cases/<id>/<name>/`` and the service
``case_<name>`` in :mod:`backend.cases.services`), the statuses it may start from, the status it leads
to, who may perform it, and the statute it comes from. The service checks the row *and* the
transition's own preconditions (credentials, evidence, windows, review, clock); anything else answers
409 ``transition_not_allowed``.

Who: ``handler`` = a handling officer of the case (or the agency head), ``head`` = the agency head
(机关负责人), ``reviewer`` = the agency's legal reviewers (法制审核人员).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from backend.accounts.models import Role
from backend.cases.models import Case, DecisionOutcome, DecisionState

if TYPE_CHECKING:
    from backend.accounts.models import User

S = Case.Status


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: frozenset[str]
    target: str | None  # None: decided by the service (e.g. 案件审核 vs 法制审核)
    who: frozenset[str]
    basis: str = ""


def _t(name: str, label: str, sources: set[str], target: str | None, who: set[str], basis: str = "") -> Transition:
    return Transition(name, label, frozenset(sources), target, frozenset(who), basis)


HANDLER, HEAD, REVIEWER = "handler", "head", "reviewer"

# fmt: off
TRANSITIONS: dict[str, Transition] = {t.name: t for t in (
    # --- 普通程序 ------------------------------------------------------------------------------------
    _t("start_verification", "核查", {S.CLUE_RECEIVED}, S.PRE_REVIEW, {HANDLER, HEAD},
       "市场监督管理行政处罚程序规定 第十八条"),
    _t("decline", "不予立案", {S.CLUE_RECEIVED, S.PRE_REVIEW}, S.NOT_REGISTERED, {HEAD},
       "市场监督管理行政处罚程序规定 第二十条"),
    _t("register", "立案", {S.CLUE_RECEIVED, S.PRE_REVIEW}, S.REGISTERED, {HEAD},
       "行政处罚法 第五十四条；市场监督管理行政处罚程序规定 第十九条"),
    _t("start_investigation", "开始调查取证", {S.REGISTERED}, S.INVESTIGATING, {HANDLER},
       "行政处罚法 第五十四条、第五十五条"),
    _t("suspend", "中止调查", {S.INVESTIGATING}, S.SUSPENDED, {HEAD},
       "市场监督管理行政处罚程序规定 第四十七条、第六十四条"),
    _t("resume", "恢复调查", {S.SUSPENDED}, S.INVESTIGATING, {HEAD},
       "市场监督管理行政处罚程序规定 第四十七条"),
    _t("conclude_investigation", "调查终结", {S.INVESTIGATING}, S.INVESTIGATION_CONCLUDED, {HANDLER},
       "市场监督管理行政处罚程序规定 第四十八条"),
    _t("submit_review", "提交审核", {S.INVESTIGATION_CONCLUDED}, None, {HANDLER},
       "行政处罚法 第五十八条；市场监督管理行政处罚程序规定 第四十九条、第五十条"),
    _t("return_for_investigation", "退回补充调查",
       {S.CASE_REVIEW, S.LEGAL_REVIEW, S.LEGAL_REVIEW_POST_HEARING, S.PROPOSED, S.REVIEWING_DEFENCE, S.DECIDING},
       S.INVESTIGATING, {HANDLER, HEAD, REVIEWER}, "市场监督管理行政处罚程序规定 第五十四条"),
    _t("approve_proposal", "负责人批准拟处罚", {S.CASE_REVIEW, S.LEGAL_REVIEW}, S.PROPOSED, {HEAD},
       "行政处罚法 第五十七条"),
    _t("notify", "事先告知", {S.PROPOSED}, S.NOTIFIED, {HANDLER},
       "行政处罚法 第四十四条、第六十四条"),
    _t("request_hearing", "当事人要求听证", {S.NOTIFIED}, S.HEARING_REQUESTED, {HANDLER},
       "行政处罚法 第六十三条、第六十四条第一项"),
    _t("schedule_hearing", "安排听证", {S.HEARING_REQUESTED}, S.HEARING_SCHEDULED, {HANDLER, HEAD},
       "行政处罚法 第六十四条第二项、第四项"),
    _t("hold_hearing", "举行听证", {S.HEARING_SCHEDULED}, S.HEARING_HELD, {HANDLER, HEAD},
       "行政处罚法 第六十四条"),
    _t("submit_post_hearing_review", "听证后法制审核", {S.HEARING_HELD}, S.LEGAL_REVIEW_POST_HEARING, {HANDLER},
       "行政处罚法 第五十八条第一款第二项；市场监督管理行政处罚程序规定 第五十条第二款"),
    _t("start_defence_review", "复核", {S.NOTIFIED, S.LEGAL_REVIEW_POST_HEARING}, S.REVIEWING_DEFENCE, {HANDLER},
       "行政处罚法 第四十五条、第六十二条"),
    _t("renotify", "变更拟处罚并重新告知", {S.REVIEWING_DEFENCE}, S.PROPOSED, {HANDLER, HEAD},
       "行政处罚法 第四十五条"),
    _t("submit_decision", "提请负责人决定", {S.REVIEWING_DEFENCE}, S.DECIDING, {HANDLER},
       "行政处罚法 第五十七条"),
    _t("decide", "作出处罚决定", {S.DECIDING}, S.DECIDED, {HEAD},
       "行政处罚法 第五十七条至第六十条、第六十二条"),
    _t("decide_without_penalty", "不予处罚或移送",
       {S.INVESTIGATION_CONCLUDED, S.CASE_REVIEW, S.LEGAL_REVIEW, S.PROPOSED, S.REVIEWING_DEFENCE, S.DECIDING},
       S.DECIDED, {HEAD}, "行政处罚法 第五十七条第一款第二至四项、第二十七条"),
    _t("serve", "送达", {S.DECIDED}, S.SERVED, {HANDLER},
       "行政处罚法 第六十一条"),
    _t("start_execution", "执行", {S.SERVED, S.FILED}, S.EXECUTING, {HANDLER, HEAD},
       "行政处罚法 第六十六条、第六十七条"),
    _t("close", "结案", {S.DECIDED, S.SERVED, S.EXECUTING, S.FILED}, S.CLOSED, {HEAD},
       "市场监督管理行政处罚程序规定 第七十七条"),
    _t("archive", "归档", {S.CLOSED}, S.ARCHIVED, {HANDLER, HEAD},
       "市场监督管理行政处罚程序规定 第七十八条、第七十九条"),
    # --- 简易程序 ------------------------------------------------------------------------------------
    _t("file_summary", "简易程序案卷交回备案", {S.ON_SITE}, S.FILED, {HANDLER},
       "行政处罚法 第五十二条；市场监督管理行政处罚程序规定 第七十条"),
)}
# fmt: on

# Statuses in which the decision clock (行政处罚法 第六十条) runs or is paused.
DECISION_CLOCK_STATUSES = frozenset(
    {
        S.REGISTERED, S.INVESTIGATING, S.SUSPENDED, S.INVESTIGATION_CONCLUDED, S.CASE_REVIEW, S.LEGAL_REVIEW,
        S.PROPOSED, S.NOTIFIED, S.HEARING_REQUESTED, S.HEARING_SCHEDULED, S.HEARING_HELD,
        S.LEGAL_REVIEW_POST_HEARING, S.REVIEWING_DEFENCE, S.DECIDING,
    }
)
# Once decided, the record of the decision is frozen: changes go through DecisionCorrection.
DECIDED_STATUSES = frozenset({S.DECIDED, S.SERVED, S.EXECUTING, S.CLOSED, S.ARCHIVED, S.ON_SITE, S.FILED})


# A decision revoked or declared void (行政复议法 第六十四条、第六十七条; 行政诉讼法 第七十条、第七十五条) binds
# nobody: it is no longer served or executed, and its payment period is cancelled. The case is still closed
# (结案). A decision only confirmed unlawful (确认违法, 行政诉讼法 第七十四条) stays in force.
DECISION_NOT_IN_FORCE = frozenset({DecisionState.REVOKED, DecisionState.CONFIRMED_VOID})
NEEDS_DECISION_IN_FORCE = frozenset({"serve", "start_execution"})


def allowed_transitions(status: str, *, decision_state: str = "", decision_outcome: str = "") -> list[str]:
    """Names of the transitions that may start from ``status`` (for the UI; roles and time windows not
    considered). With the case's decision state and outcome, the steps its decision rules out are left off:
    executing a revoked decision, closing a penalty case before its decision is served."""
    names = [t.name for t in TRANSITIONS.values() if status in t.sources]
    if decision_state in DECISION_NOT_IN_FORCE:
        return [name for name in names if name not in NEEDS_DECISION_IN_FORCE]
    if status == S.DECIDED and decision_outcome == DecisionOutcome.PENALTY:
        names = [name for name in names if name != "close"]  # 结案 after 送达 (case_close: decision_not_served)
    return names


# Statuses in which a review package (审核 round, backend.reviews) may be submitted: the sources of the two rows that
# enter review (提交审核, 听证后法制审核) and every later status before the decision, where a returned or superseded
# package is submitted again. Not while a requested hearing is pending: 经过听证的案件 are reviewed after the
# hearing (行政处罚法 第五十八条; 市场监管程序规定 第五十条第二款).
HEARING_PENDING_STATUSES = frozenset({S.HEARING_REQUESTED, S.HEARING_SCHEDULED})
REVIEW_SUBMITTABLE_STATUSES = frozenset(
    TRANSITIONS["submit_review"].sources
    | TRANSITIONS["submit_post_hearing_review"].sources
    | {S.CASE_REVIEW, S.LEGAL_REVIEW, S.PROPOSED, S.NOTIFIED, S.LEGAL_REVIEW_POST_HEARING, S.REVIEWING_DEFENCE,
       S.DECIDING}
)  # fmt: skip


def is_handling_officer(*, case: Case, user: User) -> bool:
    """Whether ``user`` is one of the case's handling officers (承办人员) — the agency head is not, by this test."""
    return case.handling_officers.filter(pk=user.pk).exists()


def counts_as(*, actor: User, case: Case, who: str) -> bool:
    """The one reading of the ``who`` column: ``handler`` = a handling officer of the case or the agency head,
    ``head`` = the agency head (机关负责人), ``reviewer`` = a legal reviewer (法制审核人员). Agency membership is the
    caller's check (another agency's case answers 404/403 before this)."""
    if who == HEAD:
        return actor.has_role(Role.AGENCY_HEAD)
    if who == HANDLER:
        return actor.has_role(Role.AGENCY_HEAD) or is_handling_officer(case=case, user=actor)
    if who == REVIEWER:
        return actor.has_role(Role.LEGAL_REVIEWER)
    raise ValueError(f"unknown actor kind: {who}")
