"""行政执法公示 (disclosure): 事前公开 profiles, 事后公开 notices, withdrawals, corrections.

Sources (DOMAIN.md §2, §6, §9): 国办发〔2018〕118号 (六); 行政处罚法 第三十四条、第三十九条、第四十八条、
第八十五条; 市场监督管理行政处罚信息公示规定 (总局令第45号); 内蒙古三项制度办法 第八条至第十四条.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from backend.cases.models import DecisionChange, PartyType  # one vocabulary each (common/parties.py)
from backend.common.models import BaseModel
from backend.common.workdays import get_rule, workdays_of

# --------------------------------------------------------------------------------------------------
# 事前公开: agency profile, enforcement items, discretion standards
# --------------------------------------------------------------------------------------------------


class AgencyDisclosureProfile(BaseModel):
    """The public profile of an agency (事前公开) and its disclosure rules.

    ``Agency`` (accounts) holds name, USCC, legal basis, duties, categories and contact; this adds the
    procedure and remedy texts 行政处罚法 第三十九条 asks for, and the per-agency disclosure settings that
    DOMAIN §10 says must be configurable.
    """

    agency = models.OneToOneField("accounts.Agency", on_delete=models.CASCADE, related_name="disclosure_profile")
    procedures = models.TextField(_("执法程序"), blank=True)
    remedies = models.TextField(
        _("救济渠道"),
        blank=True,
        help_text=_("行政复议、行政诉讼的途径和期限（行政复议法 第二十条；行政诉讼法 第四十六条）"),
    )
    service_guide = models.TextField(_("服务指南/执法流程"), blank=True)
    random_inspection_items = models.TextField(_("随机抽查事项清单"), blank=True)
    supervision_contact = models.CharField(_("监督投诉电话"), max_length=200, blank=True)

    # --- disclosure settings ------------------------------------------------------------------
    # The periods are the agency's data on top of the statutory rules (backend.common.workdays.DEADLINE_RULES,
    # the one definition): each default is read from its rule, never restated here.
    # 国办发〔2018〕118号 (六): penalty decisions within 7 working days; other decisions within 20.
    penalty_deadline_workdays = models.PositiveSmallIntegerField(
        _("处罚决定公示期限（工作日）"), default=workdays_of("DISCLOSE_PENALTY_OR_LICENSE")
    )
    other_deadline_workdays = models.PositiveSmallIntegerField(
        _("其他决定公示期限（工作日）"), default=workdays_of("DISCLOSE_OTHER_DECISION")
    )
    due_soon_workdays = models.PositiveSmallIntegerField(_("临期提醒（工作日）"), default=2)
    # 市场监督管理行政处罚信息公示规定 第二条: 仅受到警告的行政处罚不予公示 (market regulation only).
    publish_warning_only = models.BooleanField(_("公示仅警告的处罚"), default=True)
    # 市场监督管理行政处罚信息公示规定 第十三条: 3 months for 通报批评 / low fines, 3 years otherwise.
    display_months_default = models.PositiveSmallIntegerField(
        _("公示期（月）"), default=get_rule("SAMR_DISPLAY_LONG").months
    )
    display_months_short = models.PositiveSmallIntegerField(
        _("短公示期（月）"), default=get_rule("SAMR_DISPLAY_SHORT").months
    )
    low_fine_threshold = models.DecimalField(
        _("较低数额罚款上限（元）"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("不超过此数额的罚款（且无其他更重处罚）适用短公示期；空 = 不适用"),
    )
    short_display_kinds = models.JSONField(
        _("适用短公示期的处罚种类"), default=list, blank=True, help_text=_('例如 ["criticism"]（通报批评）')
    )
    # Overrides for backend.redaction.RedactionPolicy.from_dict (DOMAIN §6.5 table).
    redaction_policy = models.JSONField(_("脱敏策略"), default=dict, blank=True)
    correction_answer_workdays = models.PositiveSmallIntegerField(
        _("更正申请答复期限（工作日）"),
        default=workdays_of("CORRECTION_ANSWER"),
        help_text=_("企业信息公示暂行条例 第十三条参照"),
    )

    class Meta:
        verbose_name = _("公示设置与机关概况")
        verbose_name_plural = _("公示设置与机关概况")

    def __str__(self) -> str:
        return f"{self.agency} 公示设置"


class EnforcementItem(BaseModel):
    """执法事项清单 entry (事前公开: 职责、权限、依据; 行政处罚法 第三十九条)."""

    agency = models.ForeignKey("accounts.Agency", on_delete=models.CASCADE, related_name="enforcement_items")
    code = models.CharField(_("事项编码"), max_length=64, blank=True)
    name = models.CharField(_("事项名称"), max_length=300)
    kind = models.CharField(_("事项类别"), max_length=50, default="行政处罚")
    legal_basis = models.TextField(_("设定依据"), blank=True)
    handling_body = models.CharField(_("实施机构"), max_length=200, blank=True)
    time_limit = models.CharField(_("办理时限"), max_length=200, blank=True)
    random_inspection = models.BooleanField(_("列入随机抽查事项"), default=False)
    sort_order = models.PositiveIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("执法事项")
        verbose_name_plural = _("执法事项清单")
        ordering = ["agency_id", "sort_order", "id"]

    def __str__(self) -> str:
        return self.name


class DiscretionStandard(BaseModel):
    """行政处罚裁量基准 (行政处罚法 第三十四条: 应当向社会公布)."""

    agency = models.ForeignKey("accounts.Agency", on_delete=models.CASCADE, related_name="discretion_standards")
    violation = models.CharField(_("违法行为"), max_length=300)
    legal_basis = models.TextField(_("处罚依据"), blank=True)
    circumstance = models.CharField(_("违法情节"), max_length=300)
    level = models.CharField(_("裁量阶次"), max_length=30, blank=True, help_text=_("不予处罚/减轻/从轻/一般/从重"))
    penalty = models.TextField(_("处罚标准"))
    document_number = models.CharField(_("发布文号"), max_length=128, blank=True)
    effective_from = models.DateField(_("施行日期"), null=True, blank=True)
    sort_order = models.PositiveIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("裁量基准")
        verbose_name_plural = _("裁量基准")
        ordering = ["agency_id", "sort_order", "id"]

    def __str__(self) -> str:
        return f"{self.violation}（{self.circumstance}）"


# --------------------------------------------------------------------------------------------------
# 事后公开: notices
# --------------------------------------------------------------------------------------------------


class NonDisclosureReason(models.TextChoices):
    """DOMAIN §2.9 (内蒙古三项制度办法 第十一条; 政府信息公开条例 第十五条; 市场监管公示规定 第五条)."""

    MINOR = "minor", _("当事人为未成年人")
    SECRET_OR_PRIVACY = "secret_or_privacy", _("涉及国家秘密、商业秘密或者个人隐私")
    SECURITY = "security", _("可能危及国家安全、公共安全、经济安全和社会稳定")
    RELATED_CASES = "related_cases", _("可能影响相关案件查处")
    CRIMINAL_TRANSFER = "criminal_transfer", _("涉嫌犯罪已经或者正在移送公安机关")
    OTHER_LAW = "other_law", _("法律、行政法规规定的其他情形")


class WithdrawalKind(models.TextChoices):
    """Why a notice was withdrawn: a change of the decision in the cases app's one vocabulary
    (:class:`~backend.cases.models.DecisionChange`: 行政处罚法 第四十八条第二款; 国办发〔2018〕118号 (六) adds
    要求重新作出), or wrong information corrected (更正, 国办发〔2018〕118号 二)."""

    CHANGED = DecisionChange.CHANGED.value, DecisionChange.CHANGED.label
    REVOKED = DecisionChange.REVOKED.value, DecisionChange.REVOKED.label
    CONFIRMED_ILLEGAL = DecisionChange.CONFIRMED_ILLEGAL.value, DecisionChange.CONFIRMED_ILLEGAL.label
    CONFIRMED_VOID = DecisionChange.CONFIRMED_VOID.value, DecisionChange.CONFIRMED_VOID.label
    REMADE = DecisionChange.REMADE.value, DecisionChange.REMADE.label
    CORRECTED = "corrected", _("信息有误予以更正")


class Notice(models.Model):
    """One public notice of an enforcement decision (行政处罚决定信息公示).

    ``original`` is the snapshot of the decision as served (internal only: it holds personal data).
    The flat public columns hold the redacted rendition that the disclosure manager approved; the public
    API and pages read nothing else. ``redaction`` keeps the recognised spans (side-by-side review).

    Status transitions (services in :mod:`backend.disclosures.services`)::

        draft -> published -> withdrawn        (变更/撤销/确认违法/确认无效: ≤ 3 working days, public reason)
        draft -> not_disclosed                 (statutory reason + recorded approval, or the warning-only rule)
        draft -> withdrawn                     (decision changed before publication: never public)
        published -> expired                   (display period over: leaves the list, the record stays)
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("待发布")
        PUBLISHED = "published", _("已公示")
        WITHDRAWN = "withdrawn", _("已撤回")
        EXPIRED = "expired", _("公示期满")
        NOT_DISCLOSED = "not_disclosed", _("不予公开")

    class DecisionKind(models.TextChoices):
        PENALTY = "penalty", _("行政处罚决定")
        OTHER = "other", _("其他执法决定")

    TRANSITIONS: dict[str, frozenset[str]] = {
        Status.DRAFT: frozenset({Status.PUBLISHED, Status.NOT_DISCLOSED, Status.WITHDRAWN}),
        Status.PUBLISHED: frozenset({Status.WITHDRAWN, Status.EXPIRED}),
        Status.WITHDRAWN: frozenset(),
        Status.EXPIRED: frozenset({Status.WITHDRAWN}),
        Status.NOT_DISCLOSED: frozenset(),
    }
    # Free-text public fields the redaction runs over and the disclosure manager may edit.
    TEXT_FIELDS: tuple[str, ...] = (
        "party_name",
        "party_address",
        "legal_representative",
        "violation_type",
        "facts",
        "legal_basis",
        "penalty_content",
        "licence_info",
        "full_text",
        "remarks",
    )

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="notices")
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="notices")
    decision_kind = models.CharField(max_length=16, choices=DecisionKind.choices, default=DecisionKind.PENALTY)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Internal snapshot of the decision as served, and the redaction report (never public).
    original = models.JSONField(default=dict)
    redaction = models.JSONField(default=dict, blank=True)

    # --- public (redacted) fields, DOMAIN §9 --------------------------------------------------
    decision_number = models.CharField(_("行政处罚决定书文号"), max_length=128)
    party_type = models.CharField(_("行政相对人类别"), max_length=16, choices=PartyType.choices)
    party_name = models.CharField(_("行政相对人名称"), max_length=200)
    party_uscc = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    legal_representative = models.CharField(_("法定代表人"), max_length=100, blank=True)
    party_address = models.CharField(_("住所（县区级）"), max_length=300, blank=True)
    violation_type = models.CharField(_("违法行为类型"), max_length=2000, blank=True)
    facts = models.TextField(_("违法事实"), blank=True)
    legal_basis = models.TextField(_("处罚依据"), blank=True)
    # Penalty kinds (cases.PenaltyKind codes) as ",fine,warning," so one LIKE filters any of them.
    penalty_kinds = models.CharField(_("处罚类别"), max_length=300, blank=True)
    penalty_content = models.TextField(_("处罚内容"), blank=True)
    fine_amount = models.DecimalField(_("罚款金额（元）"), max_digits=14, decimal_places=2, null=True, blank=True)
    confiscation_amount = models.DecimalField(
        _("没收金额（元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    licence_info = models.CharField(_("暂扣或吊销证照名称及编号"), max_length=500, blank=True)
    decision_date = models.DateField(_("处罚决定日期"))
    penalty_valid_until = models.DateField(_("处罚有效期"), null=True, blank=True)
    agency_name = models.CharField(_("处罚机关"), max_length=200)
    agency_uscc = models.CharField(_("处罚机关统一社会信用代码"), max_length=18)
    region_code = models.CharField(_("行政区划代码"), max_length=12, blank=True)
    full_text = models.TextField(_("决定书全文（经处理）"), blank=True)
    remarks = models.CharField(_("备注"), max_length=1000, blank=True)
    # jieba tokens of the public text, space separated and space padded (see backend.disclosures.search).
    search_text = models.TextField(blank=True, editable=False)

    # --- deadlines and publication ------------------------------------------------------------
    due_date = models.DateField(_("公示期限"))
    # Computed with weekends only because the year's official holidays were not known yet (DOMAIN §1.5);
    # recomputed by common.calendar_recompute (notices_recompute_for_calendar) once they are.
    due_provisional = models.BooleanField(_("公示期限暂定"), default=False)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_late = models.BooleanField(default=False)
    display_until = models.DateField(_("公示截止期"), null=True, blank=True)
    expired_at = models.DateTimeField(null=True, blank=True)
    # Position in the public list (newest first). Assigned at publication, never reused.
    public_seq = models.BigIntegerField(null=True, blank=True, unique=True)
    listed = models.BooleanField(default=False)

    # --- withdrawal (撤回) ---------------------------------------------------------------------
    withdrawal_kind = models.CharField(max_length=32, choices=WithdrawalKind.choices, blank=True)
    withdrawal_reason = models.TextField(_("撤回理由"), blank=True)
    withdrawal_triggered_on = models.DateField(null=True, blank=True)
    withdrawal_due = models.DateField(null=True, blank=True)
    withdrawal_due_provisional = models.BooleanField(default=False)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_late = models.BooleanField(default=False)
    # The notice this one corrects (a corrected decision publishes a new notice linked to the old one).
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )

    # --- non-disclosure (不予公开) --------------------------------------------------------------
    nd_reason = models.CharField(max_length=32, choices=NonDisclosureReason.choices, blank=True)
    nd_rule = models.CharField(max_length=64, blank=True, help_text=_("自动适用的规则，例如 warning_only"))
    nd_note = models.TextField(blank=True)
    nd_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    nd_requested_at = models.DateTimeField(null=True, blank=True)
    nd_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    nd_approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("公示信息")
        verbose_name_plural = _("公示信息")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["listed", "-public_seq"], name="notice_public_list"),
            models.Index(fields=["agency", "status", "due_date"], name="notice_agency_due"),
            models.Index(fields=["status", "due_date"], name="notice_status_due"),
            models.Index(fields=["status", "display_until"], name="notice_status_display"),
            models.Index(fields=["agency", "decision_date"], name="notice_agency_date"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="published") | models.Q(published_at__isnull=False),
                name="notice_published_has_time",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="withdrawn") | ~models.Q(withdrawal_reason=""),
                name="notice_withdrawn_has_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(fine_amount__isnull=True) | models.Q(fine_amount__gte=Decimal("0")),
                name="notice_fine_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.decision_number} ({self.get_status_display()})"

    @property
    def penalty_kind_list(self) -> list[str]:
        return [k for k in self.penalty_kinds.split(",") if k]

    @property
    def was_public(self) -> bool:
        return self.published_at is not None


