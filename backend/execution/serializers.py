"""Input and output serializers of the execution API (uniquely named: stable OpenAPI components)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rest_framework import serializers

from backend.cases.serializers import MeasureSerializer
from backend.common.fields import ClientDateField
from backend.execution.models import (
    CorrectionOrder,
    EnforcementAction,
    EnforcementReminder,
    Instalment,
    Payment,
    PaymentPlan,
    PropertyItem,
    PropertyMovement,
    Remedy,
    Transfer,
)
from backend.execution.selectors import Account
from backend.ledger.models import RecipientKind

AMOUNT_DIGITS = 14  # 元 with two decimals, as the case's amounts


def _amount(**options: Any) -> serializers.DecimalField:
    """An amount in 元 (two decimals), the one shape of every money field of this app."""
    return serializers.DecimalField(max_digits=AMOUNT_DIGITS, decimal_places=2, **options)


class PaymentRecordInputSerializer(serializers.Serializer):
    amount = _amount(min_value=Decimal("0.01"), help_text="元, two decimals.")
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
    amount = _amount()
    channel = serializers.CharField(help_text="A Payment channel, or on_site (当场收缴, 第六十八条).")
    reference = serializers.CharField()


class SurchargeOutputSerializer(serializers.Serializer):
    since = serializers.DateField(allow_null=True, help_text="First day counted.")
    days = serializers.IntegerField(help_text="Days counted (3 % of the overdue fine each, 第七十二条).")
    paused_days = serializers.IntegerField(help_text="Days not counted: 复议/诉讼 pending (第七十三条第三款).")
    amount = _amount()
    capped = serializers.BooleanField(help_text="Reached the amount of the fine (its ceiling).")


class InstalmentLineOutputSerializer(serializers.Serializer):
    seq = serializers.IntegerField()
    due_on = serializers.DateField(help_text="As approved.")
    last_day = serializers.DateField(help_text="As the calendar counts it (a rest day rolls forward).")
    amount = _amount()
    paid = _amount()
    overdue = serializers.BooleanField(help_text="Unpaid after its last day: 加处罚款 counts on it.")


class ExecutionAccountOutputSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    state = serializers.ChoiceField(choices=["void", "nothing_owed", "paid", "not_served", "due", "overdue"])
    fine = _amount()
    confiscated_gains = _amount()
    owed = _amount(help_text="Fine + confiscated gains as decided now (after 变更).")
    due_on = serializers.DateField(allow_null=True, help_text="Last day of the payment period (第六十七条).")
    surcharge = SurchargeOutputSerializer()
    paid = _amount()
    balance = _amount()
    refund_due = _amount(help_text="Paid beyond what is owed (after 变更/撤销).")
    decision_void = serializers.BooleanField()
    remedy_pending = serializers.BooleanField()
    payments = PaymentLineOutputSerializer(many=True)
    plan_id = serializers.IntegerField(allow_null=True, help_text="The approved 延期/分期 plan, if any.")
    instalments = InstalmentLineOutputSerializer(many=True)

    def to_representation(self, instance: Account) -> dict[str, Any]:
        return super().to_representation(instance)


class PaymentRecordOutputSerializer(serializers.Serializer):
    payment = PaymentOutputSerializer()
    account = ExecutionAccountOutputSerializer()
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


class ScheduleItemSerializer(serializers.Serializer):
    due_on = serializers.DateField(help_text="Last day to pay this part.")
    amount = _amount(min_value=Decimal("0.01"))


class PlanApplyInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=PaymentPlan.Kind.choices)
    reason = serializers.CharField(max_length=2000, help_text="The party's economic hardship (确有经济困难).")
    applied_on = ClientDateField(required=False, allow_null=True)
    schedule = ScheduleItemSerializer(many=True, help_text="One date (延期) or two or more (分期), ascending.")


class PlanDecideInputSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    reason = serializers.CharField(max_length=2000, help_text="Reasons, for an approval and for a refusal.")
    decided_on = ClientDateField(required=False, allow_null=True)


class InstalmentOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Instalment
        fields = ("seq", "due_on", "last_day", "amount")


class PlanOutputSerializer(serializers.ModelSerializer):
    instalments = InstalmentOutputSerializer(many=True, read_only=True)

    class Meta:
        model = PaymentPlan
        fields = (
            "id",
            "kind",
            "applied_on",
            "reason",
            "proposed",
            "status",
            "decided_on",
            "decision_reason",
            "instalments",
            "recorded_at",
        )


class ReminderIssueInputSerializer(serializers.Serializer):
    perform_by = serializers.DateField(help_text="The period to perform stated in the 催告书 (第三十五条第一项).")
    content = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    issued_on = ClientDateField(required=False, allow_null=True)


class ReminderServeInputSerializer(serializers.Serializer):
    reminder_id = serializers.IntegerField(min_value=1)
    method = serializers.ChoiceField(
        choices=["direct", "left_at_residence", "post", "entrusted", "electronic", "public_notice"]
    )
    served_on = ClientDateField(required=False, allow_null=True)


class ReminderStatementInputSerializer(serializers.Serializer):
    reminder_id = serializers.IntegerField(min_value=1)
    statement = serializers.CharField(max_length=4000)
    adopted = serializers.BooleanField()
    review = serializers.CharField(max_length=2000, help_text="The agency's review of the statement (第三十六条).")
    stated_on = ClientDateField(required=False, allow_null=True)


class CourtApplyInputSerializer(serializers.Serializer):
    reminder_id = serializers.IntegerField(min_value=1)
    court = serializers.CharField(max_length=200)
    reference = serializers.CharField(max_length=128, required=False, allow_blank=True, default="")
    applied_on = ClientDateField(required=False, allow_null=True)


class CourtRulingInputSerializer(serializers.Serializer):
    action_id = serializers.IntegerField(min_value=1)
    ruling = serializers.ChoiceField(choices=EnforcementAction.Ruling.choices)
    reference = serializers.CharField(max_length=128, required=False, allow_blank=True, default="")
    ruled_on = ClientDateField(required=False, allow_null=True)


class EnforcementDecideInputSerializer(serializers.Serializer):
    reminder_id = serializers.IntegerField(min_value=1)
    legal_power = serializers.CharField(max_length=500, help_text="The law that gives this agency the power.")
    method = serializers.CharField(max_length=200, help_text="划拨存款、拍卖查封财物 …")
    reference = serializers.CharField(max_length=128, required=False, allow_blank=True, default="")
    decided_on = ClientDateField(required=False, allow_null=True)


class EnforcementConcludeInputSerializer(serializers.Serializer):
    action_id = serializers.IntegerField(min_value=1)
    outcome = serializers.ChoiceField(choices=EnforcementAction.Outcome.choices)
    reason = serializers.CharField(max_length=2000)
    concluded_on = ClientDateField(required=False, allow_null=True)


class ReminderOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = EnforcementReminder
        fields = (
            "id",
            "issued_on",
            "amount",
            "perform_by",
            "content",
            "served_on",
            "service_method",
            "statement",
            "statement_on",
            "statement_adopted",
            "statement_review",
        )


class EnforcementActionOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = EnforcementAction
        fields = (
            "id",
            "kind",
            "reminder",
            "acted_on",
            "body",
            "legal_power",
            "method",
            "reference",
            "ruling",
            "ruled_on",
            "ruling_reference",
            "outcome",
            "outcome_on",
            "outcome_reason",
        )


class EnforcementOutputSerializer(serializers.Serializer):
    reminders = ReminderOutputSerializer(many=True)
    actions = EnforcementActionOutputSerializer(many=True)
    case_version = serializers.IntegerField()


# --------------------------------------------------------------------------- 责令改正 (行政处罚法 第二十八条)


class CorrectionOrderInputSerializer(serializers.Serializer):
    requirement = serializers.CharField(
        max_length=2000, help_text="What the party is ordered to correct, as the decision states it."
    )
    period_days = serializers.IntegerField(min_value=1, max_value=365, help_text="改正期限 in days.")
    ordered_on = ClientDateField(
        required=False, allow_null=True, help_text="Start of the period (default: the day the decision was served)."
    )
    basis = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class CorrectionInspectInputSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=[c for c in CorrectionOrder.Status.choices if c[0] != "pending"])
    findings = serializers.CharField(max_length=4000, help_text="复查情况 as the inspection record states it.")
    inspected_on = ClientDateField(required=False, allow_null=True)
    corrected_on = ClientDateField(
        required=False,
        allow_null=True,
        help_text="When the party corrected (only with ``corrected``; default: the inspection day).",
    )
    officer_ids = serializers.ListField(
        child=serializers.UUIDField(),
        required=False,
        max_length=10,
        help_text="The inspecting officers (default: the case's handlers).",
    )
    evidence_ids = serializers.ListField(
        child=serializers.UUIDField(),
        required=False,
        max_length=100,
        help_text="Received evidence items of the case: photos, the record.",
    )


class CorrectionFollowUpInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    facts = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


class CorrectionOrderOutputSerializer(serializers.ModelSerializer):
    follow_up_case_id = serializers.UUIDField(allow_null=True, read_only=True)
    inspection_officer_ids = serializers.ListField(child=serializers.CharField(), read_only=True)
    inspection_evidence_ids = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = CorrectionOrder
        fields = (
            "id",
            "requirement",
            "basis",
            "ordered_on",
            "period_days",
            "due_on",
            "status",
            "inspected_on",
            "inspection_findings",
            "inspection_officer_ids",
            "inspection_evidence_ids",
            "follow_up_case_id",
            "recorded_at",
        )


# --------------------------------------------------------------------------- 涉案财物


class PropertyLineInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    specification = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    quantity = serializers.DecimalField(max_digits=14, decimal_places=3, min_value=Decimal("0.001"), required=False)
    unit = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    amount = _amount(min_value=Decimal("0.01"), required=False, help_text="冻结: the amount frozen.")
    bank = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    account_tail = serializers.CharField(max_length=4, required=False, allow_blank=True, default="",
                                         help_text="The account's last four digits (never the whole number).")
    custody_place = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    keeper = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    evidence_ids = serializers.ListField(child=serializers.UUIDField(), required=False, max_length=50,
                                         help_text="Photos of the item: received evidence items of the case.")


    def validate_account_tail(self, value: str) -> str:
        if value and not (len(value) == 4 and value.isascii() and value.isdigit()):
            raise serializers.ValidationError("只填写账号后四位数字")
        return value


class PropertyRegisterInputSerializer(serializers.Serializer):
    measure = serializers.ChoiceField(choices=PropertyItem.Measure.choices)
    document_id = serializers.UUIDField(required=False, allow_null=True,
                                        help_text="The case's 查封（扣押）or 先行登记保存决定书 the 清单 belongs to.")
    taken_on = ClientDateField(required=False, allow_null=True, help_text="冻结: the day of freezing.")
    legal_authority = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    items = serializers.ListField(child=PropertyLineInputSerializer(), allow_empty=False, max_length=200)


class PropertyFreezeNotifyInputSerializer(serializers.Serializer):
    notified_on = ClientDateField(required=False, allow_null=True)


class PropertyMoveInputSerializer(serializers.Serializer):
    custody_place = serializers.CharField(max_length=300)
    keeper = serializers.CharField(max_length=100)
    note = serializers.CharField(max_length=500)
    moved_on = ClientDateField(required=False, allow_null=True)


class PropertyHandleInputSerializer(serializers.Serializer):
    handling = serializers.ChoiceField(
        choices=[c for c in PropertyItem.Status.choices if c[0] not in PropertyItem.OPEN_STATUSES]
    )
    basis = serializers.CharField(max_length=500, help_text="The article or decision the handling rests on.")
    handled_on = ClientDateField(required=False, allow_null=True)
    reference = serializers.CharField(max_length=128, required=False, allow_blank=True, default="")
    recipient = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    evidence_ids = serializers.ListField(child=serializers.UUIDField(), required=False, max_length=50)


class PropertyMovementOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = PropertyMovement
        fields = ("kind", "on", "from_place", "to_place", "keeper", "note", "recorded_at")


class PropertyItemOutputSerializer(serializers.ModelSerializer):
    document_id = serializers.UUIDField(allow_null=True, read_only=True)
    evidence_ids = serializers.ListField(child=serializers.CharField(), read_only=True)
    handling_evidence_ids = serializers.ListField(child=serializers.CharField(), read_only=True)
    movements = PropertyMovementOutputSerializer(many=True, read_only=True)

    class Meta:
        model = PropertyItem
        fields = (
            "id", "line", "measure", "document_id", "name", "specification", "quantity", "unit", "amount", "bank",
            "account_tail", "legal_authority", "evidence_ids", "custody_place", "keeper", "taken_on", "status",
            "notified_on", "handled_on", "handling_basis", "handling_reference", "handling_recipient",
            "handling_evidence_ids", "movements",
        )  # fmt: skip


class PropertyLedgerOutputSerializer(serializers.Serializer):
    items = PropertyItemOutputSerializer(many=True)
    by_status = serializers.DictField(child=serializers.IntegerField(), help_text="Items per status.")
    open_items = serializers.IntegerField(help_text="Items still in custody or frozen.")
    reconciled = serializers.BooleanField(help_text="Every item handled: 结案 may follow.")


# --------------------------------------------------------------------------- 移送


class TransferSendInputSerializer(serializers.Serializer):
    organ = serializers.CharField(max_length=200, help_text="The receiving organ, e.g. 辽源市公安局西安分局.")
    organ_kind = serializers.ChoiceField(choices=RecipientKind.choices)
    basis = serializers.CharField(max_length=500)
    sent_on = ClientDateField(required=False, allow_null=True)
    party_notified_on = ClientDateField(required=False, allow_null=True, help_text="书面告知当事人 (第二十一条).")
    valid_days = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=90,
                                          help_text="How long the organ's share link of the package stays valid.")


class TransferAcknowledgeInputSerializer(serializers.Serializer):
    acknowledged_on = ClientDateField(required=False, allow_null=True)
    organ_reference = serializers.CharField(max_length=128, required=False, allow_blank=True, default="")


class TransferDecideInputSerializer(serializers.Serializer):
    accepted = serializers.BooleanField(help_text="立案 (true) or 不予立案 (false).")
    note = serializers.CharField(max_length=2000)
    decided_on = ClientDateField(required=False, allow_null=True)


class TransferReturnInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)
    returned_on = ClientDateField(required=False, allow_null=True)


class TransferOutputSerializer(serializers.ModelSerializer):
    property_item_ids = serializers.ListField(child=serializers.IntegerField(), read_only=True)

    class Meta:
        model = Transfer
        fields = (
            "id", "organ", "organ_kind", "basis", "sent_on", "party_notified_on", "export_id", "manifest_sha256",
            "share_id", "property_item_ids", "status", "acknowledged_on", "organ_reference", "decided_on",
            "decision_note", "returned_on", "return_reason", "recorded_at",
        )  # fmt: skip


class TransferSentOutputSerializer(serializers.Serializer):
    transfer = TransferOutputSerializer()
    token = serializers.CharField(help_text="The organ's share-link token of the package: shown once.")
