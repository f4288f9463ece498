"""Chinese names of audit actions and statuses for the console (the models' own labels where they exist)."""

from __future__ import annotations

from typing import Any

from backend.cases.models import Case, PenaltyKind

ACTION_LABELS = {
    "case.created": "登记案件",
    "case.updated": "修改案件信息",
    "case.transition": "办案环节",
    "case.officers_assigned": "指定承办人员",
    "case.waiver": "放弃陈述申辩/听证",
    "case.executed": "执行",
    "case.deadline_extended": "延长期限",
    "case.decision_corrected": "决定变更/撤销",
    "case.personal_data_read": "查看当事人个人信息",
    "case.recording_flag": "音像记录提示",
    "case.retention_changed": "调整保管期限",
    "document.created": "制作执法文书",
    "document.attachments_added": "文书附件",
    "evidence.received": "接收证据",
    "evidence.processed": "证据处理完成",
    "evidence.processing_failed": "证据处理失败",
    "evidence.accessed": "调阅原始证据",
    "evidence.note_added": "证据备注",
    "evidence.integrity_alert": "证据完整性告警",
    "evidence.duplicate_linked": "重复证据关联",
    "evidence.provenance": "来源凭证",
    "review.submitted": "提交审核",
    "review.assigned": "分配审核",
    "review.reassigned": "改派审核",
    "review.recused": "审核回避",
    "review.checklist_filled": "填写审核内容",
    "review.prechecks_refreshed": "重新预审",
    "review.opinion": "出具审核意见",
    "review.withdrawn": "撤回送审",
    "review.supplement_requested": "要求补充材料",
    "review.supplement_resolved": "补充材料",
    "review.extension_requested": "申请延期",
    "review.extension_decided": "延期审批",
    "review.dispute_raised": "对审核意见提出异议",
    "review.dispute_resolved": "处理审核异议",
    "review.collective_discussion": "集体讨论",
    "review.major_evaluated": "重大执法决定认定",
    "review.flags_set": "重大情形标记",
    "review.overdue": "审核超期",
    "notice.created": "生成公示信息",
    "notice.edited": "编辑公示信息",
    "notice.published": "公示",
    "notice.withdrawn": "撤回公示",
    "notice.non_disclosure_requested": "申请不予公开",
    "notice.non_disclosure_decided": "不予公开审批",
    "notice.correction_requested": "更正申请",
    "notice.correction_answered": "答复更正申请",
    "deadline.reminder": "期限提醒",
    "ledger.alert": "审计日志告警",
    "user.created": "开设账号",
    "user.role_granted": "授予角色",
    "user.role_revoked": "撤销角色",
    "user.deactivated": "停用账号",
    "user.reactivated": "重新启用账号",
    "disclosure.profile_updated": "修改公示设置",
    "calendar.notice_imported": "导入放假通知",
}


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)


def status_label(status: str) -> str:
    try:
        return str(Case.Status(status).label)
    except ValueError:
        return status


def measure_lines(measures: list[dict[str, Any]] | None) -> list[str]:
    """``[{"kind": "fine", "amount": "5000.00"}]`` → ``["罚款 5000.00 元"]`` (行政处罚法 第九条's names)."""
    lines = []
    for m in measures or []:
        try:
            name = str(PenaltyKind(m.get("kind")).label)
        except ValueError:
            name = str(m.get("kind", ""))
        amount = f" {m['amount']} 元" if m.get("amount") else ""
        months = f" {m['months']} 个月" if m.get("months") else ""
        detail = f"（{m['detail']}）" if m.get("detail") else ""
        lines.append(f"{name}{amount}{months}{detail}")
    return lines
