"""Serializers: staff inputs/outputs, and the documented shape of the public responses (OpenAPI)."""

from __future__ import annotations

from rest_framework import serializers

from backend.common.calendar import provisional_reason_for
from backend.common.fields import ClientDateField, ClientDateTimeField
from backend.common.workcalendar import Assume
from backend.disclosures.models import (
    CorrectionRequest,
    NonDisclosureReason,
    Notice,
    NoticeEdit,
    PartyType,
    WithdrawalKind,
)

# --------------------------------------------------------------------------------------------------
# Public (documentation of hand-rendered responses, see backend.disclosures.public)
# --------------------------------------------------------------------------------------------------


class PublicNoticeListItemSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    status = serializers.ChoiceField(choices=[Notice.Status.PUBLISHED, Notice.Status.WITHDRAWN])
    status_label = serializers.CharField()
    decision_number = serializers.CharField(help_text="行政处罚决定书文号")
    party_type = serializers.ChoiceField(choices=PartyType.choices, allow_null=True)
    party_name = serializers.CharField(allow_null=True, help_text="自然人为“姓+某”；撤回后为空")
    party_uscc = serializers.CharField(allow_null=True)
    violation_type = serializers.CharField(allow_null=True)
    penalty_kinds = serializers.ListField(child=serializers.CharField())
    penalty_kind_labels = serializers.ListField(child=serializers.CharField())
    fine_amount = serializers.CharField(allow_null=True, help_text="元，两位小数")
    decision_date = ClientDateField()
    agency_id = serializers.IntegerField()
    agency_name = serializers.CharField()
    region_code = serializers.CharField()
    published_at = ClientDateTimeField()
    withdrawn_at = ClientDateTimeField(allow_null=True)


class PublicNoticePageSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = PublicNoticeListItemSerializer(many=True)


class PublicNoticeDetailSerializer(PublicNoticeListItemSerializer):
    """A published notice has the decision's content; a withdrawn one only the withdrawal (第四十八条第二款)."""

    party_type = serializers.ChoiceField(choices=PartyType.choices, allow_null=True, required=False)
    party_name = serializers.CharField(allow_null=True, required=False, help_text="自然人为“姓+某”")
    party_uscc = serializers.CharField(allow_null=True, required=False)
    violation_type = serializers.CharField(allow_null=True, required=False)
    penalty_kinds = serializers.ListField(child=serializers.CharField(), required=False)
    penalty_kind_labels = serializers.ListField(child=serializers.CharField(), required=False)
    fine_amount = serializers.CharField(allow_null=True, required=False, help_text="元，两位小数")
    withdrawn_at = serializers.DateTimeField(allow_null=True, required=False)
    agency_uscc = serializers.CharField()
    decision_kind = serializers.CharField(required=False)
    party_type_label = serializers.CharField(required=False)
    legal_representative = serializers.CharField(allow_null=True, required=False)
    party_address = serializers.CharField(allow_null=True, required=False)
    facts = serializers.CharField(required=False)
    legal_basis = serializers.CharField(required=False)
    penalty_content = serializers.CharField(required=False)
    confiscation_amount = serializers.CharField(allow_null=True, required=False)
    licence_info = serializers.CharField(allow_null=True, required=False)
    penalty_valid_until = ClientDateField(allow_null=True, required=False)
    display_until = ClientDateField(allow_null=True, required=False)
    full_text = serializers.CharField(required=False)
    remarks = serializers.CharField(allow_null=True, required=False)
    withdrawal_kind = serializers.CharField(required=False)
    withdrawal_kind_label = serializers.CharField(required=False)
    withdrawal_reason = serializers.CharField(required=False)
    supersedes = serializers.UUIDField(allow_null=True)
    superseded_by = serializers.UUIDField(allow_null=True)


class PublicOfficerSerializer(serializers.Serializer):
    name = serializers.CharField()
    credential_number = serializers.CharField()
    category = serializers.CharField()
    scope = serializers.CharField()
    valid_until = ClientDateField()


