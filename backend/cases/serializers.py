"""Input and output serializers of the cases API (uniquely named, so the OpenAPI components are stable)."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from backend.cases.deadlines import late_payment_surcharge
from backend.cases.masking import mask_id_number, mask_person_name, mask_phone, masked_party_name
from backend.cases.models import (
    Activity,
    Case,
    CaseDeadline,
    CasePause,
    CashCollection,
    Category,
    DecisionCorrection,
    DocumentType,
    EnforcementDocument,
    PartyType,
    PenaltyKind,
    RecordingRequirement,
    RetentionTerm,
    Source,
)
from backend.cases.rules import limitation_check
from backend.cases.workflow import allowed_transitions
from backend.common.calendar import get_calendar, provisional_reason_for
from backend.common.fields import ClientDateField, ClientDateTimeField, PartyTypeField
from backend.common.workdays import get_rule
from backend.redaction.validators import is_valid_id_number, is_valid_uscc

# --------------------------------------------------------------------------- shared pieces


class LegalBasisItemSerializer(serializers.Serializer):
    law = serializers.CharField(max_length=200)
    article = serializers.CharField(max_length=100)
    text = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class MeasureSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=PenaltyKind.choices)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True)
    detail = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    months = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=1200,
        help_text="Duration of a time-limited measure (暂扣, 限制开展生产经营活动, 责令停产停业, 限制从业), in months.",
    )


class OfficerRefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()


def _officers(case: Case) -> list[dict[str, Any]]:
    return [{"id": u.pk, "name": str(u)} for u in case.handling_officers.all()]


class StepInputSerializer(serializers.Serializer):
    """Where and how the step was performed (全过程记录)."""

    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True,
                                        min_value=-90, max_value=90)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True,
                                         min_value=-180, max_value=180)
    performed_at = ClientDateTimeField(required=False, allow_null=True,
                                             help_text="Time of the act on the device (offline work).")


# --------------------------------------------------------------------------- cases

PARTY_FIELDS = (
    "party_type", "party_name", "party_id_number", "party_phone", "party_address", "party_uscc",
    "party_legal_rep", "party_legal_rep_id_number", "party_is_minor",
)


USCC_INVALID = "统一社会信用代码无效：须为18位，且校验码正确（GB 32100-2015）"
ID_NUMBER_INVALID = "居民身份证号码无效：地区码、出生日期或校验码不正确（GB 11643-1999）"


def _looks_like_resident_id(value: str) -> bool:
    """15 digits, or 17 digits and a check character: a 居民身份证号码 (others — passports, 港澳台 permits — pass)."""
    return (len(value) == 15 and value.isascii() and value.isdigit()) or (
        len(value) == 18 and value[:17].isascii() and value[:17].isdigit()
    )


class CaseFieldsInputSerializer(serializers.Serializer):
    """The party's 统一社会信用代码 (GB 32100-2015) and a 居民身份证号码 (GB 11643-1999; other documents such as
    passports are not checked) must carry correct check characters: otherwise 400 naming the field."""

    title = serializers.CharField(max_length=300)
    category = serializers.ChoiceField(choices=Category.choices, default=Category.PENALTY)
    source = serializers.ChoiceField(choices=Source.choices, default=Source.INSPECTION)
    party_type = PartyTypeField()
    party_name = serializers.CharField(max_length=200)
    party_id_number = serializers.CharField(max_length=32, required=False, allow_blank=True)
    party_phone = serializers.CharField(max_length=32, required=False, allow_blank=True)
    party_address = serializers.CharField(max_length=300, required=False, allow_blank=True)
    party_uscc = serializers.CharField(max_length=18, required=False, allow_blank=True)
    party_legal_rep = serializers.CharField(max_length=100, required=False, allow_blank=True)
    party_legal_rep_id_number = serializers.CharField(max_length=32, required=False, allow_blank=True)
    party_is_minor = serializers.BooleanField(required=False, default=False)
    place_address = serializers.CharField(max_length=300, required=False, allow_blank=True)
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True,
                                        min_value=-90, max_value=90)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True,
                                         min_value=-180, max_value=180)
    facts = serializers.CharField(required=False, allow_blank=True)
    violation_type = serializers.CharField(max_length=300, required=False, allow_blank=True)
    legal_basis = LegalBasisItemSerializer(many=True, required=False)
    violation_on = ClientDateField(
        required=False, allow_null=True,
        help_text="违法行为发生之日；连续或者继续状态的，行为终了之日（行政处罚法 第三十六条第二款）; "
        "not in the future.",
    )
    limitation_serious = serializers.BooleanField(
        required=False,
        help_text="涉及公民生命健康安全、金融安全且有危害后果: five-year limitation (第三十六条第一款).",
    )


    def validate_party_uscc(self, value: str) -> str:
        value = value.strip().upper()
        if value and not is_valid_uscc(value):
            raise serializers.ValidationError(USCC_INVALID, code="invalid_uscc")
        return value

    def _resident_id(self, value: str) -> str:
        value = value.strip().upper()
        if value and _looks_like_resident_id(value) and not is_valid_id_number(value):
            raise serializers.ValidationError(ID_NUMBER_INVALID, code="invalid_id_number")
        return value

    def validate_party_id_number(self, value: str) -> str:
        return self._resident_id(value)

    def validate_party_legal_rep_id_number(self, value: str) -> str:
        return self._resident_id(value)


class CaseCreateInputSerializer(CaseFieldsInputSerializer):
    id = serializers.UUIDField(required=False, help_text="Client-generated id (offline creation).")
    officer_ids = serializers.ListField(child=serializers.UUIDField(), required=False, default=list)
    clue_received_on = ClientDateField(required=False, allow_null=True)


class CashCollectionInputSerializer(serializers.Serializer):
    """当场收缴 (行政处罚法 第六十八条至第七十条)."""

    ground = serializers.ChoiceField(
        choices=CashCollection.Ground.choices, default=CashCollection.Ground.SMALL_FINE,
        help_text="small_fine: 100 yuan or less (第六十八条第一项, 简易程序); hard_to_enforce: 不当场收缴事后难以执行 "
        "(第六十八条第二项, 简易程序, ground_note required); remote_area: 边远、水上、交通不便地区 at the party's "
        "request (第六十九条, either procedure; party_requested and ground_note required).",
    )
    ground_note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    party_requested = serializers.BooleanField(required=False, default=False)
    receipt_number = serializers.CharField(
        max_length=64, help_text="Number of the 财政部门统一制发的专用票据 given to the party (第七十条)."
    )
    on_water = serializers.BooleanField(
        required=False, default=False,
        help_text="Collected on water: the 2 working days to hand it in run from reaching the shore (第七十一条).",
    )
    landed_on = ClientDateField(required=False, allow_null=True, default=None)


class CashCollectInputSerializer(CashCollectionInputSerializer):
    ground = serializers.ChoiceField(choices=CashCollection.Ground.choices, default=CashCollection.Ground.REMOTE_AREA)
    collected_at = ClientDateTimeField(required=False, allow_null=True, default=None)


class CashLandedInputSerializer(serializers.Serializer):
    landed_on = ClientDateField()


class CashHandedInInputSerializer(serializers.Serializer):
    handed_in_on = ClientDateField()


class CashDepositedInputSerializer(serializers.Serializer):
    deposited_on = ClientDateField()
    bank_receipt_number = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")


class CashCollectionOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = CashCollection
        fields = ("ground", "ground_note", "party_requested", "amount", "receipt_number", "collected_at",
                  "collected_by", "on_water", "landed_on", "handed_in_on", "handed_in_by", "deposited_on",
                  "bank_receipt_number", "deposited_by")


class LimitationOutputSerializer(serializers.Serializer):
    violation_on = serializers.DateField()
    discovered_on = serializers.DateField(help_text="线索登记日: the day the violation was discovered (第三十六条).")
    ends_on = serializers.DateField(help_text="Last day on which a discovery is still in time.")
    years = serializers.IntegerField()
    expired = serializers.BooleanField()


class CaseSummaryCreateInputSerializer(CaseFieldsInputSerializer):
    id = serializers.UUIDField(required=False)
    officer_ids = serializers.ListField(child=serializers.UUIDField(), min_length=1)
    measures = MeasureSerializer(many=True)
    decided_at = ClientDateTimeField(required=False, allow_null=True)
    form_number = serializers.CharField(max_length=128, required=False, allow_blank=True, default="")
    paid_on_spot = serializers.BooleanField(required=False, default=False,
                                            help_text="The fine was collected on the spot: give cash_collection.")
    cash_collection = CashCollectionInputSerializer(required=False, allow_null=True, default=None)
    attachment_ids = serializers.ListField(child=serializers.UUIDField(), required=False, default=list)


class CaseUpdateInputSerializer(CaseFieldsInputSerializer):
    pass


class CaseListOutputSerializer(serializers.ModelSerializer):
    """Compact: no personal data beyond a masked name (个人信息保护法 第五十一条)."""

    party_name = serializers.SerializerMethodField()
    officer_ids = serializers.SerializerMethodField()
    has_missing_recordings = serializers.BooleanField(read_only=True)

    class Meta:
        model = Case
        fields = (
            "id", "case_number", "title", "procedure", "category", "status", "party_type", "party_name",
            "officer_ids", "registered_on", "decided_on", "decision_number", "is_major", "has_missing_recordings",
            "version", "created_at", "updated_at",
        )

    def get_party_name(self, case: Case) -> str:
        return masked_party_name(party_type=case.party_type, name=case.party_name, operator=case.party_legal_rep)

    def get_officer_ids(self, case: Case) -> list[str]:
        return [str(u.pk) for u in case.handling_officers.all()]


class DeadlineOutputSerializer(serializers.ModelSerializer):
    case_id = serializers.UUIDField(read_only=True)
    case_number = serializers.CharField(source="case.case_number", read_only=True)
    agency_id = serializers.IntegerField(source="case.agency_id", read_only=True)
    effective_state = serializers.SerializerMethodField(
        help_text="state, with 'overdue' for a past-due duty the sweep has not flagged yet"
    )
    provisional_reason = serializers.SerializerMethodField(
        help_text="why due_on is provisional (null when it is not): the year's holidays are not entered yet, so "
        "a party's window ends on the latest plausible day and a duty on the earliest (api_docs/guides/deadlines.md §3)"
    )

    class Meta:
        model = CaseDeadline
        fields = (
            "id", "case_id", "case_number", "agency_id", "rule_code", "name", "kind", "anchor_on", "due_on",
            "state", "effective_state", "provisional", "provisional_reason", "extensions", "paused_days", "met_on",
            "met_late", "source",
        )

    def get_provisional_reason(self, deadline: CaseDeadline) -> str | None:
        if not deadline.provisional:
            return None
        return provisional_reason_for(
            anchor=deadline.anchor_on, due=deadline.due_on, assume=get_rule(deadline.rule_code).assumption
        )

    def get_effective_state(self, deadline: CaseDeadline) -> str:
        today = self.context.get("today")
        if (
            today is not None
            and deadline.state == CaseDeadline.State.DUE
            and deadline.kind != CaseDeadline.Kind.WINDOW
            and deadline.due_on < today
        ):
            return CaseDeadline.State.OVERDUE
        return deadline.state


class CaseStateOutputSerializer(serializers.ModelSerializer):
    """What a step returns: the new status and version, numbers, flags and what can happen next."""

    allowed_transitions = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = (
            "id", "case_number", "status", "procedure", "version", "decision_number", "decision_state",
            "is_major", "major_reasons", "hearing_eligible", "missing_recordings", "allowed_transitions",
            "updated_at",
        )

    def get_allowed_transitions(self, case: Case) -> list[str]:
        return allowed_transitions(
            case.status, decision_state=case.decision_state, decision_outcome=case.decision_outcome
        )


class CasePauseOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = CasePause
        fields = ("kind", "started_on", "ended_on", "reason")


class LatePaymentSurchargeSerializer(serializers.Serializer):
    since = ClientDateField(help_text="First day counted (the day after the payment period ended).")
    days = serializers.IntegerField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="3 % of the fine per day.")
    capped = serializers.BooleanField(help_text="The surcharge reached the amount of the fine (its ceiling).")


class DecidedLateOutputSerializer(serializers.Serializer):
    """A 处理决定 made after the 90-day limit (行政处罚法 第六十条) ran out: the defect on record."""

    due_on = serializers.DateField(help_text="Last day of the limit (90 days + extensions, paused days added).")
    decided_on = serializers.DateField()
    days_over = serializers.IntegerField(help_text="Calendar days past due_on.")
    reason = serializers.CharField(help_text="The head's written overdue statement.")
    acknowledged_by = OfficerRefSerializer(allow_null=True, help_text="The head who decided and answered for it.")


class CaseDetailOutputSerializer(serializers.ModelSerializer):
    """Full record, including the party's personal data (each read is audited)."""

    handling_officers = serializers.SerializerMethodField()
    late_payment_surcharge = serializers.SerializerMethodField()
    allowed_transitions = serializers.SerializerMethodField()
    deadlines = serializers.SerializerMethodField()
    pauses = CasePauseOutputSerializer(many=True, read_only=True)
    agency_name = serializers.CharField(source="agency.name", read_only=True)
    limitation = serializers.SerializerMethodField()
    cash_collection = serializers.SerializerMethodField()
    decided_late = serializers.SerializerMethodField()

    class Meta:
        model = Case
        exclude = ("created_by", "decided_by", "decision_overdue_reason", "decision_overdue_acknowledged_by",
                   "decision_overdue_days")

    @extend_schema_field(DecidedLateOutputSerializer(allow_null=True))
    def get_decided_late(self, case: Case) -> dict[str, Any] | None:
        """``null`` unless the decision was made after the limit with the head's overdue statement."""
        if case.decision_overdue_days is None or case.decided_on is None:
            return None
        head = case.decision_overdue_acknowledged_by
        return DecidedLateOutputSerializer({
            "due_on": case.decided_on - dt.timedelta(days=case.decision_overdue_days),
            "decided_on": case.decided_on,
            "days_over": case.decision_overdue_days,
            "reason": case.decision_overdue_reason,
            "acknowledged_by": {"id": head.pk, "name": str(head)} if head else None,
        }).data

    @extend_schema_field(LimitationOutputSerializer(allow_null=True))
    def get_limitation(self, case: Case) -> dict[str, Any] | None:
        """行政处罚法 第三十六条, tested on the 线索登记 day (简易程序: the day of the decision)."""
        discovered = case.clue_received_on or case.decided_on or case.registered_on
        if case.violation_on is None or discovered is None:
            return None
        result = limitation_check(violation_on=case.violation_on, discovered_on=discovered,
                                  serious=case.limitation_serious, calendar=get_calendar())
        return LimitationOutputSerializer({**asdict(result), "expired": result.expired}).data

    @extend_schema_field(CashCollectionOutputSerializer(allow_null=True))
    def get_cash_collection(self, case: Case) -> dict[str, Any] | None:
        collection = CashCollection.objects.filter(case=case).first()
        return CashCollectionOutputSerializer(collection).data if collection else None

    def get_handling_officers(self, case: Case) -> list[dict[str, Any]]:
        return OfficerRefSerializer(_officers(case), many=True).data

    def get_allowed_transitions(self, case: Case) -> list[str]:
        return allowed_transitions(
            case.status, decision_state=case.decision_state, decision_outcome=case.decision_outcome
        )

    def get_deadlines(self, case: Case) -> list[dict[str, Any]]:
        return DeadlineOutputSerializer(case.deadlines.all(), many=True, context=self.context).data

    @extend_schema_field(LatePaymentSurchargeSerializer(allow_null=True))
    def get_late_payment_surcharge(self, case: Case) -> dict[str, Any] | None:
        owed = late_payment_surcharge(case=case, today=self.context.get("today") or timezone.localdate())
        return LatePaymentSurchargeSerializer(owed).data if owed else None


