"""重大执法决定法制审核 and 案件审核: catalog, checklist templates, review rounds and their records.

The legal gate (行政处罚法 第五十八条): before the head decides a major case, the agency's legal reviewers
review it; without a passed review the decision must not be made. Lighter 案件审核 (市场监督管理行政处罚
程序规定 第四十九条至第五十五条) uses the same round machinery with a shorter checklist.

Review round status transitions (enforced by :mod:`backend.reviews.services`)::

    pending -> in_review            (assign; the first assignment needs 法律职业资格)
    in_review -> in_review          (reassign)
    in_review -> pending            (reviewer recuses: 回避)
    in_review -> supplementing      (reviewer asks for materials; the time-limit clock pauses)
    supplementing -> in_review      (materials supplied; the clock resumes)
    in_review -> completed          (outcome: approved | correction_required | supplementary_investigation | other)
    pending | in_review | supplementing -> withdrawn   (handler withdraws, or a newer round supersedes it)

A resubmission opens round n+1 with ``previous_round`` pointing back; history is never overwritten.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from backend.cases.models import Reminder
from backend.common.models import BaseModel
from backend.common.workdays import get_rule, workdays_of
from backend.reviews import major
from backend.reviews.checklist import ITEM_RESULT_LABELS, ItemResult, ReviewKind


class Kind(models.TextChoices):
    LEGAL_REVIEW = ReviewKind.LEGAL_REVIEW.value, _("法制审核")
    CASE_REVIEW = ReviewKind.CASE_REVIEW.value, _("案件审核")


class ReviewSettings(BaseModel):
    """Per-agency parameters (DOMAIN §4.8, §4.4, §4.11; §10 item 3: the agency sets its own limits)."""

    agency = models.OneToOneField("accounts.Agency", on_delete=models.CASCADE, related_name="review_settings")
    # 市场监督管理行政处罚程序规定 第五十五条: 十个工作日 (内蒙古: 五个工作日).
    # The agency's time limits are data on top of the LEGAL_REVIEW / CASE_REVIEW rules (DEADLINE_RULES, the one
    # definition): the defaults are read from them.
    legal_review_workdays = models.PositiveSmallIntegerField(
        _("法制审核时限（工作日）"), default=workdays_of("LEGAL_REVIEW")
    )
    case_review_workdays = models.PositiveSmallIntegerField(
        _("案件审核时限（工作日）"), default=workdays_of("CASE_REVIEW")
    )
    extension_workdays = models.PositiveSmallIntegerField(
        _("每次延长（工作日）"), default=get_rule("LEGAL_REVIEW").extension or 0
    )
    # None: no cap (市场监管: 经审核机构负责人批准可以延长); 内蒙古: one extension.
    max_extensions = models.PositiveSmallIntegerField(_("最多延长次数"), null=True, blank=True)
    # 国办发〔2018〕118号 (十一): 原则上不少于本单位执法人员总数的5%.
    reviewer_ratio_guideline = models.DecimalField(max_digits=5, decimal_places=4, default=Decimal("0.05"))
    # 市场监督管理行政处罚程序规定 第六十条第二款: 法制审核案件 decided by 集体讨论.
    collective_discussion_for_major = models.BooleanField(_("法制审核案件须集体讨论"), default=True)
    collective_min_participants = models.PositiveSmallIntegerField(_("集体讨论最少人数"), default=3)
    opinion_number_prefix = models.CharField(_("审核意见书文号代字"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("法制审核参数")
        verbose_name_plural = _("法制审核参数")

    def __str__(self) -> str:
        return f"{self.agency} 法制审核参数"


# --------------------------------------------------------------------------- catalog (目录清单)


class MajorCatalog(BaseModel):
    """One version of an agency's 重大执法决定法制审核目录清单 (国办发〔2018〕118号 (十二)).

    A draft is edited; publishing fixes ``effective_from`` and freezes the rules forever (a change is a new
    version). The version in force on a day is the published one with the latest ``effective_from`` not
    after that day. Evaluations store the version they used, so later versions never touch earlier cases.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")

    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="major_catalogs")
    version = models.PositiveIntegerField()
    title = models.CharField(_("名称"), max_length=200)
    document_number = models.CharField(_("发文字号"), max_length=100, blank=True)
    basis = models.TextField(_("制定依据"), blank=True)
    note = models.TextField(_("说明"), blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    effective_from = models.DateField(_("施行日期"), null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("重大执法决定法制审核目录清单")
        verbose_name_plural = _("重大执法决定法制审核目录清单")
        ordering = ["agency", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "version"], name="uniq_catalog_version"),
            models.CheckConstraint(
                condition=~models.Q(status="published") | models.Q(effective_from__isnull=False),
                name="catalog_published_has_effective_from",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title}（第{self.version}版）"

    @property
    def label(self) -> str:
        return f"目录清单第{self.version}版"

    def rule_specs(self) -> list[major.RuleSpec]:
        return [rule.as_spec() for rule in self.rules.all()]


class CatalogRule(models.Model):
    """One line of a catalog. Which fields matter depends on ``kind`` (see :class:`major.RuleKind`)."""

    KIND_CHOICES: ClassVar[list[tuple[str, str]]] = [(k.value, major.RULE_KIND_LABELS[k]) for k in major.RuleKind]

    catalog = models.ForeignKey(MajorCatalog, on_delete=models.CASCADE, related_name="rules")
    code = models.SlugField(_("编码"), max_length=50)
    order = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=24, choices=KIND_CHOICES)
    description = models.CharField(_("公开表述"), max_length=300)
    party_types = models.JSONField(_("适用当事人类别"), default=list, blank=True)
    amount = models.DecimalField(_("数额标准（元）"), max_digits=14, decimal_places=2, null=True, blank=True)
    # True: "以上"（含本数, ≥）; False: "超过"（>）. Published catalogs use both (DOMAIN §7).
    inclusive = models.BooleanField(_("含本数"), default=True)
    measures = models.JSONField(_("处罚种类"), default=list, blank=True)
    flag = models.CharField(_("情形"), max_length=32, blank=True)
    law_name = models.CharField(_("法律法规名称"), max_length=200, blank=True)

    class Meta:
        ordering = ["catalog", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["catalog", "code"], name="uniq_catalog_rule_code")]

    def __str__(self) -> str:
        return f"{self.code}: {self.description}"

    def as_spec(self) -> major.RuleSpec:
        return major.RuleSpec(
            code=self.code,
            kind=self.kind,
            description=self.description,
            party_types=frozenset(self.party_types or ()),
            amount=self.amount,
            inclusive=self.inclusive,
            measures=major.normalise_measures(self.measures),
            flag=self.flag,
            law_name=self.law_name,
            rule_id=self.pk,
            order=self.order,
        )


