"""Enforcement cases (执法案件) and their whole-process record (全过程记录).

The lifecycle (DOMAIN.md §8) is the ``Case.Status`` choices plus the transition table in
:mod:`backend.cases.workflow`; every transition is one service in :mod:`backend.cases.services`.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from backend.common import parties
from backend.common.models import BaseModel


class Procedure(models.TextChoices):
    SUMMARY = "summary", _("简易程序")
    GENERAL = "general", _("普通程序")


class Category(models.TextChoices):
    PENALTY = "penalty", _("行政处罚")
    COERCION = "coercion", _("行政强制")
    INSPECTION = "inspection", _("行政检查")


class Source(models.TextChoices):
    INSPECTION = "inspection", _("检查发现")
    COMPLAINT = "complaint", _("投诉举报")
    REFERRAL = "referral", _("移送")
    ASSIGNED = "assigned", _("上级交办")
    MONITORING = "monitoring", _("电子监控")
    OTHER = "other", _("其他")


# One vocabulary with legal review and disclosure (backend/common/parties.py); these are its Django choices.
PartyType = models.TextChoices(
    "PartyType", [(member.name, (member.value, parties.LABELS[member])) for member in parties.PartyType]
)


# Parties fined by the 公民 amounts of 行政处罚法 (简易程序 第五十一条; the 较大数额 of 听证 第六十三条 as agencies set
# it): natural persons, and 个体工商户, who are natural persons in civil law (民法典 第五十四条) and are grouped
# with them by catalogues such as DOMAIN.md §7 (长治: "自然人/个体户").
CITIZEN_PARTY_TYPES = frozenset({PartyType.NATURAL_PERSON, PartyType.SOLE_TRADER})


class PenaltyKind(models.TextChoices):
    """行政处罚法 第九条."""

    WARNING = "warning", _("警告")
    CRITICISM = "criticism", _("通报批评")
    FINE = "fine", _("罚款")
    CONFISCATE_GAINS = "confiscate_gains", _("没收违法所得")
    CONFISCATE_PROPERTY = "confiscate_property", _("没收非法财物")
    SUSPEND_LICENCE = "suspend_licence", _("暂扣许可证件")
    DOWNGRADE = "downgrade", _("降低资质等级")
    REVOKE_LICENCE = "revoke_licence", _("吊销许可证件")
    RESTRICT_BUSINESS = "restrict_business", _("限制开展生产经营活动")
    SUSPEND_BUSINESS = "suspend_business", _("责令停产停业")
    CLOSE = "close", _("责令关闭")
    RESTRICT_PRACTICE = "restrict_practice", _("限制从业")
    DETENTION = "detention", _("行政拘留")
    OTHER = "other", _("其他")


def penalty_kind_label(kind: str) -> str:
    """The Chinese word of a :class:`PenaltyKind` value (its label: the one list), or ``kind`` itself if unknown."""
    try:
        return str(PenaltyKind(kind).label)
    except ValueError:
        return str(kind)


class DecisionOutcome(models.TextChoices):
    """行政处罚法 第五十七条: what the head decides after the investigation."""

    PENALTY = "penalty", _("给予行政处罚")
    NO_PENALTY = "no_penalty", _("不予行政处罚")
    TRANSFER_JUDICIAL = "transfer_judicial", _("移送司法机关")
    TRANSFER_OTHER = "transfer_other", _("移送其他部门")


class DecisionChange(models.TextChoices):
    """The one vocabulary of how a decision was later changed (行政处罚法 第四十八条第二款: 变更、撤销、确认违法、
    确认无效; 国办发〔2018〕118号 (六) adds 要求重新作出). A case's :class:`DecisionState`, a recorded
    :class:`DecisionCorrection` and a notice's withdrawal kind (``disclosures.WithdrawalKind``) are all built from
    it, so the staff and the public API say the same words."""

    CHANGED = "changed", _("变更")
    REVOKED = "revoked", _("撤销")
    CONFIRMED_ILLEGAL = "confirmed_illegal", _("确认违法")
    CONFIRMED_VOID = "confirmed_void", _("确认无效")
    REMADE = "remade", _("责令重新作出")


_C = DecisionChange


class DecisionState(models.TextChoices):
    """What later happened to a decision: in force, or the change recorded last (the words of
    :class:`DecisionChange`, as "已<change>")."""

    EFFECTIVE = "effective", _("有效")
    CHANGED = _C.CHANGED.value, format_lazy("已{}", _C.CHANGED.label)
    REVOKED = _C.REVOKED.value, format_lazy("已{}", _C.REVOKED.label)
    CONFIRMED_ILLEGAL = _C.CONFIRMED_ILLEGAL.value, format_lazy("已{}", _C.CONFIRMED_ILLEGAL.label)
    CONFIRMED_VOID = _C.CONFIRMED_VOID.value, format_lazy("已{}", _C.CONFIRMED_VOID.label)


class RetentionTerm(models.TextChoices):
    PERMANENT = "permanent", _("永久")
    WITH_FILE = "with_file", _("同案卷")


class Case(BaseModel):
    """An enforcement case.

    General procedure (普通程序, DOMAIN.md §8; the table is ``backend.cases.workflow.TRANSITIONS``)::

        clue_received -> pre_review -> registered | not_registered
        registered -> investigating <-> suspended
        investigating -> investigation_concluded -> case_review | legal_review
        case_review | legal_review -> proposed | investigating (补充调查) | decided (不予处罚/移送)
        proposed -> notified -> hearing_requested -> hearing_scheduled -> hearing_held
                                -> legal_review_post_hearing -> reviewing_defence
                    notified -> reviewing_defence (陈述申辩 heard, waived or window elapsed)
        reviewing_defence -> notified (heavier penalty: new 告知) | deciding
        deciding -> decided -> served -> executing -> closed -> archived
        decided -> closed (不予处罚 / 移送)

    Summary procedure (简易程序): on_site -> filed -> executing -> closed -> archived (filed -> closed).
    """

    class Status(models.TextChoices):
        CLUE_RECEIVED = "clue_received", _("线索登记")
        PRE_REVIEW = "pre_review", _("核查")
        NOT_REGISTERED = "not_registered", _("不予立案")
        REGISTERED = "registered", _("立案")
        INVESTIGATING = "investigating", _("调查取证")
        SUSPENDED = "suspended", _("中止调查")
        INVESTIGATION_CONCLUDED = "investigation_concluded", _("调查终结")
        CASE_REVIEW = "case_review", _("案件审核")
        LEGAL_REVIEW = "legal_review", _("法制审核")
        PROPOSED = "proposed", _("拟处罚")
        NOTIFIED = "notified", _("已事先告知")
        HEARING_REQUESTED = "hearing_requested", _("已申请听证")
        HEARING_SCHEDULED = "hearing_scheduled", _("已安排听证")
        HEARING_HELD = "hearing_held", _("已举行听证")
        LEGAL_REVIEW_POST_HEARING = "legal_review_post_hearing", _("听证后法制审核")
        REVIEWING_DEFENCE = "reviewing_defence", _("复核")
        DECIDING = "deciding", _("待负责人决定")
        DECIDED = "decided", _("已决定")
        SERVED = "served", _("已送达")
        EXECUTING = "executing", _("执行中")
        CLOSED = "closed", _("已结案")
        ARCHIVED = "archived", _("已归档")
        # 简易程序
        ON_SITE = "on_site", _("当场处罚")
        FILED = "filed", _("已备案")

    CLOSED_STATUSES = frozenset({Status.NOT_REGISTERED, Status.CLOSED, Status.ARCHIVED})

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="cases")
    case_number = models.CharField(_("案号"), max_length=64, blank=True, db_index=True)
    procedure = models.CharField(_("程序"), max_length=16, choices=Procedure.choices, default=Procedure.GENERAL)
    category = models.CharField(_("执法类别"), max_length=16, choices=Category.choices, default=Category.PENALTY)
    source = models.CharField(_("案件来源"), max_length=16, choices=Source.choices, default=Source.INSPECTION)
    status = models.CharField(_("状态"), max_length=32, choices=Status.choices, default=Status.CLUE_RECEIVED)
    title = models.CharField(_("案由"), max_length=300)
    # Optimistic concurrency: the ETag of the detail view; bumped on every change.
    version = models.PositiveIntegerField(default=1)

    # 当事人 (the party). A natural person, a 个体工商户 or an organisation; personal data is masked in lists.
    party_type = models.CharField(_("当事人类别"), max_length=16, choices=PartyType.choices)
    party_name = models.CharField(_("当事人姓名/名称"), max_length=200)
    party_id_number = models.CharField(_("身份证件号码"), max_length=32, blank=True)
    party_phone = models.CharField(_("联系电话"), max_length=32, blank=True)
    party_address = models.CharField(_("住址/住所"), max_length=300, blank=True)
    party_uscc = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    party_legal_rep = models.CharField(_("法定代表人/负责人/经营者"), max_length=100, blank=True)
    party_legal_rep_id_number = models.CharField(_("法定代表人身份证件号码"), max_length=32, blank=True)
    party_is_minor = models.BooleanField(_("当事人为未成年人"), default=False)

    # 地点
    place_address = models.CharField(_("案发地点"), max_length=300, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)

    handling_officers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="handled_cases", blank=True, verbose_name=_("承办人员")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("登记人")
    )

    facts = models.TextField(_("违法事实"), blank=True)
    violation_type = models.CharField(_("违法行为类型"), max_length=300, blank=True)
    # [{"law": "中华人民共和国食品安全法", "article": "第一百二十四条", "text": "..."}]
    legal_basis = models.JSONField(_("法律依据"), default=list, blank=True)

    # 拟处罚 / 决定. Measures: [{"kind": PenaltyKind, "amount": "5000.00", "detail": "..."}]
    proposed_measures = models.JSONField(_("拟处罚内容"), default=list, blank=True)
    proposed_fine_amount = models.DecimalField(
        _("拟罚款金额"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    # The proposal as served in the 事先告知书: a heavier decision needs a new 告知 (行政处罚法 第四十五条).
    notified_measures = models.JSONField(default=list, blank=True)
    notified_fine_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    decision_outcome = models.CharField(_("决定结果"), max_length=32, choices=DecisionOutcome.choices, blank=True)
    decided_measures = models.JSONField(_("处罚内容"), default=list, blank=True)
    fine_amount = models.DecimalField(_("罚款金额"), max_digits=14, decimal_places=2, null=True, blank=True)
    confiscation_amount = models.DecimalField(
        _("没收金额"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    decision_number = models.CharField(_("决定书文号"), max_length=128, blank=True, db_index=True)
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_state = models.CharField(
        _("决定效力状态"), max_length=32, choices=DecisionState.choices, blank=True
    )
    defence_adoption = models.TextField(_("陈述申辩采纳情况及理由"), blank=True)

    # 重大执法决定 (filled by the reviews hook when the penalty is proposed)
    is_major = models.BooleanField(_("重大执法决定"), default=False)
    major_reasons = models.JSONField(default=list, blank=True)
    collective_discussion_required = models.BooleanField(_("需集体讨论"), default=False)

    # Key dates (calendar dates in Asia/Shanghai)
    # 行政处罚法 第三十六条: the limitation runs from the day the violation occurred, or, if it was continuing
    # (连续或者继续状态), from the day it ended: enter that day here.
    violation_on = models.DateField(_("违法行为发生（终了）日"), null=True, blank=True)
    # 第三十六条第一款: 涉及公民生命健康安全、金融安全且有危害后果的, the limitation is five years, not two.
    limitation_serious = models.BooleanField(_("涉及生命健康安全、金融安全且有危害后果"), default=False)
    clue_received_on = models.DateField(_("线索登记日"), null=True, blank=True)
    registered_on = models.DateField(_("立案日"), null=True, blank=True)
    investigation_concluded_on = models.DateField(null=True, blank=True)
    notified_on = models.DateField(_("告知书送达日"), null=True, blank=True)
    statement_waived = models.BooleanField(_("明确放弃陈述申辩"), default=False)
    hearing_eligible = models.BooleanField(_("有听证权"), default=False)
    hearing_waived = models.BooleanField(_("明确放弃听证"), default=False)
    hearing_requested_on = models.DateField(null=True, blank=True)
    hearing_date = models.DateField(_("听证日期"), null=True, blank=True)
    hearing_held_on = models.DateField(null=True, blank=True)
    decided_on = models.DateField(_("决定日"), null=True, blank=True)
    served_on = models.DateField(_("送达日"), null=True, blank=True)
    executed_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    archived_on = models.DateField(null=True, blank=True)
    summary_filed_on = models.DateField(_("简易程序备案日"), null=True, blank=True)
    # Approved extensions of the 90-day decision limit, in days (行政处罚法 第六十条; 市场监管 第六十四条).
    decision_extension_days = models.PositiveIntegerField(default=0)
    # A decision made after the limit ran out (no extension approved in time) is still made — the case must
    # be decided, and 移送 of a suspected crime is a duty (国务院令第310号 第三条) — but the lateness is a
    # procedural defect on record: why (``decision_overdue_reason``), the head who answered for it, days over.
    decision_overdue_reason = models.TextField(_("超期作出决定的说明"), blank=True)
    decision_overdue_acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("确认超期的负责人"),
    )
    decision_overdue_days = models.PositiveIntegerField(_("超期天数"), null=True, blank=True)

    # Acts performed in this case (现场检查, 送达, 听证, ...), as recorded by steps and documents.
    performed_activities = models.JSONField(default=list, blank=True)
    # 音像记录: acts the agency's 音像记录事项清单 requires on video but the case's evidence lacks.
    missing_recordings = models.JSONField(default=list, blank=True)

    # Retention and legal hold (档案; DOMAIN.md §3 item 11)
    retention_term = models.CharField(
        _("保存期限"), max_length=16, choices=RetentionTerm.choices, default=RetentionTerm.PERMANENT
    )
    retention_until = models.DateField(_("保存至"), null=True, blank=True)
    legal_hold = models.BooleanField(_("法律保全"), default=False)
    legal_hold_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("执法案件")
        verbose_name_plural = _("执法案件")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["agency", "updated_at"], name="case_agency_updated"),
            models.Index(fields=["agency", "status"], name="case_agency_status"),
            # The list's order within an agency (newest first, id as tie-break; cases/apis.py): without it the
            # plan walks the global created_at index and filters out every other agency's cases, which for a
            # small agency in a province-wide table is most of the table (bench/bench_case_list.py).
            models.Index(fields=["agency", "-created_at", "id"], name="case_agency_created"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "case_number"],
                condition=~models.Q(case_number=""),
                name="uniq_case_number_per_agency",
            ),
            models.CheckConstraint(
                condition=models.Q(fine_amount__isnull=True) | models.Q(fine_amount__gte=Decimal("0")),
                name="case_fine_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.case_number or self.title

    @property
    def is_open(self) -> bool:
        return self.status not in self.CLOSED_STATUSES

    @property
    def has_missing_recordings(self) -> bool:
        return bool(self.missing_recordings)


class Activity(models.TextChoices):
    """Enforcement acts a step can record; values are the Chinese names the evidence app also uses
    (``EvidenceItem.activity``). DOMAIN.md §3 items 3–4."""

    ON_SITE_INSPECTION = "现场检查", _("现场检查")
    INQUIRY = "询问", _("询问")
    ROOM_INTERVIEW = "执法办案场所询问", _("执法办案场所询问")
    SAMPLING = "抽样取证", _("抽样取证")
    PRESERVATION = "先行登记保存", _("先行登记保存")
    SEIZURE = "查封扣押", _("查封扣押")
    FREEZE = "冻结", _("冻结")
    FORCED_DEMOLITION = "强制拆除", _("强制拆除")
    SERVICE = "送达", _("送达")
    SERVICE_LEFT = "留置送达", _("留置送达")
    SERVICE_PUBLIC = "公告送达", _("公告送达")
    HEARING = "听证", _("听证")
    ON_SPOT_PENALTY = "当场处罚", _("当场处罚")
    ENFORCEMENT = "强制执行", _("强制执行")


# 全程音像记录 the law itself requires, whatever an agency's 音像记录事项清单 says (DOMAIN.md §3 item 3):
# on-site 查封、扣押财产 and 强制拆除, and questioning in 执法办案场所 (国办发〔2018〕118号 (八)).
STATUTORY_FULL_RECORDING = frozenset({Activity.SEIZURE, Activity.FORCED_DEMOLITION, Activity.ROOM_INTERVIEW})


class CaseRules(BaseModel):
    """Per-agency parameters of the case workflow. Defaults follow the national texts and 市场监管 rules
    (DOMAIN.md §0: values that differ between ministries and provinces are per-agency settings)."""

    agency = models.OneToOneField("accounts.Agency", on_delete=models.CASCADE, related_name="case_rules")
    # 机关代字 used in 案号 and 文号, e.g. "辽市监".
    number_prefix = models.CharField(_("机关代字"), max_length=20, blank=True)
    case_number_format = models.CharField(max_length=100, default="{prefix}立字〔{year}〕{seq:04d}号")
    decision_number_format = models.CharField(max_length=100, default="{prefix}罚字〔{year}〕{seq:04d}号")
    summary_number_format = models.CharField(max_length=100, default="{prefix}简罚〔{year}〕{seq:04d}号")
    no_penalty_number_format = models.CharField(max_length=100, default="{prefix}不罚字〔{year}〕{seq:04d}号")
    transfer_number_format = models.CharField(max_length=100, default="{prefix}移字〔{year}〕{seq:04d}号")
    # 行政处罚法 第四十二条、第五十二条: 不得少于两人 (unless a law provides otherwise).
    min_officers = models.PositiveSmallIntegerField(default=2)
    # 市场监管 第五十七条: 5 working days (other agencies configure their own).
    statement_window_workdays = models.PositiveSmallIntegerField(default=5)
    # 行政处罚法 第六十四条第一项.
    hearing_request_window_workdays = models.PositiveSmallIntegerField(default=5)
    # 公告送达 is deemed served this many days after publication (民事诉讼法 第九十五条: 30; 交通运输: 60).
    public_notice_service_days = models.PositiveSmallIntegerField(default=30)
    # 行政处罚法 第六十条 (90 days) and 市场监管 第六十四条 (+30 with approval).
    decision_days = models.PositiveSmallIntegerField(default=90)
    decision_extension_days = models.PositiveSmallIntegerField(default=30)
    # 市场监督管理行政处罚听证办法 第五条 (较大数额罚款); provinces may differ.
    hearing_fine_threshold_person = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("10000"))
    hearing_fine_threshold_org = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("100000"))
    # 行政处罚法 第五十一条.
    summary_max_fine_person = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("200"))
    summary_max_fine_org = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("3000"))

    class Meta:
        verbose_name = _("案件办理参数")
        verbose_name_plural = _("案件办理参数")

    def __str__(self) -> str:
        return f"{self.agency} 案件办理参数"


class NumberSequence(models.Model):
    """Per agency, year and kind: the last number issued (案号, 决定书文号, ...). Locked while issuing."""

    agency = models.ForeignKey("accounts.Agency", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=32)
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "year", "kind"], name="uniq_number_sequence")]

    def __str__(self) -> str:
        return f"{self.agency_id}/{self.year}/{self.kind}={self.last_value}"


class CaseTransition(models.Model):
    """One row per status change: who, when, where, from which device, and why (全过程记录)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="transitions")
    name = models.CharField(max_length=40)
    from_status = models.CharField(max_length=32, blank=True)
    to_status = models.CharField(max_length=32)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField(max_length=150, blank=True)
    occurred_at = models.DateTimeField(db_index=True)
    device_id = models.UUIDField(null=True, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    comment = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    # The audit event that records this transition (the timeline joins on it). Its ``seq`` is set once the
    # ledger sequencer has chained it (backend/ledger/sequencer.py), usually milliseconds after the commit.
    audit_event = models.ForeignKey(
        "ledger.AuditEvent", null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )

    class Meta:
        ordering = ["occurred_at"]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.from_status} -> {self.to_status}"