class CaseMaskedDetailOutputSerializer(CaseDetailOutputSerializer):
    """The detail with the party's personal data masked (for ``?masked=1``; not audited)."""

    def to_representation(self, case: Case) -> dict[str, Any]:
        data = super().to_representation(case)
        data["party_name"] = masked_party_name(
            party_type=case.party_type, name=case.party_name, operator=case.party_legal_rep
        )
        data["party_id_number"] = mask_id_number(case.party_id_number)
        data["party_phone"] = mask_phone(case.party_phone)
        data["party_address"] = ""
        data["party_legal_rep_id_number"] = mask_id_number(case.party_legal_rep_id_number)
        if case.party_type == PartyType.SOLE_TRADER:  # the operator is a natural person
            data["party_legal_rep"] = mask_person_name(case.party_legal_rep)
        return data


# --------------------------------------------------------------------------- other case actions


class OfficersInputSerializer(serializers.Serializer):
    officer_ids = serializers.ListField(child=serializers.UUIDField(), min_length=1)


class WaiverInputSerializer(serializers.Serializer):
    statement = serializers.BooleanField(default=False)
    hearing = serializers.BooleanField(default=False)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    attachment_ids = serializers.ListField(child=serializers.UUIDField(), required=False, default=list)


class ExecutionInputSerializer(serializers.Serializer):
    executed_on = ClientDateField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    paid_amount = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True)


class ExtendDecisionInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)
    collective_discussion = serializers.BooleanField(default=False)


class DeadlineExtendInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class CorrectionInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=DecisionCorrection.Kind.choices)
    by = serializers.ChoiceField(choices=DecisionCorrection.By.choices)
    reason = serializers.CharField(max_length=2000)
    effective_on = ClientDateField(required=False, allow_null=True)
    reference = serializers.CharField(max_length=128, required=False, allow_blank=True, default="")
    new_measures = MeasureSerializer(many=True, required=False)


class RetentionInputSerializer(serializers.Serializer):
    legal_hold = serializers.BooleanField(required=False, allow_null=True)
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    retention_term = serializers.ChoiceField(choices=RetentionTerm.choices, required=False)
    retention_until = ClientDateField(required=False, allow_null=True)


class RetentionOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Case
        fields = ("id", "version", "retention_term", "retention_until", "legal_hold", "legal_hold_reason",
                  "archived_on")


# --------------------------------------------------------------------------- documents


class DocumentCreateInputSerializer(serializers.Serializer):
    id = serializers.UUIDField(required=False)
    doc_type = serializers.ChoiceField(choices=DocumentType.choices)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    content = serializers.DictField()
    occurred_at = ClientDateTimeField(required=False, allow_null=True)
    activity = serializers.ChoiceField(choices=Activity.choices, required=False, allow_blank=True, default="")
    place = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    officer_ids = serializers.ListField(child=serializers.UUIDField(), required=False, allow_null=True)
    attachment_ids = serializers.ListField(child=serializers.UUIDField(), required=False, default=list)
    supersedes_id = serializers.UUIDField(required=False, allow_null=True)
    approved_by_id = serializers.UUIDField(
        required=False, allow_null=True,
        help_text="查封扣押/先行登记保存: the agency head who approved the measure beforehand (行政强制法 第十八条).",
    )
    approved_at = ClientDateTimeField(required=False, allow_null=True)
    emergency = serializers.BooleanField(
        required=False, default=False,
        help_text="Taken on the spot in an emergency: the head must approve within 24 hours (行政强制法 第十九条).",
    )


class DocumentApproveInputSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class DocumentAttachInputSerializer(serializers.Serializer):
    attachment_ids = serializers.ListField(child=serializers.UUIDField(), min_length=1)


class DocumentListOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = EnforcementDocument
        fields = ("id", "doc_type", "title", "number", "step", "activity", "occurred_at", "attachment_ids",
                  "supersedes", "created_at")


class DocumentOutputSerializer(serializers.ModelSerializer):
    audit_seq = serializers.IntegerField(
        source="audit_event.seq", read_only=True, allow_null=True, default=None,
        help_text="台账序号：记录本文书的审计事件在审计链中的序号（排序入链前为 null，通常在提交后数毫秒内确定）",
    )

    class Meta:
        model = EnforcementDocument
        fields = ("id", "case", "doc_type", "title", "number", "step", "activity", "occurred_at", "place",
                  "officer_ids", "content", "attachment_ids", "supersedes", "created_by", "created_at", "audit_seq")


# --------------------------------------------------------------------------- timeline


class TimelineTransitionSerializer(serializers.Serializer):
    name = serializers.CharField()
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    performed_at = ClientDateTimeField()
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, allow_null=True)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, allow_null=True)
    comment = serializers.CharField()


class TimelineDocumentSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    doc_type = serializers.CharField()
    title = serializers.CharField()
    number = serializers.CharField()
    occurred_at = ClientDateTimeField()


