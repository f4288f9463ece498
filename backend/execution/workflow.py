"""The steps after a decision, as one table (the shape of :mod:`backend.cases.workflow`).

Each row: the step's name (its service is ``<record>_<name>`` in :mod:`backend.execution.services`), its
label, who may take it (``handler``: a handling officer of the case or the head; ``head``: the agency head),
the case statuses it may be taken in, the deadline it opens or meets, and the article it comes from. The
service checks the row and the step's own preconditions; an unmet one answers 409 with a code naming it.
"""

from __future__ import annotations

from dataclasses import dataclass

from backend.cases.models import Case
from backend.cases.workflow import HANDLER, HEAD

S = Case.Status
# A decision is executed once served (普通程序) or filed (简易程序); 执行 may have started.
AFTER_SERVICE = frozenset({S.SERVED, S.EXECUTING, S.FILED})


@dataclass(frozen=True)
class Step:
    name: str
    label: str
    who: frozenset[str]
    statuses: frozenset[str]
    basis: str
    opens: tuple[str, ...] = ()
    meets: tuple[str, ...] = ()
    # Steps on seized property are taken while the case is open, before a decision too (``statuses`` empty).
    needs_decision: bool = True


def _s(
    name: str,
    label: str,
    who: set[str],
    basis: str,
    *,
    statuses: frozenset[str] = AFTER_SERVICE,
    opens: tuple[str, ...] = (),
    meets: tuple[str, ...] = (),
    needs_decision: bool = True,
) -> Step:
    return Step(name, label, frozenset(who), statuses, basis, opens, meets, needs_decision)


def _p(name: str, label: str, who: set[str], basis: str, **kw: tuple[str, ...]) -> Step:
    """A step on 涉案财物: any open status of the case, with or without a decision."""
    return _s(name, label, who, basis, statuses=frozenset(), needs_decision=False, **kw)


# fmt: off
STEPS: dict[str, Step] = {s.name: s for s in (
    # --- 履行 --------------------------------------------------------------------------------------------
    _s("payment_record", "登记缴款", {HANDLER, HEAD},
       "行政处罚法 第六十六条、第六十七条、第七十二条第一款第一项", meets=("PAYMENT", "PAYMENT_INSTALMENT")),
    # --- 延期 / 分期 ---------------------------------------------------------------------------------------
    _s("plan_apply", "登记延期、分期缴纳申请", {HANDLER, HEAD}, "行政处罚法 第六十六条第二款"),
    _s("plan_decide", "审批延期、分期缴纳", {HEAD}, "行政处罚法 第六十六条第二款",
       opens=("PAYMENT_INSTALMENT",)),
    # --- 复议 / 诉讼 -------------------------------------------------------------------------------------
    _s("remedy_file", "登记复议申请或行政起诉", {HANDLER, HEAD},
       "行政复议法 第二十条、第二十九条；行政诉讼法 第四十五条、第四十六条；行政处罚法 第七十三条",
       meets=("ADMIN_REVIEW_WINDOW", "LITIGATION_WINDOW", "LITIGATION_AFTER_REVIEW")),
    _s("remedy_suspend", "复议、诉讼期间停止执行", {HEAD},
       "行政复议法 第四十二条；行政诉讼法 第五十六条"),
    _s("remedy_conclude", "登记复议决定或裁判结果", {HEAD},
       "行政复议法 第六十三条至第六十八条；行政诉讼法 第六十九条、第七十条、第七十四条、第七十五条、第七十七条；"
       "行政处罚法 第四十八条第二款", opens=("LITIGATION_AFTER_REVIEW",)),
    _s("remedy_withdraw", "登记撤回复议申请或撤诉", {HANDLER, HEAD},
       "行政复议法 第七十四条；行政诉讼法 第六十二条"),
    # --- 催告 / 强制执行 ---------------------------------------------------------------------------------
    _s("reminder_issue", "制作催告书", {HANDLER, HEAD}, "行政强制法 第三十五条、第四十五条"),
    _s("reminder_serve", "送达催告书", {HANDLER, HEAD}, "行政强制法 第三十八条、第五十四条",
       opens=("ENFORCEMENT_REMINDER", "COURT_ENFORCEMENT_APPLICATION")),
    _s("reminder_statement", "听取陈述申辩", {HANDLER, HEAD}, "行政强制法 第三十六条"),
    _s("enforcement_decide", "作出强制执行决定", {HEAD}, "行政强制法 第十三条、第三十七条、第四十六条"),
    _s("court_apply", "申请人民法院强制执行", {HEAD}, "行政强制法 第五十三条、第五十四条、第五十五条",
       meets=("COURT_ENFORCEMENT_APPLICATION",)),
    _s("court_ruling", "登记法院裁定", {HANDLER, HEAD}, "行政强制法 第五十七条、第五十八条"),
    _s("enforcement_conclude", "执行完毕、中止或终结执行", {HEAD}, "行政强制法 第三十九条、第四十条"),
    # --- 责令改正 -------------------------------------------------------------------------------------------
    _s("correction_order", "登记责令限期改正", {HANDLER, HEAD}, "行政处罚法 第二十八条第一款",
       opens=("CORRECTION_ORDER",)),
    _s("correction_inspect", "复查改正情况", {HANDLER, HEAD}, "行政处罚法 第二十八条第一款、第五十五条",
       meets=("CORRECTION_ORDER",)),
    _s("correction_follow_up", "逾期不改正另行立案调查", {HANDLER, HEAD}, "行政处罚法 第二十八条、第五十四条"),
    # --- 涉案财物 -------------------------------------------------------------------------------------------
    _p("property_register", "登记涉案财物清单", {HANDLER, HEAD},
       "行政强制法 第二十四条、第二十九条至第三十一条；行政处罚法 第五十六条", opens=("FREEZE", "FREEZE_NOTICE")),
    _p("property_freeze_notify", "交付冻结决定书", {HANDLER, HEAD}, "行政强制法 第三十一条",
       meets=("FREEZE_NOTICE",)),
    _p("property_move", "登记财物移动或保管变更", {HANDLER, HEAD}, "行政强制法 第二十六条"),
    _p("property_handle", "处理涉案财物", {HEAD},
       "行政强制法 第二十七条、第二十八条、第三十二条、第三十三条、第四十六条；行政处罚法 第五十六条、第七十四条",
       meets=("SEIZURE", "EVIDENCE_PRESERVATION_DECISION", "FREEZE")),
    # --- 移送 / 两法衔接 ------------------------------------------------------------------------------------
    _p("transfer_send", "移送案件", {HEAD}, "行政处罚法 第二十七条、第五十七条第一款第四项；行政强制法 第二十一条"),
    _p("transfer_acknowledge", "登记接收机关签收", {HANDLER, HEAD}, "行政执法机关移送涉嫌犯罪案件的规定 第八条"),
    _p("transfer_decide", "登记接收机关立案或不予立案", {HANDLER, HEAD},
       "行政执法机关移送涉嫌犯罪案件的规定 第八条、第九条"),
    _p("transfer_return", "登记案件退回", {HEAD}, "行政执法机关移送涉嫌犯罪案件的规定 第九条、第十条"),
)}
# fmt: on