class DocumentType(models.TextChoices):
    """执法文书 (司法部 基本格式 / 市场监管 文书格式范本)."""

    FILING_APPROVAL = "filing_approval", _("立案审批表")
    NOT_REGISTERED_APPROVAL = "not_registered_approval", _("不予立案审批表")
    INSPECTION_RECORD = "inspection_record", _("现场检查（勘验）笔录")
    INQUIRY_RECORD = "inquiry_record", _("询问笔录")
    SAMPLING_RECORD = "sampling_record", _("抽样记录")
    PRESERVATION_DECISION = "preservation_decision", _("先行登记保存决定书")
    SEIZURE_DECISION = "seizure_decision", _("查封（扣押）决定书")
    SEIZURE_RELEASE = "seizure_release", _("解除查封（扣押）决定书")
    SUSPENSION_APPROVAL = "suspension_approval", _("中止调查审批表")
    EXTENSION_APPROVAL = "extension_approval", _("延长期限审批表")
    INVESTIGATION_REPORT = "investigation_report", _("调查终结报告")
    PENALTY_NOTICE = "penalty_notice", _("行政处罚告知书")
    STATEMENT_RECORD = "statement_record", _("陈述申辩笔录")
    HEARING_NOTICE = "hearing_notice", _("听证通知书")
    HEARING_RECORD = "hearing_record", _("听证笔录")
    COLLECTIVE_DISCUSSION = "collective_discussion", _("集体讨论记录")
    DECISION = "decision", _("行政处罚决定书")
    SUMMARY_DECISION = "summary_decision", _("当场行政处罚决定书")
    NO_PENALTY_DECISION = "no_penalty_decision", _("不予行政处罚决定书")
    TRANSFER_LETTER = "transfer_letter", _("案件移送函")
    SERVICE_RECEIPT = "service_receipt", _("送达回证")
    CLOSURE_APPROVAL = "closure_approval", _("结案审批表")
    CORRECTION_DECISION = "correction_decision", _("变更/撤销决定")
    OTHER = "other", _("其他文书")