class TimelineEntryOutputSerializer(serializers.Serializer):
    seq = serializers.IntegerField(allow_null=True, help_text="审计链序号；事件已记录但尚未排序入链时为 null")
    pending = serializers.BooleanField(help_text="已随业务变更一并记录、尚未排序入链（无序号和哈希）")
    at = ClientDateTimeField()
    action = serializers.CharField()
    actor = serializers.CharField()
    actor_roles = serializers.ListField(child=serializers.CharField())
    target_type = serializers.CharField()
    target_id = serializers.CharField()
    device_id = serializers.UUIDField(allow_null=True)
    data = serializers.DictField()
    hash = serializers.CharField(allow_null=True)
    transition = TimelineTransitionSerializer(allow_null=True)
    document = TimelineDocumentSerializer(allow_null=True)


# --------------------------------------------------------------------------- deadlines and lists


class DeadlineSummaryOutputSerializer(serializers.Serializer):
    agency_id = serializers.IntegerField()
    agency_name = serializers.CharField()
    open = serializers.IntegerField()
    due_soon = serializers.IntegerField()
    overdue = serializers.IntegerField()
    met_late = serializers.IntegerField()


class RecordingRequirementInputSerializer(serializers.Serializer):
    activity = serializers.ChoiceField(choices=Activity.choices)
    level = serializers.ChoiceField(choices=RecordingRequirement.Level.choices,
                                    default=RecordingRequirement.Level.REQUIRED)
    retention = serializers.ChoiceField(choices=RetentionTerm.choices, default=RetentionTerm.PERMANENT)
    basis = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class RecordingRequirementOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = RecordingRequirement
        fields = ("id", "agency", "activity", "level", "retention", "basis", "updated_at")