class PublicCredentialCheckSerializer(serializers.Serializer):
    credential_number = serializers.CharField()
    name = serializers.CharField()
    agency_name = serializers.CharField()
    agency_uscc = serializers.CharField()
    category = serializers.CharField()
    scope = serializers.CharField()
    issuer = serializers.CharField()
    issued_on = ClientDateField()
    valid_until = ClientDateField()
    state = serializers.ChoiceField(choices=["valid", "expired", "not_yet_valid", "suspended", "revoked"])
    state_text = serializers.CharField()
    is_valid = serializers.BooleanField()
    checked_on = ClientDateField()


class PublicAgencySummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    uscc = serializers.CharField()
    region_code = serializers.CharField()
    region_name = serializers.CharField()
    enforcement_categories = serializers.ListField(child=serializers.CharField())


class PublicEnforcementItemSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    legal_basis = serializers.CharField()
    handling_body = serializers.CharField()
    time_limit = serializers.CharField()
    random_inspection = serializers.BooleanField()


class PublicDiscretionStandardSerializer(serializers.Serializer):
    violation = serializers.CharField()
    legal_basis = serializers.CharField()
    circumstance = serializers.CharField()
    level = serializers.CharField()
    penalty = serializers.CharField()
    document_number = serializers.CharField()
    effective_from = ClientDateField(allow_null=True)


class PublicAgencyDetailSerializer(PublicAgencySummarySerializer):
    legal_basis = serializers.CharField()
    duties = serializers.CharField()
    contact = serializers.CharField()
    address = serializers.CharField()
    procedures = serializers.CharField()
    remedies = serializers.CharField()
    service_guide = serializers.CharField()
    random_inspection_items = serializers.CharField()
    supervision_contact = serializers.CharField()
    officers = PublicOfficerSerializer(many=True)
    enforcement_items = PublicEnforcementItemSerializer(many=True)
    discretion_standards = PublicDiscretionStandardSerializer(many=True)
    major_decision_catalog = serializers.JSONField(allow_null=True)


class PublicStatisticsSerializer(serializers.Serializer):
    agency = serializers.JSONField()
    year = serializers.IntegerField()
    generated_at = ClientDateTimeField()
    complete = serializers.BooleanField()
    cases = serializers.JSONField()
    fines = serializers.JSONField()
    hearings = serializers.JSONField()
    reviews = serializers.JSONField()
    disclosures = serializers.JSONField()


class PublicCorrectionInputSerializer(serializers.Serializer):
    requester_name = serializers.CharField(max_length=100)
    requester_contact = serializers.CharField(max_length=200)
    content = serializers.CharField(max_length=5000)


class PublicCorrectionStatusSerializer(serializers.Serializer):
    tracking_code = serializers.CharField()
    notice_id = serializers.UUIDField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    submitted_on = ClientDateField()
    due_date = ClientDateField()
    answer = serializers.CharField(allow_blank=True)
    answered_at = ClientDateTimeField(allow_null=True)


# --------------------------------------------------------------------------------------------------
# Staff
# --------------------------------------------------------------------------------------------------


class NoticeEditOutputSerializer(serializers.ModelSerializer):
    edited_by = serializers.CharField(source="edited_by.full_name", default="")

    class Meta:
        model = NoticeEdit
        fields = ["field", "before", "after", "note", "edited_by", "edited_at"]


