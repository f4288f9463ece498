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