class NoticeEdit(models.Model):
    """One recorded change of a public field by the disclosure manager (S5 第七条: diff log)."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="edits")
    field = models.CharField(max_length=64)
    before = models.TextField(blank=True)
    after = models.TextField(blank=True)
    note = models.CharField(max_length=500, blank=True)
    edited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    edited_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["edited_at", "id"]

    def __str__(self) -> str:
        return f"{self.notice_id} {self.field}"


class PublicRevision(models.Model):
    """A single counter bumped whenever anything public changes (publish, withdraw, expire, edit).

    It is the validator behind every public ``ETag``/``Last-Modified``: a conditional request is answered
    304 from this one number, without touching the notices table.
    """

    name = models.CharField(max_length=32, primary_key=True)
    revision = models.BigIntegerField(default=0)
    last_seq = models.BigIntegerField(default=0)
    changed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name}@{self.revision}"


class CorrectionRequest(BaseModel):
    """A citizen's request to correct a published notice (国办发〔2018〕118号 §二; 市场监管公示规定 第十二条).

    The requester's contact details are internal; the public tracking page shows status and answer only.
    """

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("已提交")
        ACCEPTED = "accepted", _("已更正")
        REJECTED = "rejected", _("不予更正")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    notice = models.ForeignKey(Notice, on_delete=models.PROTECT, related_name="correction_requests")
    tracking_code = models.CharField(max_length=16, unique=True)
    requester_name = models.CharField(_("申请人"), max_length=100)
    requester_contact = models.CharField(_("联系方式"), max_length=200)
    content = models.TextField(_("更正内容及理由"))
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SUBMITTED)
    due_date = models.DateField(_("答复期限"))
    answer = models.TextField(_("答复"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("更正申请")
        verbose_name_plural = _("更正申请")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.tracking_code
