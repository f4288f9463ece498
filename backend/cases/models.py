"""Enforcement cases (执法案件) and their whole-process record (全过程记录).

The lifecycle (DOMAIN.md §8) is the ``Case.Status`` choices plus the transition table in
:mod:`backend.cases.workflow`; every transition is one service in :mod:`backend.cases.services`.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

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


class PartyType(models.TextChoices):
    PERSON = "person", _("自然人")
    ORGANISATION = "organisation", _("法人或其他组织")


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


class DecisionOutcome(models.TextChoices):
    """行政处罚法 第五十七条: what the head decides after the investigation."""

    PENALTY = "penalty", _("给予行政处罚")
    NO_PENALTY = "no_penalty", _("不予行政处罚")
    TRANSFER_JUDICIAL = "transfer_judicial", _("移送司法机关")
    TRANSFER_OTHER = "transfer_other", _("移送其他部门")


class DecisionState(models.TextChoices):
    """What later happened to a decision (复议、诉讼 or self-correction); 行政处罚法 第四十八条第二款."""

    EFFECTIVE = "effective", _("有效")
    CHANGED = "changed", _("已变更")
    REVOKED = "revoked", _("已撤销")
    CONFIRMED_ILLEGAL = "confirmed_illegal", _("已确认违法")
    CONFIRMED_VOID = "confirmed_void", _("已确认无效")


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

    # 当事人 (the party). A natural person or an organisation; personal data is masked in lists.
    party_type = models.CharField(_("当事人类别"), max_length=16, choices=PartyType.choices)
    party_name = models.CharField(_("当事人姓名/名称"), max_length=200)
    party_id_number = models.CharField(_("身份证件号码"), max_length=32, blank=True)
    party_phone = models.CharField(_("联系电话"), max_length=32, blank=True)
    party_address = models.CharField(_("住址/住所"), max_length=300, blank=True)
    party_uscc = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    party_legal_rep = models.CharField(_("法定代表人/负责人"), max_length=100, blank=True)
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
