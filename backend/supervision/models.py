"""执法监督: correction orders (责令纠正 / 执法监督意见书), fault accountability (过错追究) and procuratorate
access (检察监督). Every change goes through :mod:`backend.supervision.services` and is an audit event.

A supervising body is an :class:`~backend.accounts.models.Agency` whose subtree (``parent`` links) holds the
agencies it supervises (吉林省行政执法监督条例: 上级行政执法机关对下级的监督). Its 执法监督人员 (role
``supervisor``) act on those agencies; the agencies' own heads answer.
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from backend.common.models import BaseModel


class CorrectionOrder(BaseModel):
    """责令纠正通知书 / 执法监督意见书: a supervising body orders an agency to correct a case or a practice.

    Status transitions (:data:`ORDER_TRANSITIONS`, enforced by ``services.order_*``)::

        issued   -> answered   (the agency's head answers what it did; late when after the deadline)
        issued   -> escalated  (the deadline passed unanswered: the periodic escalation)
        escalated -> answered  (answered late)
        answered -> closed     (the supervisor accepts the answer)
        answered -> issued     (the supervisor rejects it: correct again, new deadline)
    """

    class Kind(models.TextChoices):
        CORRECTION = "correction", _("责令纠正通知书")
        OPINION = "opinion", _("执法监督意见书")

    class Status(models.TextChoices):
        ISSUED = "issued", _("待整改")
        ESCALATED = "escalated", _("逾期未答复（已督办）")
        ANSWERED = "answered", _("已答复")
        CLOSED = "closed", _("已办结")

    TRANSITIONS: ClassVar[dict[str, frozenset[str]]] = {
        Status.ISSUED: frozenset({Status.ANSWERED, Status.ESCALATED}),
        Status.ESCALATED: frozenset({Status.ANSWERED}),
        Status.ANSWERED: frozenset({Status.CLOSED, Status.ISSUED}),
        Status.CLOSED: frozenset(),
    }

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    number = models.CharField(_("文书编号"), max_length=64, unique=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ISSUED)
    issuing_agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="correction_orders")
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    subject = models.CharField(_("事由"), max_length=200)
    findings = models.TextField(_("发现的问题"))
    requirement = models.TextField(_("纠正要求"))
    legal_basis = models.CharField(_("依据"), max_length=300, blank=True)
    deadline = models.DateField(_("整改期限"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField()
    answer = models.TextField(_("整改情况"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_late = models.BooleanField(default=False)
    escalated_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    close_note = models.TextField(blank=True)
    rejections = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("责令纠正/执法监督意见书")
        verbose_name_plural = verbose_name
        indexes = [models.Index(fields=["status", "deadline"])]

    def __str__(self) -> str:
        return self.number


class OrderCounter(models.Model):
    """Per issuing agency and year: the last number given to an order. Locked while issuing."""

    agency = models.ForeignKey("accounts.Agency", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "year"], name="uniq_supervision_order_counter")]

    def __str__(self) -> str:
        return f"{self.agency_id}/{self.year}={self.last_value}"


class FaultCase(BaseModel):
    """过错追究: whether the people behind a decision that was 撤销/确认违法/确认无效 are at fault
    (国办发〔2018〕118号 (十八) 全面落实行政执法责任制; 吉林省行政执法监督条例 责任追究).

    Opened automatically when the cases app publishes :class:`backend.cases.events.DecisionCorrected` (or by a
    supervisor by hand). ``chain`` is the responsible chain frozen at opening, each person with the ledger
    events that name them.

    Status transitions (:data:`FAULT_TRANSITIONS`)::

        open -> decided -> closed
    """

    class Status(models.TextChoices):
        OPEN = "open", _("待调查")
        DECIDED = "decided", _("已认定")
        CLOSED = "closed", _("已结案")

    class Finding(models.TextChoices):
        AT_FAULT = "at_fault", _("存在执法过错")
        NO_FAULT = "no_fault", _("不存在执法过错")
        EXEMPT = "exempt", _("免予追究")

    TRANSITIONS: ClassVar[dict[str, frozenset[str]]] = {
        Status.OPEN: frozenset({Status.DECIDED}),
        Status.DECIDED: frozenset({Status.CLOSED}),
        Status.CLOSED: frozenset(),
    }

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="fault_cases")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    # The DecisionCorrection that triggered it (a cases row; referred to by id: no FK into a lower app's
    # correction table is needed to read it back, and the ledger event names it too).
    correction_id = models.PositiveBigIntegerField(null=True, blank=True, unique=True)
    trigger_kind = models.CharField(max_length=20)
    trigger_by = models.CharField(max_length=20, blank=True)
    trigger_reason = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    chain = models.JSONField(default=list)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField()
    finding = models.CharField(max_length=16, choices=Finding.choices, blank=True)
    reasoning = models.TextField(blank=True)
    # [{"user_id", "name", "role", "responsibility", "measure"}]
    responsible = models.JSONField(default=list, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    close_note = models.TextField(blank=True)

    class Meta:
        verbose_name = _("执法过错追究")
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return f"{self.case_id} {self.trigger_kind}"


class ProcuratorGrant(BaseModel):
    """检察监督: an agency's head grants a procurator time-boxed, revocable read access to named cases and their
    evidence (行政诉讼法 第十一条; 人民检察院行政诉讼监督规则; 国办发〔2018〕118号 (十) 执法记录调阅). Every read
    under a grant is an audit event (``supervision.grant.read``)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="procurator_grants")
    grantee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="procurator_grants")
    procuratorate = models.CharField(_("检察机关"), max_length=200)
    purpose = models.CharField(_("调阅事由"), max_length=300)
    reference = models.CharField(_("调阅函文号"), max_length=128, blank=True)
    cases = models.ManyToManyField("cases.Case", related_name="+")
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoke_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("检察调阅授权")
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return f"{self.procuratorate} {self.grantee_id}"

    def state(self, now) -> str:  # type: ignore[no-untyped-def]
        if self.revoked_at is not None:
            return "revoked"
        return "active" if now < self.expires_at else "expired"