class EnforcementDocument(models.Model):
    """A structured 执法文书 attached to a step (DOMAIN.md §3 item 1: 时间、地点、执法人员、执法对象、
    执法内容、执法过程). Append-only: a correction is a new document that ``supersedes`` the old one.
    Signed scans arrive as evidence uploads and are linked through ``attachment_ids``."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="documents")
    doc_type = models.CharField(max_length=32, choices=DocumentType.choices)
    number = models.CharField(_("文号"), max_length=128, blank=True)
    title = models.CharField(max_length=200, blank=True)
    step = models.CharField(_("所属环节"), max_length=40, blank=True)
    activity = models.CharField(_("执法行为"), max_length=32, choices=Activity.choices, blank=True)
    occurred_at = models.DateTimeField(_("制作时间"))
    place = models.CharField(_("地点"), max_length=300, blank=True)
    officer_ids = models.JSONField(_("执法人员"), default=list, blank=True)
    content = models.JSONField(_("正文"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    attachment_ids = models.JSONField(_("附件（证据）"), default=list, blank=True)
    supersedes = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # The audit event that records this document (see CaseTransition.audit_event).
    audit_event = models.ForeignKey(
        "ledger.AuditEvent", null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )

    class Meta:
        ordering = ["occurred_at", "created_at"]
        verbose_name = _("执法文书")
        verbose_name_plural = _("执法文书")

    def __str__(self) -> str:
        return f"{self.get_doc_type_display()} {self.number}".strip()


class CasePause(models.Model):
    """A period in which the decision clock stands still (市场监管 第六十四条: 中止、听证、公告、检测鉴定)."""

    class Kind(models.TextChoices):
        SUSPENSION = "suspension", _("中止调查")
        HEARING = "hearing", _("听证")
        PUBLIC_NOTICE = "public_notice", _("公告")
        TESTING = "testing", _("检测、检验、检疫、鉴定")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="pauses")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["started_on", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.started_on}–{self.ended_on or ''}"


class DeadlineExtension(models.Model):
    """An approval record extending a deadline (e.g. decision +30 days, 行政处罚法 第六十条)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="extensions")
    rule_code = models.CharField(max_length=40)
    length = models.PositiveIntegerField()
    reason = models.TextField()
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField()
    document = models.ForeignKey(EnforcementDocument, null=True, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"{self.rule_code} +{self.length}"


class CaseDeadline(models.Model):
    """One time limit of one case, computed with the official working-day calendar.

    ``kind``: ``duty`` (the agency must act by ``due_on``; overdue reaches the supervision view),
    ``window`` (a party's window: elapses, never overdue), ``party`` (the party's obligation, e.g. paying).
    """

    class Kind(models.TextChoices):
        DUTY = "duty", _("机关办理期限")
        WINDOW = "window", _("当事人权利期间")
        PARTY = "party", _("当事人履行期限")

    class State(models.TextChoices):
        DUE = "due", _("未到期")
        MET = "met", _("已完成")
        OVERDUE = "overdue", _("已逾期")
        PAUSED = "paused", _("已暂停")
        CANCELLED = "cancelled", _("已取消")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="deadlines")
    rule_code = models.CharField(max_length=40)
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.DUTY)
    anchor_on = models.DateField()
    due_on = models.DateField(db_index=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.DUE, db_index=True)
    # True when the due date depends on a year without official holiday data: counted with the statutory
    # holidays and the asymmetric rule (party windows latest, duties earliest; common/workcalendar.py) and
    # recomputed by common.calendar_recompute once the year is entered.
    provisional = models.BooleanField(default=False)
    # The period's length when it is not the rule's own (an agency's setting), so a recompute counts the same.
    length = models.PositiveIntegerField(null=True, blank=True)
    extensions = models.PositiveSmallIntegerField(default=0)
    paused_days = models.PositiveIntegerField(default=0)
    met_on = models.DateField(null=True, blank=True)
    met_late = models.BooleanField(default=False)
    source = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [models.UniqueConstraint(fields=["case", "rule_code"], name="uniq_case_deadline_rule")]

    def __str__(self) -> str:
        return f"{self.rule_code} {self.due_on} {self.state}"