# --------------------------------------------------------------------------- checklist templates


class ChecklistTemplate(BaseModel):
    """A versioned list of review items. ``agency`` null: the statutory list (copied from
    :mod:`backend.reviews.checklist`); otherwise one agency's *additional* items (never a removal)."""

    kind = models.CharField(max_length=16, choices=Kind.choices)
    agency = models.ForeignKey(
        "accounts.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="checklist_templates"
    )
    version = models.PositiveIntegerField()
    effective_from = models.DateField()
    note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["kind", "agency_id", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "version"], condition=models.Q(agency__isnull=True), name="uniq_statutory_checklist"
            ),
            models.UniqueConstraint(
                fields=["kind", "agency", "version"],
                condition=models.Q(agency__isnull=False),
                name="uniq_agency_checklist",
            ),
        ]

    def __str__(self) -> str:
        owner = self.agency or "法定"
        return f"{owner} {self.get_kind_display()}审核内容 第{self.version}版"


class ChecklistTemplateItem(models.Model):
    template = models.ForeignKey(ChecklistTemplate, on_delete=models.CASCADE, related_name="items")
    code = models.SlugField(max_length=50)
    order = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    guidance = models.TextField(blank=True)
    source = models.CharField(max_length=200, blank=True)
    statutory = models.BooleanField(default=False)

    class Meta:
        ordering = ["template", "order"]
        constraints = [models.UniqueConstraint(fields=["template", "code"], name="uniq_template_item_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


# --------------------------------------------------------------------------- case-side review facts


class CaseReviewFlags(BaseModel):
    """What the handling officer (or head) declares about a case for the major-decision test
    (行政处罚法 第五十八条第一款第一、三、四项; 国办发〔2018〕118号 (十二))."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="review_flags")
    public_interest = models.BooleanField(_("涉及重大公共利益"), default=False)
    complex_multi_legal = models.BooleanField(_("案情疑难复杂、涉及多个法律关系"), default=False)
    social_risk = models.BooleanField(_("可能造成重大社会影响或引发社会风险"), default=False)
    law_requires = models.BooleanField(_("法律、法规规定应当法制审核"), default=False)
    law_requires_citation = models.CharField(_("规定应当审核的法律条文"), max_length=300, blank=True)
    discretion_deviation = models.BooleanField(_("减轻或从重超出裁量基准"), default=False)
    head_referral = models.BooleanField(_("负责人决定提交法制审核"), default=False)
    note = models.TextField(blank=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    FLAG_FIELDS: ClassVar[dict[str, str]] = {
        "public_interest": major.Flag.PUBLIC_INTEREST,
        "complex_multi_legal": major.Flag.COMPLEX,
        "social_risk": major.Flag.SOCIAL_RISK,
        "law_requires": major.Flag.LAW_REQUIRES,
        "discretion_deviation": major.Flag.DISCRETION_DEVIATION,
        "head_referral": major.Flag.HEAD_REFERRAL,
    }

    def __str__(self) -> str:
        return f"{self.case_id} flags"

    def as_flags(self) -> frozenset[str]:
        return frozenset(str(flag) for field, flag in self.FLAG_FIELDS.items() if getattr(self, field))


class MajorEvaluation(models.Model):
    """One evaluation of a case against the statute and the catalog in force, kept forever.

    The reasons and the catalog version are stored here (and on the case), so publishing a new catalog
    later never changes why an earlier case was, or was not, major.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="major_evaluations")
    catalog = models.ForeignKey(MajorCatalog, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    catalog_version = models.PositiveIntegerField(null=True, blank=True)
    proposal = models.JSONField(default=dict)
    reasons = models.JSONField(default=list)
    is_major = models.BooleanField()
    evaluated_at = models.DateTimeField(db_index=True)
    trigger = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["-evaluated_at"]

    def __str__(self) -> str:
        return f"{self.case_id} major={self.is_major} @ {self.evaluated_at:%Y-%m-%d}"


# --------------------------------------------------------------------------- rounds


class ReviewRound(BaseModel):
    """One submission of a case for review and everything that happened to it. See the module docstring."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待分配")
        IN_REVIEW = "in_review", _("审核中")
        SUPPLEMENTING = "supplementing", _("补充材料中")
        COMPLETED = "completed", _("已出具意见")
        WITHDRAWN = "withdrawn", _("已撤回")

    class Outcome(models.TextChoices):
        # 国办发〔2018〕118号 (十三); 市场监督管理行政处罚程序规定 第五十四条.
        APPROVED = "approved", _("同意")
        CORRECTION_REQUIRED = "correction_required", _("建议纠正")
        SUPPLEMENTARY_INVESTIGATION = "supplementary_investigation", _("建议补充调查")
        OTHER = "other", _("其他意见")

    TRANSITIONS: ClassVar[dict[str, frozenset[str]]] = {
        Status.PENDING: frozenset({Status.IN_REVIEW, Status.WITHDRAWN}),
        Status.IN_REVIEW: frozenset(
            {Status.IN_REVIEW, Status.PENDING, Status.SUPPLEMENTING, Status.COMPLETED, Status.WITHDRAWN}
        ),
        Status.SUPPLEMENTING: frozenset({Status.IN_REVIEW, Status.WITHDRAWN}),
        Status.COMPLETED: frozenset(),
        Status.WITHDRAWN: frozenset(),
    }
    OPEN_STATUSES: ClassVar[frozenset[str]] = frozenset({Status.PENDING, Status.IN_REVIEW, Status.SUPPLEMENTING})

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="review_rounds")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="review_rounds")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    number = models.PositiveSmallIntegerField()
    post_hearing = models.BooleanField(_("听证后审核"), default=False)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True)
    outcome = models.CharField(max_length=32, choices=Outcome.choices, blank=True)
    previous_round = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    # What was submitted, frozen (DOMAIN §4.5): later changes to the case do not change it.
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField()
    package = models.JSONField(default=dict)
    evidence_manifest = models.JSONField(default=list)
    package_sha256 = models.CharField(max_length=64)
    proposal_fingerprint = models.CharField(max_length=64, db_index=True)
    major_reasons = models.JSONField(default=list)
    catalog = models.ForeignKey(MajorCatalog, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    # Assignment and time limit (DOMAIN §4.8).
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="assigned_reviews"
    )
    assigned_at = models.DateTimeField(null=True, blank=True)
    received_on = models.DateField(_("收到审核材料日"))
    time_limit_workdays = models.PositiveSmallIntegerField()
    extension_workdays = models.PositiveSmallIntegerField(default=0)
    paused_workdays = models.PositiveSmallIntegerField(default=0)
    paused_since = models.DateField(null=True, blank=True)
    due_on = models.DateField(_("审核期限"), db_index=True)
    due_provisional = models.BooleanField(default=False)

    # The written opinion (审核意见书).
    opinion_number = models.CharField(_("审核意见书文号"), max_length=100, blank=True)
    opinion_text = models.TextField(_("审核意见"), blank=True)
    correction_points = models.JSONField(default=list, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    opinion_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("审核轮次")
        verbose_name_plural = _("审核轮次")
        ordering = ["due_on", "submitted_at"]
        constraints = [
            models.UniqueConstraint(fields=["case", "kind", "number"], name="uniq_review_round_number"),
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(status__in=["pending", "in_review", "supplementing"]),
                name="one_open_review_round_per_case",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="completed") | ~models.Q(outcome=""), name="completed_round_has_outcome"
            ),
        ]
        indexes = [models.Index(fields=["agency", "status", "due_on"], name="review_queue_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} 第{self.number}轮 ({self.case_id})"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def passed(self) -> bool:
        return self.status == self.Status.COMPLETED and self.outcome == self.Outcome.APPROVED


class ChecklistEntry(models.Model):
    """One checklist item of one round: the frozen item text, the automatic hints and the reviewer's call."""

    RESULT_CHOICES: ClassVar[list[tuple[str, str]]] = [(r.value, ITEM_RESULT_LABELS[r]) for r in ItemResult]

    round = models.ForeignKey(ReviewRound, on_delete=models.CASCADE, related_name="checklist")
    code = models.SlugField(max_length=50)
    order = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    guidance = models.TextField(blank=True)
    source = models.CharField(max_length=200, blank=True)
    statutory = models.BooleanField(default=False)
    template = models.ForeignKey(ChecklistTemplate, on_delete=models.PROTECT, related_name="+")
    # Automatic pre-checks: [{"check": "credentials", "status": "ok|problem|pending|unknown", "message", "data"}]
    hints = models.JSONField(default=list, blank=True)
    result = models.CharField(max_length=16, choices=RESULT_CHOICES, blank=True)
    note = models.TextField(blank=True)
    filled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    filled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["round", "order"]
        constraints = [
            models.UniqueConstraint(fields=["round", "code"], name="uniq_round_checklist_code"),
            # 不符合 needs the reviewer's reason.
            models.CheckConstraint(
                condition=~models.Q(result="nonconforming") | ~models.Q(note=""), name="nonconforming_needs_note"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}={self.result or '-'}"


class ReviewAssignment(models.Model):
    """History of who held a round (assignment, reassignment, recusal)."""

    round = models.ForeignKey(ReviewRound, on_delete=models.CASCADE, related_name="assignments")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField()
    reason = models.CharField(max_length=300, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["assigned_at"]

    def __str__(self) -> str:
        return f"{self.round_id} → {self.reviewer_id}"


class Recusal(models.Model):
    """回避: a reviewer who may not review this case (handler, approver, party-related, declared)."""

    class Reason(models.TextChoices):
        HANDLER = "handler", _("案件承办人员")
        APPROVER = "approver", _("参与审批本案")
        PARTY_RELATED = "party_related", _("与当事人有利害关系")
        OTHER = "other", _("其他可能影响公正审核的情形")

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="review_recusals")
    round = models.ForeignKey(ReviewRound, null=True, blank=True, on_delete=models.PROTECT, related_name="recusals")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=16, choices=Reason.choices)
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["recorded_at"]

    def __str__(self) -> str:
        return f"{self.reviewer_id} 回避 {self.case_id}"


class SupplementRequest(models.Model):
    """A request for more materials (补充材料). The round's clock is paused until it is answered
    (内蒙古…法制审核办法 第三十一条: 补充材料的时间不计入审核期限)."""

    round = models.ForeignKey(ReviewRound, on_delete=models.CASCADE, related_name="supplements")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_on = models.DateField()
    requested_at = models.DateTimeField()
    items = models.TextField(_("需补充的材料"))
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_on = models.DateField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    response = models.TextField(blank=True)
    added_evidence = models.JSONField(default=list, blank=True)
    paused_workdays = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["requested_at"]

    def __str__(self) -> str:
        return f"{self.round_id} 补充材料 {self.requested_on}"


class ReviewExtension(models.Model):
    """An extension of the review time limit, requested by the reviewer and approved by the head
    (市场监督管理行政处罚程序规定 第五十五条: 经审核机构负责人批准可以延长)."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("待批准")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("未批准")

    round = models.ForeignKey(ReviewRound, on_delete=models.CASCADE, related_name="extensions")
    workdays = models.PositiveSmallIntegerField()
    reason = models.TextField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.REQUESTED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["requested_at"]

    def __str__(self) -> str:
        return f"{self.round_id} +{self.workdays} {self.status}"


class ReviewReminder(Reminder):
    """A reminder that a review round's time limit is near or past (see :class:`~backend.cases.models.Reminder`)."""

    round = models.ForeignKey(ReviewRound, on_delete=models.CASCADE, related_name="reminders")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "kind", "due_on"], name="uniq_review_reminder")]

    def __str__(self) -> str:
        return f"{self.round_id} {self.kind} {self.due_on}"