class ProcuratorialSuggestion(BaseModel):
    """检察建议: a procuratorate recommends an agency correct something; the agency answers in writing within
    the period (人民检察院检察建议工作规定 第十九条: 两个月内; the default of ``SUPERVISION_SUGGESTION_DAYS``).

    Status transitions::

        received -> answered
    """

    class Status(models.TextChoices):
        RECEIVED = "received", _("待回复")
        ANSWERED = "answered", _("已回复")

    TRANSITIONS: ClassVar[dict[str, frozenset[str]]] = {
        Status.RECEIVED: frozenset({Status.ANSWERED}),
        Status.ANSWERED: frozenset(),
    }

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="procuratorial_suggestions")
    grant = models.ForeignKey(ProcuratorGrant, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    procuratorate = models.CharField(_("检察机关"), max_length=200)
    number = models.CharField(_("检察建议书文号"), max_length=128)
    content = models.TextField(_("建议内容"))
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField()
    answer_due = models.DateField(_("回复期限"))
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RECEIVED)
    answer = models.TextField(blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_late = models.BooleanField(default=False)
    # When the period passed unanswered and the agency's head and the procurator were told (once).
    overdue_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("检察建议")
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return self.number


# 案卷评查: the default items of a standard (国办发〔2018〕118号; the usual 行政执法案卷评查标准 headings).
DEFAULT_STANDARD_ITEMS = [
    {"code": "subject_lawful", "label": "主体合法", "max_score": 10},
    {"code": "facts_clear", "label": "事实清楚", "max_score": 15},
    {"code": "evidence_sufficient", "label": "证据确凿", "max_score": 15},
    {"code": "procedure_lawful", "label": "程序合法", "max_score": 15},
    {"code": "basis_correct", "label": "适用依据正确", "max_score": 10},
    {"code": "discretion_proper", "label": "裁量适当", "max_score": 10},
    {"code": "documents_standard", "label": "文书规范", "max_score": 10},
    {"code": "disclosure_timely", "label": "公示及时", "max_score": 5},
    {"code": "recording_complete", "label": "全程记录完整", "max_score": 10},
]


class EvaluationStandard(BaseModel):
    """A 案卷评查标准 of a supervising body. Never edited: a change is a new version."""

    issuing_agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    items = models.JSONField()  # [{"code", "label", "max_score"}]
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issuing_agency", "version"], name="uniq_evaluation_standard_version")
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"


class CaseSample(BaseModel):
    """A sample of an agency's closed cases of a year, drawn at random (stratified when asked) from a recorded
    seed: the same seed over the same population draws the same cases (``services.sample_draw``)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    issuing_agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="case_samples")
    year = models.PositiveSmallIntegerField()
    seed = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    stratify_by = models.JSONField(default=list)
    population = models.JSONField(default=list)  # the case ids drawn from, sorted: the draw can be replayed
    case_ids = models.JSONField(default=list)
    strata = models.JSONField(default=dict)  # stratum key → {"population": n, "drawn": k}
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"{self.agency_id} {self.year} {self.seed}"


class CaseEvaluation(BaseModel):
    """One evaluator's 评查 of one sampled case against one standard version: a score and a finding per item,
    with the automatic checks the system knew at the time."""

    sample = models.ForeignKey(CaseSample, on_delete=models.PROTECT, related_name="evaluations")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    standard = models.ForeignKey(EvaluationStandard, on_delete=models.PROTECT, related_name="+")
    evaluator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    items = models.JSONField()  # [{"code", "label", "max_score", "score", "finding"}]
    total = models.DecimalField(max_digits=6, decimal_places=1)
    max_total = models.PositiveIntegerField()
    checks = models.JSONField(default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["sample", "case", "evaluator"], name="uniq_case_evaluation_per_evaluator")
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.total}/{self.max_total}"


class AnnualReport(BaseModel):
    """年度行政执法数据: the year's statistics of an agency frozen, signed and published (国办发〔2018〕118号 (六):
    行政执法机关要于每年1月31日前公开本机关上年度行政执法总体情况有关数据，并报本级人民政府和上级主管部门).

    ``content`` is the exact canonical JSON (RFC 8785) of the snapshot; its SHA-256 is in the ledger entry
    ``supervision.annual_report.published``, and the evidence-bundle files (manifest, proofs, checkpoint), frozen
    when it is sealed, let anyone check it offline with ``zhifa-verify``. Never edited: a correction is a new
    ``version`` that names the one it supersedes and why.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="annual_reports")
    year = models.PositiveSmallIntegerField()
    version = models.PositiveSmallIntegerField()
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    correction_reason = models.TextField(_("更正理由"), blank=True)
    content = models.BinaryField(editable=False)
    sha256 = models.CharField(max_length=64, editable=False)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField()
    published_late = models.BooleanField(default=False, help_text=_("晚于次年1月31日公开"))
    # Sealed: the ledger leaf of the publication, the bundle manifest (its hash logged too) and its proofs.
    log_index = models.BigIntegerField(null=True, blank=True)
    manifest = models.BinaryField(null=True, blank=True, editable=False)
    proofs = models.BinaryField(null=True, blank=True, editable=False)
    checkpoint = models.ForeignKey(
        "ledger.Checkpoint", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("年度行政执法数据")
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(fields=["agency", "year", "version"], name="uniq_annual_report_version")
        ]

    def __str__(self) -> str:
        return f"{self.agency_id}/{self.year} v{self.version}"


class AnnualReportSubmission(models.Model):
    """The report as sent to the 本级人民政府 or the 上级主管部门, with the date it was sent
    (国办发〔2018〕118号 (六))."""

    class Recipient(models.TextChoices):
        GOVERNMENT = "government", _("本级人民政府")
        SUPERIOR = "superior", _("上级主管部门")

    report = models.ForeignKey(AnnualReport, on_delete=models.PROTECT, related_name="submissions")
    recipient_kind = models.CharField(max_length=16, choices=Recipient.choices)
    recipient_name = models.CharField(_("报送机关"), max_length=200)
    submitted_on = models.DateField(_("报送日期"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        verbose_name = _("年度数据报送")
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(fields=["report", "recipient_kind"], name="uniq_annual_report_submission")
        ]

    def __str__(self) -> str:
        return f"{self.report_id} → {self.recipient_name}"