class StaffNoticeListOutputSerializer(serializers.ModelSerializer):
    due_provisional_reason = serializers.SerializerMethodField(
        help_text="why due_date is provisional (null when it is not): a duty falls due on the earliest plausible day"
    )
    withdrawal_due_provisional_reason = serializers.SerializerMethodField()
    class Meta:
        model = Notice
        fields = [
            "id",
            "case",
            "status",
            "decision_kind",
            "decision_number",
            "party_type",
            "party_name",
            "decision_date",
            "due_date",
            "due_provisional",
            "due_provisional_reason",
            "published_at",
            "published_late",
            "display_until",
            "withdrawn_at",
            "withdrawal_due",
            "withdrawal_due_provisional",
            "withdrawal_due_provisional_reason",
            "withdrawn_late",
            "nd_reason",
            "nd_rule",
            "version",
            "created_at",
        ]

    def get_due_provisional_reason(self, notice: Notice) -> str | None:
        if not notice.due_provisional:
            return None
        return provisional_reason_for(anchor=notice.decision_date, due=notice.due_date, assume=Assume.MOST_WORKDAYS)

    def get_withdrawal_due_provisional_reason(self, notice: Notice) -> str | None:
        if not (notice.withdrawal_due_provisional and notice.withdrawal_due and notice.withdrawal_triggered_on):
            return None
        return provisional_reason_for(
            anchor=notice.withdrawal_triggered_on, due=notice.withdrawal_due, assume=Assume.MOST_WORKDAYS
        )


class StaffNoticeReviewOutputSerializer(serializers.ModelSerializer):
    """The side-by-side review screen: the decision as served (``original``), the public rendition
    (flat fields), each redaction with its reason (``redaction.spans``) and the recorded edits."""

    edits = NoticeEditOutputSerializer(many=True, read_only=True)

    class Meta:
        model = Notice
        exclude = ["search_text"]


class NoticeEditInputSerializer(serializers.Serializer):
    changes = serializers.DictField(child=serializers.CharField(allow_blank=True))
    note = serializers.CharField(required=False, allow_blank=True, default="")


class RedactionFindingSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="公示字段")
    category = serializers.CharField(help_text="个人信息类别，例如 person_name、home_address、health")
    text = serializers.CharField(help_text="字段中仍存在的个人信息")
    replacement = serializers.CharField(help_text="脱敏后应为")
    reason = serializers.CharField()


class RedactionCandidateSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="待确认项标识（用于确认接口）")
    text = serializers.CharField()
    category = serializers.CharField()
    reason = serializers.CharField()


class RedactionResolutionSerializer(RedactionCandidateSerializer):
    decision = serializers.ChoiceField(choices=["mask", "keep"])
    by = serializers.CharField(help_text="处理人 ID")
    at = serializers.DateTimeField()


class RedactionCheckOutputSerializer(serializers.Serializer):
    findings = RedactionFindingSerializer(many=True, help_text="公示文本中仍含的个人信息：有则不能发布")
    candidates = RedactionCandidateSerializer(many=True, help_text="待确认的疑似个人信息：须逐项确认后才能发布")
    resolutions = RedactionResolutionSerializer(many=True, help_text="已确认的事项（含理由），已记录审计")


class RedactionResolveInputSerializer(serializers.Serializer):
    key = serializers.CharField(max_length=32)
    decision = serializers.ChoiceField(choices=["mask", "keep"], help_text="mask = 脱敏（姓+某）；keep = 保留")
    reason = serializers.CharField(max_length=500, help_text="理由（必填，记录在案）")


class NoticeWithdrawInputSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text="公开的撤回理由")
    kind = serializers.ChoiceField(choices=WithdrawalKind.choices)
    triggered_on = ClientDateField(required=False, help_text="决定被变更/撤销/确认违法/确认无效之日")


class NoticeNonDisclosureInputSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=NonDisclosureReason.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class NoticeNonDisclosureDecisionInputSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class NoticeDeadlinesOutputSerializer(serializers.Serializer):
    today = ClientDateField()
    due_soon_until = ClientDateField()
    overdue = StaffNoticeListOutputSerializer(many=True)
    due_soon = StaffNoticeListOutputSerializer(many=True)
    late_withdrawals = StaffNoticeListOutputSerializer(many=True)


class CorrectionRequestOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = CorrectionRequest
        fields = [
            "id",
            "notice",
            "tracking_code",
            "requester_name",
            "requester_contact",
            "content",
            "status",
            "due_date",
            "answer",
            "answered_at",
            "created_at",
        ]


class CorrectionAnswerInputSerializer(serializers.Serializer):
    accept = serializers.BooleanField()
    answer = serializers.CharField()
