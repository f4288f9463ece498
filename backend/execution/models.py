"""What happens after a decision (DOMAIN.md §5): payments, 复议/诉讼, 延期/分期, 催告 and 强制执行.

Every row is a record of one step with its article; rows are never edited except by the service of the
step that follows (an outcome on a 复议, a decision on an application, the service of a 催告书). Each
write is audited in the same transaction (``audit_event``) and holds the case's row lock.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from backend.cases.models import Case


class Payment(models.Model):
    """One payment of the party towards the decision (罚款, 没收违法所得, 加处罚款).

    行政处罚法 第六十七条: paid at the designated bank or by electronic payment (罚缴分离); the receipt or the
    bank's reference is recorded so that the payment can be traced. A payment on the spot is the cases app's
    ``CashCollection`` and counts in the account on its own.
    """

    class Channel(models.TextChoices):
        BANK = "bank", _("指定银行缴纳")  # 第六十七条第一款
        ELECTRONIC = "electronic", _("电子支付")  # 第六十七条第三款
        TRANSFER = "transfer", _("银行转账")
        ENFORCED = "enforced", _("强制执行所得")  # 第七十二条第一款第二、四项; 行政强制法 第四十六条

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="payments")
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(_("金额（元）"), max_digits=14, decimal_places=2)
    paid_on = models.DateField(_("缴纳日期"))
    channel = models.CharField(_("缴纳方式"), max_length=12, choices=Channel.choices)
    reference = models.CharField(_("缴款凭证号或银行流水号"), max_length=64)
    payer = models.CharField(_("缴款人"), max_length=200, blank=True)
    note = models.CharField(_("说明"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()
    audit_event = models.ForeignKey("ledger.AuditEvent", null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["paid_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="execution_payment_amount_positive"),
            models.UniqueConstraint(fields=["case", "reference"], name="execution_payment_reference_once"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.amount} {self.paid_on}"


class Remedy(models.Model):
    """A 行政复议 or 行政诉讼 against the decision, and its outcome.

    Periods: 60 days (行政复议法 第二十条), 6 months (行政诉讼法 第四十六条), 15 days after a 复议决定 (第四十五条).
    While one is pending 加处罚款 is not counted (行政处罚法 第七十三条第三款) and the agency may not apply to the
    court (行政强制法 第五十三条); execution itself goes on unless suspended (行政复议法 第四十二条, 行政诉讼法
    第五十六条: ``execution_suspended``). An outcome other than 维持 feeds the case's decision correction.
    """

    class Kind(models.TextChoices):  # the values of cases.DecisionCorrection.By
        RECONSIDERATION = "reconsideration", _("行政复议")
        LITIGATION = "litigation", _("行政诉讼")

    class Status(models.TextChoices):
        PENDING = "pending", _("审理中")
        CONCLUDED = "concluded", _("已审结")
        WITHDRAWN = "withdrawn", _("已撤回")

    class Outcome(models.TextChoices):  # 维持 + the values of cases.DecisionCorrection.Kind
        UPHELD = "upheld", _("维持")
        CHANGED = "changed", _("变更")
        REVOKED = "revoked", _("撤销")
        CONFIRMED_ILLEGAL = "confirmed_illegal", _("确认违法")
        CONFIRMED_VOID = "confirmed_void", _("确认无效")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="remedies")
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("救济途径"), max_length=16, choices=Kind.choices)
    body = models.CharField(_("复议机关或人民法院"), max_length=200)
    filed_on = models.DateField(_("申请或起诉日期"))
    case_number = models.CharField(_("复议或诉讼案号"), max_length=128, blank=True)
    filed_late = models.BooleanField(_("超过法定期限"), default=False)
    execution_suspended = models.BooleanField(_("停止执行"), default=False)
    suspension_basis = models.CharField(_("停止执行的依据"), max_length=500, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    outcome = models.CharField(_("结果"), max_length=20, choices=Outcome.choices, blank=True)
    concluded_on = models.DateField(_("审结日期"), null=True, blank=True)
    outcome_reference = models.CharField(_("复议决定书或判决书文号"), max_length=128, blank=True)
    outcome_reason = models.TextField(_("理由"), blank=True)
    new_measures = models.JSONField(default=list, blank=True)
    correction = models.ForeignKey(
        "cases.DecisionCorrection", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()
    concluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    audit_event = models.ForeignKey("ledger.AuditEvent", null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["filed_on", "pk"]
        constraints = [
            # 行政复议法 第二十九条: no 复议 and 诉讼 at the same time — one pending remedy per case.
            models.UniqueConstraint(
                fields=["case"], condition=Q(status="pending"), name="execution_one_pending_remedy"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.status}"


class PaymentPlan(models.Model):
    """暂缓（延期）或分期缴纳罚款 (行政处罚法 第六十六条第二款): the party's written application for economic
    hardship, the head's approval or refusal with reasons, and the approved schedule (``Instalment`` rows).

    APPLIED → APPROVED | REFUSED (the head, ``plan_decide``). Approved: the unpaid amount falls due on the
    schedule instead of the 15-day period, so 加处罚款 counts only on an instalment left unpaid after its day.
    """

    class Kind(models.TextChoices):
        DEFERRAL = "deferral", _("延期（暂缓）缴纳")
        INSTALMENTS = "instalments", _("分期缴纳")

    class Status(models.TextChoices):
        APPLIED = "applied", _("待审批")
        APPROVED = "approved", _("已批准")
        REFUSED = "refused", _("不予批准")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="payment_plans")
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("申请事项"), max_length=12, choices=Kind.choices)
    applied_on = models.DateField(_("申请日期"))
    reason = models.TextField(_("申请理由（经济困难情况）"))
    proposed = models.JSONField(_("申请的缴纳计划"), default=list)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.APPLIED)
    decided_on = models.DateField(_("审批日期"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_reason = models.TextField(_("审批理由"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()
    audit_event = models.ForeignKey("ledger.AuditEvent", null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["applied_on", "pk"]
        constraints = [
            # One open application or approved plan at a time.
            models.UniqueConstraint(
                fields=["case"], condition=Q(status__in=["applied", "approved"]), name="execution_one_live_plan"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.status}"


class Instalment(models.Model):
    """One date and amount of an approved plan. ``due_on`` as approved; ``last_day`` as the calendar counts it
    (a rest day rolls forward, 市场监督管理行政处罚程序规定 第八十条) — the day after it 加处罚款 may start."""

    plan = models.ForeignKey(PaymentPlan, on_delete=models.CASCADE, related_name="instalments")
    seq = models.PositiveSmallIntegerField()
    due_on = models.DateField()
    last_day = models.DateField()
    amount = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["seq"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "seq"], name="execution_instalment_seq_once"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="execution_instalment_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} #{self.seq} {self.amount} {self.due_on}"


class EnforcementReminder(models.Model):
    """催告书 (行政强制法 第三十五条): before compelling performance the agency reminds the party in writing — the
    period and manner of performance, the amount, and the right to state and defend (第三十六条, recorded here
    with whether it was adopted). Served like a decision (第三十八条); the court may be asked only ten working
    days after service (第五十四条: ``ENFORCEMENT_REMINDER``)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="enforcement_reminders")
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    issued_on = models.DateField(_("催告日期"))
    amount = models.DecimalField(_("催告金额（元）"), max_digits=14, decimal_places=2)
    perform_by = models.DateField(_("履行期限"))
    content = models.TextField(_("催告内容"), blank=True)
    served_on = models.DateField(_("送达日期"), null=True, blank=True)
    service_method = models.CharField(_("送达方式"), max_length=20, blank=True)
    statement = models.TextField(_("当事人陈述、申辩"), blank=True)
    statement_on = models.DateField(null=True, blank=True)
    statement_adopted = models.BooleanField(null=True)
    statement_review = models.TextField(_("复核意见"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()
    audit_event = models.ForeignKey("ledger.AuditEvent", null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["issued_on", "pk"]

    def __str__(self) -> str:
        return f"{self.case_id} 催告 {self.issued_on}"


class EnforcementAction(models.Model):
    """强制执行: the agency's own 强制执行决定 where a law gives it the power (行政强制法 第三十七条、
    第四十六条), or an application to the people's court (第五十三条至第五十五条) with the court's ruling
    (第五十七条、第五十八条); then the outcome: 执行完毕, 中止执行 (第三十九条) or 终结执行 (第四十条)."""

    class Kind(models.TextChoices):
        AGENCY_DECISION = "agency_decision", _("行政机关强制执行决定")
        COURT_APPLICATION = "court_application", _("申请人民法院强制执行")

    class Ruling(models.TextChoices):
        GRANTED = "granted", _("裁定准予执行")
        REFUSED = "refused", _("裁定不予执行")

    class Outcome(models.TextChoices):
        EXECUTED = "executed", _("执行完毕")
        SUSPENDED = "suspended", _("中止执行")
        TERMINATED = "terminated", _("终结执行")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="enforcement_actions")
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    reminder = models.ForeignKey(EnforcementReminder, on_delete=models.PROTECT, related_name="actions")
    acted_on = models.DateField(_("决定或申请日期"))
    body = models.CharField(_("受理法院"), max_length=200, blank=True)
    legal_power = models.CharField(_("强制执行权的法律依据"), max_length=500, blank=True)
    method = models.CharField(_("强制执行方式"), max_length=200, blank=True)
    reference = models.CharField(_("决定书或申请书文号"), max_length=128, blank=True)
    ruling = models.CharField(max_length=10, choices=Ruling.choices, blank=True)
    ruled_on = models.DateField(null=True, blank=True)
    ruling_reference = models.CharField(_("裁定书文号"), max_length=128, blank=True)
    outcome = models.CharField(max_length=12, choices=Outcome.choices, blank=True)
    outcome_on = models.DateField(null=True, blank=True)
    outcome_reason = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()
    audit_event = models.ForeignKey("ledger.AuditEvent", null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["acted_on", "pk"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.acted_on}"


class CorrectionOrder(models.Model):
    """责令改正 (行政处罚法 第二十八条第一款: 行政机关实施行政处罚时，应当责令当事人改正或者限期改正违法行为).

    The order as the decision states it — what is to be corrected and the period — then the follow-up
    inspection (复查, ≥ 2 officers with valid 执法证, 第四十二条、第五十五条) and its outcome, and, when the party
    did not correct within the period, the new case opened on it (第五十四条). The period is the case's
    ``CORRECTION_ORDER`` deadline (DEADLINE_RULES; its length is the order's). One order per decision.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("待复查")
        CORRECTED = "corrected", _("已改正")
        NOT_CORRECTED = "not_corrected", _("逾期未改正")

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="correction_order")
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    requirement = models.TextField(_("责令改正的内容"))
    basis = models.CharField(_("依据"), max_length=300)
    ordered_on = models.DateField(_("责令改正之日（期限起算日）"))
    period_days = models.PositiveSmallIntegerField(_("改正期限（日）"))
    due_on = models.DateField(_("改正期限届满日"))
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    inspected_on = models.DateField(_("复查日期"), null=True, blank=True)
    inspection_findings = models.TextField(_("复查情况"), blank=True)
    inspection_officer_ids = models.JSONField(default=list, blank=True)
    inspection_evidence_ids = models.JSONField(default=list, blank=True)
    follow_up_case = models.OneToOneField(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="correction_origin"
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()
    audit_event = models.ForeignKey("ledger.AuditEvent", null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(period_days__gt=0), name="execution_correction_period_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.status} {self.due_on}"


class PropertyItem(models.Model):
    """One line of the 清单 of seized, preserved or frozen property (涉案财物).

    查封、扣押 and 先行登记保存 hand the party a 决定书 with a 清单 (行政强制法 第二十四条; 行政处罚法 第五十六条):
    each item with its quantity and photos (evidence items of the case), kept at a custody place by a keeper
    (第二十六条: 妥善保管，不得使用或者损毁). 冻结 of a deposit needs a law giving the power and its own 冻结决定书
    delivered within 3 working days (第二十九条至第三十一条). Every item ends handled — 解除, 返还, 没收, 拍卖,
    销毁 or 移交 — with its basis and the head's approval (第二十七条、第二十八条、第三十二条), before 结案.
    """

    class Measure(models.TextChoices):
        PRESERVATION = "preservation", _("先行登记保存")
        SEIZURE = "seizure", _("查封、扣押")
        FREEZE = "freeze", _("冻结")

    class Status(models.TextChoices):
        IN_CUSTODY = "in_custody", _("在押（保管中）")
        FROZEN = "frozen", _("冻结中")
        RELEASED = "released", _("解除")
        RETURNED = "returned", _("返还")
        CONFISCATED = "confiscated", _("没收")
        AUCTIONED = "auctioned", _("拍卖")
        DESTROYED = "destroyed", _("销毁")
        TRANSFERRED = "transferred", _("移交")

    OPEN_STATUSES = frozenset({Status.IN_CUSTODY, Status.FROZEN})

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="property_items")
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    measure = models.CharField(max_length=16, choices=Measure.choices)
    document = models.ForeignKey(
        "cases.EnforcementDocument", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    line = models.PositiveSmallIntegerField(_("清单序号"))
    name = models.CharField(_("名称"), max_length=200)
    specification = models.CharField(_("规格、型号"), max_length=200, blank=True)
    quantity = models.DecimalField(_("数量"), max_digits=14, decimal_places=3)
    unit = models.CharField(_("单位"), max_length=20)
    amount = models.DecimalField(_("冻结金额（元）"), max_digits=14, decimal_places=2, null=True, blank=True)
    bank = models.CharField(_("金融机构"), max_length=200, blank=True)
    account_tail = models.CharField(_("账号后四位"), max_length=4, blank=True)
    legal_authority = models.CharField(_("冻结权的法律依据"), max_length=300, blank=True)
    evidence_ids = models.JSONField(default=list, blank=True)
    custody_place = models.CharField(_("保管场所"), max_length=300, blank=True)
    keeper = models.CharField(_("保管人"), max_length=100, blank=True)
    taken_on = models.DateField(_("查封扣押、登记保存或冻结之日"))
    status = models.CharField(max_length=16, choices=Status.choices)
    notified_on = models.DateField(_("冻结决定书交付之日"), null=True, blank=True)
    handled_on = models.DateField(_("处理日期"), null=True, blank=True)
    handling_basis = models.CharField(_("处理依据"), max_length=500, blank=True)
    handling_reference = models.CharField(_("处理文书文号"), max_length=128, blank=True)
    handling_recipient = models.CharField(_("接收人"), max_length=200, blank=True)
    handling_evidence_ids = models.JSONField(default=list, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["line", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="execution_property_quantity_positive"),
            models.UniqueConstraint(fields=["case", "line"], name="execution_property_line_once"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} #{self.line} {self.name} {self.status}"


class PropertyMovement(models.Model):
    """Every change of an item's place, keeper or state, in order (第二十六条: the agency answers for custody)."""

    class Kind(models.TextChoices):
        REGISTERED = "registered", _("登记入库")
        MOVED = "moved", _("移库或更换保管人")
        NOTIFIED = "notified", _("交付冻结决定书")
        HANDLED = "handled", _("处理")

    item = models.ForeignKey(PropertyItem, on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    on = models.DateField()
    from_place = models.CharField(max_length=300, blank=True)
    to_place = models.CharField(max_length=300, blank=True)
    keeper = models.CharField(max_length=100, blank=True)
    note = models.CharField(max_length=500, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()
    audit_event = models.ForeignKey("ledger.AuditEvent", null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["on", "pk"]

    def __str__(self) -> str:
        return f"{self.item_id} {self.kind} {self.on}"


class Transfer(models.Model):
    """移送 (行政处罚法 第二十七条、第五十七条第一款第四项; 行政执法机关移送涉嫌犯罪案件的规定): the case sent to
    public security or another organ with its package — the verifiable evidence bundle of backend/sharing, named
    by its manifest's SHA-256 and reached through a share link — the organ's acknowledgement and decision, and
    the case's return when the organ declines it. Property goes with the case (行政强制法 第二十一条)."""

    class Status(models.TextChoices):
        SENT = "sent", _("已移送")
        ACKNOWLEDGED = "acknowledged", _("已签收")
        ACCEPTED = "accepted", _("已立案受理")
        DECLINED = "declined", _("不予立案")
        RETURNED = "returned", _("已退回")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="transfers")
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    organ = models.CharField(_("接收机关"), max_length=200)
    organ_kind = models.CharField(_("接收机关类别"), max_length=16)
    basis = models.CharField(_("移送依据"), max_length=500)
    sent_on = models.DateField(_("移送日期"))
    party_notified_on = models.DateField(_("书面告知当事人之日"), null=True, blank=True)
    export_id = models.UUIDField(_("案卷证据包"))
    manifest_sha256 = models.CharField(max_length=64)
    share_id = models.UUIDField()
    property_item_ids = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SENT)
    acknowledged_on = models.DateField(null=True, blank=True)
    organ_reference = models.CharField(_("接收机关文号"), max_length=128, blank=True)
    decided_on = models.DateField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    returned_on = models.DateField(null=True, blank=True)
    return_reason = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()
    audit_event = models.ForeignKey("ledger.AuditEvent", null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["sent_on", "pk"]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.organ} {self.status}"
