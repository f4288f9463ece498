"""What the execution app does when the case lifecycle tells it of a step (backend/execution/subscribers.py)."""

from __future__ import annotations

import datetime as dt

from backend.cases.deadlines import deadline_open
from backend.cases.models import Case, CaseDeadline
from backend.common.errors import PreconditionFailed
from backend.execution.models import CorrectionOrder, EnforcementAction, PropertyItem, Remedy, Transfer
from backend.execution.selectors import execution_account


def remedy_windows_open(*, case: Case, served_on: dt.date) -> None:
    """The party's remedy periods run from service — the day the party knows of the decision: 60 days for
    复议 (行政复议法 第二十条), 6 months for a suit (行政诉讼法 第四十六条). Both are the party's windows."""
    for code in ("ADMIN_REVIEW_WINDOW", "LITIGATION_WINDOW"):
        deadline_open(case=case, code=code, anchor_on=served_on, kind=CaseDeadline.Kind.WINDOW)


def case_closing_check(*, case: Case, closing_on: dt.date) -> None:
    """结案 only when nothing is left open (市场监督管理行政处罚程序规定 第七十七条): no pending 复议/诉讼 (its
    outcome may change the decision) and no balance — fine, confiscated gains or 加处罚款."""
    # A transferred case closes once the organ has signed for it (移送涉嫌犯罪案件的规定 第八条).
    sent = Transfer.objects.filter(case=case, status=Transfer.Status.SENT).first()
    if sent is not None:
        raise PreconditionFailed(
            "transfer_not_acknowledged", f"移送{sent.organ}的案件尚未签收，不能结案", extra={"transfer_id": sent.pk}
        )
    # Every item of the 清单 is handled (行政强制法 第二十七条、第二十八条、第三十二条): the reconciliation of 结案.
    unhandled = list(
        PropertyItem.objects.filter(case=case, status__in=PropertyItem.OPEN_STATUSES).values_list("line", "name")
    )
    if unhandled:
        raise PreconditionFailed(
            "property_unhandled",
            f"尚有{len(unhandled)}项涉案财物未处理，不能结案",
            extra={"items": [{"line": line, "name": name} for line, name in unhandled]},
        )
    pending = Remedy.objects.filter(case=case, status=Remedy.Status.PENDING).first()
    if pending is not None:
        raise PreconditionFailed(
            "remedy_pending",
            f"{pending.get_kind_display()}尚未审结，不能结案",
            extra={"remedy_id": pending.pk, "kind": pending.kind},
        )
    order = CorrectionOrder.objects.filter(case=case).first()
    # 责令改正 (行政处罚法 第二十八条) is part of what the decision requires: its outcome is on record, and a
    # violation not corrected is taken up as a new case before this one is closed.
    if order is not None and order.status == CorrectionOrder.Status.PENDING:
        raise PreconditionFailed(
            "correction_pending",
            f"责令改正（期限至{order.due_on.isoformat()}）尚未复查，不能结案",
            extra={"correction_order_id": order.pk, "due_on": order.due_on.isoformat()},
        )
    if order is not None and order.status == CorrectionOrder.Status.NOT_CORRECTED and order.follow_up_case_id is None:
        raise PreconditionFailed(
            "correction_follow_up_missing",
            "当事人逾期未改正，须先就此登记新案件，方可结案",
            extra={"correction_order_id": order.pk},
        )
    account = execution_account(case=case, as_of=closing_on)
    # 终结执行 (行政强制法 第四十条) ends the execution with what is left unpaid.
    terminated = EnforcementAction.objects.filter(case=case, outcome=EnforcementAction.Outcome.TERMINATED).exists()
    if account.balance > 0 and not terminated:
        raise PreconditionFailed(
            "execution_balance_open",
            f"尚有{account.balance}元未缴清（含加处罚款{account.surcharge.amount}元），不能结案",
            extra={"balance": str(account.balance), "surcharge": str(account.surcharge.amount)},
        )