class Reminder(models.Model):
    """An escalating reminder of a time limit (DOMAIN.md §8: T-3 and T-1 working days, then overdue), to the
    users listed. Concrete reminders add what they remind of and are unique per due date, so a replayed
    periodic task issues nothing twice and a new due date (an extension) starts a new series."""

    class Kind(models.TextChoices):
        T_MINUS_3 = "t-3", _("到期前3个工作日")
        T_MINUS_1 = "t-1", _("到期前1个工作日")
        OVERDUE = "overdue", _("已逾期")
        # The year's holiday notice was entered or corrected and the due date moved earlier.
        MOVED_EARLIER = "earlier", _("期限提前")

    kind = models.CharField(max_length=8, choices=Kind.choices)
    due_on = models.DateField()
    issued_on = models.DateField()
    recipient_ids = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class DeadlineReminder(Reminder):
    """A reminder of a case deadline."""

    deadline = models.ForeignKey(CaseDeadline, on_delete=models.CASCADE, related_name="reminders")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["deadline", "kind", "due_on"], name="uniq_deadline_reminder")
        ]

    def __str__(self) -> str:
        return f"{self.deadline} {self.kind}"


class CashCollection(models.Model):
    """当场收缴罚款 (行政处罚法 第六十八条至第七十一条) and the money's way to the bank.

    Who may collect on the spot: a 简易程序 decision (第五十一条) fining 100 yuan or less (第六十八条第一项), or one
    that could hardly be enforced afterwards (第六十八条第二项); in 边远、水上、交通不便地区, any fine decided under
    第五十一条 or 第五十七条 when paying at the bank is really difficult and the party asks (第六十九条). The
    party gets the province's 专用票据, whose number is recorded (第七十条). The officer hands the money to the
    agency within 2 working days of collecting it — on water, of reaching the shore — and the agency pays it
    into the designated bank within 2 working days (第七十一条; 第八十五条: 二日 are working days): the deadlines
    ``CASH_FINE_HANDOVER`` and ``CASH_FINE_BANK_DEPOSIT``, met when the hand-in and the deposit are recorded.
    """

    class Ground(models.TextChoices):
        SMALL_FINE = "small_fine", _("依法给予一百元以下罚款")  # 第六十八条第一项
        HARD_TO_ENFORCE = "hard_to_enforce", _("不当场收缴事后难以执行")  # 第六十八条第二项
        REMOTE_AREA = "remote_area", _("边远、水上、交通不便地区当事人提出")  # 第六十九条

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="cash_collection")
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    ground = models.CharField(_("当场收缴情形"), max_length=20, choices=Ground.choices)
    ground_note = models.CharField(_("情形说明"), max_length=500, blank=True)
    party_requested = models.BooleanField(_("当事人提出当场缴纳"), default=False)
    amount = models.DecimalField(_("收缴金额"), max_digits=14, decimal_places=2)
    receipt_number = models.CharField(_("罚没款专用票据号码"), max_length=64)
    collected_at = models.DateTimeField(_("收缴时间"))
    collected_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    on_water = models.BooleanField(_("水上收缴"), default=False)
    landed_on = models.DateField(_("抵岸日"), null=True, blank=True)
    handed_in_on = models.DateField(_("交至行政机关日"), null=True, blank=True)
    handed_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    deposited_on = models.DateField(_("缴付指定银行日"), null=True, blank=True)
    bank_receipt_number = models.CharField(_("银行缴款凭证号"), max_length=64, blank=True)
    deposited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("当场收缴罚款")
        verbose_name_plural = _("当场收缴罚款")
        constraints = [
            models.UniqueConstraint(fields=["agency", "receipt_number"], name="uniq_cash_receipt_per_agency"),
            models.CheckConstraint(condition=models.Q(amount__gt=Decimal("0")), name="cash_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.amount} {self.receipt_number}"


class DecisionCorrection(models.Model):
    """A later 变更/撤销/确认违法/确认无效 of a decision (行政处罚法 第四十八条第二款)."""

    class Kind(models.TextChoices):
        """What the agency records (复议, 诉讼 or self-correction): every :class:`DecisionChange` but 要求重新作出,
        which follows a 撤销 and is recorded as that 撤销."""

        CHANGED = _C.CHANGED.value, _C.CHANGED.label
        REVOKED = _C.REVOKED.value, _C.REVOKED.label
        CONFIRMED_ILLEGAL = _C.CONFIRMED_ILLEGAL.value, _C.CONFIRMED_ILLEGAL.label
        CONFIRMED_VOID = _C.CONFIRMED_VOID.value, _C.CONFIRMED_VOID.label

    class By(models.TextChoices):
        RECONSIDERATION = "reconsideration", _("行政复议")
        LITIGATION = "litigation", _("行政诉讼")
        SELF_CORRECTION = "self_correction", _("自行纠正")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="corrections")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    by = models.CharField(max_length=20, choices=By.choices)
    effective_on = models.DateField()
    reason = models.TextField()
    reference = models.CharField(_("复议决定书/判决书文号"), max_length=128, blank=True)
    previous_measures = models.JSONField(default=list, blank=True)
    new_measures = models.JSONField(default=list, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"


class RecordingRequirement(BaseModel):
    """One line of an agency's 音像记录事项清单: which act must be recorded on audio-video and how long the
    recording is kept (DOMAIN.md §3 items 3, 4, 11)."""

    class Level(models.TextChoices):
        FULL = "full", _("全程音像记录")
        REQUIRED = "required", _("应当音像记录")

    agency = models.ForeignKey("accounts.Agency", on_delete=models.CASCADE, related_name="recording_requirements")
    activity = models.CharField(max_length=32, choices=Activity.choices)
    level = models.CharField(max_length=10, choices=Level.choices, default=Level.REQUIRED)
    retention = models.CharField(max_length=16, choices=RetentionTerm.choices, default=RetentionTerm.PERMANENT)
    basis = models.CharField(_("依据"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("音像记录事项")
        verbose_name_plural = _("音像记录事项清单")
        ordering = ["agency", "activity"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "activity"], name="uniq_recording_requirement")
        ]

    def __str__(self) -> str:
        return f"{self.agency}: {self.activity}"