class ReviewDispute(models.Model):
    """The handling unit disagrees with an opinion (DOMAIN §4.9; 国办发〔2018〕118号 (十四); 内蒙古 第三十二条):
    escalated to the agency head or a collective meeting, and the resolution recorded."""

    class Status(models.TextChoices):
        OPEN = "open", _("待处理")
        RESOLVED = "resolved", _("已处理")

    class EscalateTo(models.TextChoices):
        HEAD = "head", _("机关负责人")
        COLLECTIVE = "collective", _("集体讨论")

    class Resolution(models.TextChoices):
        ADOPT_OPINION = "adopt_opinion", _("采纳审核意见，承办机构整改后重新送审")
        RE_REVIEW = "re_review", _("另行组织审核")

    round = models.ForeignKey(ReviewRound, on_delete=models.PROTECT, related_name="disputes")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField()
    grounds = models.TextField(_("异议理由"))
    escalate_to = models.CharField(max_length=16, choices=EscalateTo.choices, default=EscalateTo.HEAD)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    resolution = models.CharField(max_length=16, choices=Resolution.choices, blank=True)
    resolution_note = models.TextField(blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    collective_discussion = models.ForeignKey(
        "CollectiveDiscussion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    new_round = models.ForeignKey(ReviewRound, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["raised_at"]

    def __str__(self) -> str:
        return f"{self.round_id} 异议 {self.status}"


class CollectiveDiscussion(models.Model):
    """集体讨论记录 (行政处罚法 第五十七条第二款; 市场监督管理行政处罚程序规定 第六十条)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="collective_discussions")
    review_round = models.ForeignKey(
        ReviewRound, null=True, blank=True, on_delete=models.PROTECT, related_name="collective_discussions"
    )
    held_on = models.DateField(_("讨论日期"))
    place = models.CharField(max_length=200, blank=True)
    chair = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    participants = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+")
    other_participants = models.JSONField(_("其他参加人员"), default=list, blank=True)
    recorder = models.CharField(_("记录人"), max_length=100, blank=True)
    discussion = models.TextField(_("讨论情况"), blank=True)
    conclusion = models.TextField(_("讨论结论"))
    proposal_fingerprint = models.CharField(max_length=64)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-held_on", "-recorded_at"]

    def __str__(self) -> str:
        return f"{self.case_id} 集体讨论 {self.held_on}"


class OpinionCounter(models.Model):
    """Per agency and year: the last 审核意见书 number issued. Locked while issuing."""

    agency = models.ForeignKey("accounts.Agency", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "year"], name="uniq_opinion_counter")]

    def __str__(self) -> str:
        return f"{self.agency_id}/{self.year}={self.last_value}"
