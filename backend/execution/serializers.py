"""Input and output serializers of the execution API (uniquely named: stable OpenAPI components)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rest_framework import serializers

from backend.cases.serializers import MeasureSerializer
from backend.common.fields import ClientDateField
from backend.execution.models import Payment, Remedy
from backend.execution.selectors import Account

AMOUNT = {"max_digits": 14, "decimal_places": 2}


class PaymentRecordInputSerializer(serializers.Serializer):
    amount = serializers.DecimalField(**AMOUNT, min_value=Decimal("0.01"), help_text="元, two decimals.")
    paid_on = ClientDateField(required=False, allow_null=True, help_text="Day paid; today when omitted.")
    channel = serializers.ChoiceField(choices=Payment.Channel.choices)
    reference = serializers.CharField(max_length=64, help_text="缴款书编号、电子缴款凭证号或银行流水号.")
    payer = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class PaymentOutputSerializer(serializers.ModelSerializer):
    recorded_by = serializers.CharField(source="recorded_by.get_username", read_only=True)

    class Meta:
        model = Payment
        fields = ("id", "amount", "paid_on", "channel", "reference", "payer", "note", "recorded_by", "recorded_at")


class PaymentLineOutputSerializer(serializers.Serializer):
    paid_on = serializers.DateField()
    amount = serializers.DecimalField(**AMOUNT)
    channel = serializers.CharField(help_text="A Payment channel, or on_site (当场收缴, 第六十八条).")
    reference = serializers.CharField()


class SurchargeOutputSerializer(serializers.Serializer):
    since = serializers.DateField(allow_null=True, help_text="First day counted.")
    days = serializers.IntegerField(help_text="Days counted (3 % of the overdue fine each, 第七十二条).")
    paused_days = serializers.IntegerField(help_text="Days not counted: 复议/诉讼 pending (第七十三条第三款).")
    amount = serializers.DecimalField(**AMOUNT)
    capped = serializers.BooleanField(help_text="Reached the amount of the fine (its ceiling).")


class AccountOutputSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    state = serializers.ChoiceField(choices=["void", "nothing_owed", "paid", "not_served", "due", "overdue"])
    fine = serializers.DecimalField(**AMOUNT)
    confiscated_gains = serializers.DecimalField(**AMOUNT)
    owed = serializers.DecimalField(**AMOUNT, help_text="Fine + confiscated gains as decided now (after 变更).")
    due_on = serializers.DateField(allow_null=True, help_text="Last day of the payment period (第六十七条).")
    surcharge = SurchargeOutputSerializer()
    paid = serializers.DecimalField(**AMOUNT)
    balance = serializers.DecimalField(**AMOUNT)
    refund_due = serializers.DecimalField(**AMOUNT, help_text="Paid beyond what is owed (after 变更/撤销).")
    decision_void = serializers.BooleanField()
    remedy_pending = serializers.BooleanField()
    payments = PaymentLineOutputSerializer(many=True)

    def to_representation(self, instance: Account) -> dict[str, Any]:
        return super().to_representation(instance)


class PaymentRecordOutputSerializer(serializers.Serializer):
    payment = PaymentOutputSerializer()
    account = AccountOutputSerializer()
    case_status = serializers.CharField()
    case_version = serializers.IntegerField()


class RemedyFileInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Remedy.Kind.choices)
    body = serializers.CharField(max_length=200, help_text="复议机关 or 人民法院.")
    filed_on = ClientDateField(required=False, allow_null=True)
    case_number = serializers.CharField(max_length=128, required=False, allow_blank=True, default="")


class RemedySuspendInputSerializer(serializers.Serializer):
    basis = serializers.CharField(max_length=500, help_text="Who decided to stop execution, and on what basis.")


class RemedyConcludeInputSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Remedy.Outcome.choices)
    reason = serializers.CharField(max_length=2000)
    concluded_on = ClientDateField(required=False, allow_null=True)
    reference = serializers.CharField(max_length=128, required=False, allow_blank=True, default="")
    new_measures = MeasureSerializer(many=True, required=False)


class RemedyWithdrawInputSerializer(serializers.Serializer):
    withdrawn_on = ClientDateField(required=False, allow_null=True)
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class RemedyOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Remedy
        fields = (
            "id",
            "kind",
            "body",
            "filed_on",
            "case_number",
            "filed_late",
            "execution_suspended",
            "suspension_basis",
            "status",
            "outcome",
            "concluded_on",
            "outcome_reference",
            "outcome_reason",
            "new_measures",
            "correction",
            "recorded_at",
        )
