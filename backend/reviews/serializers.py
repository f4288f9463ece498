"""Input and output serializers of the reviews API (uniquely named for drf-spectacular)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from rest_framework import serializers

from backend.common.calendar import provisional_reason_for
from backend.common.fields import ClientDateField, PartyTypeField
from backend.common.workcalendar import Assume
from backend.reviews import major
from backend.reviews.checklist import ItemResult, ReviewKind
from backend.reviews.models import (
    CatalogRule,
    ChecklistEntry,
    CollectiveDiscussion,
    MajorCatalog,
    MajorEvaluation,
    Recusal,
    ReviewAssignment,
    ReviewDispute,
    ReviewExtension,
    ReviewRound,
    ReviewSettings,
    SupplementRequest,
)


class ReviewUserRefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.SerializerMethodField()

    def get_name(self, obj: Any) -> str:
        return str(obj)


def _user(obj: Any) -> dict[str, str] | None:
    return {"id": str(obj.pk), "name": str(obj)} if obj is not None else None


# --------------------------------------------------------------------------- catalog


class CatalogRuleOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = CatalogRule
        fields = [
            "id",
            "code",
            "order",
            "kind",
            "description",
            "party_types",
            "amount",
            "inclusive",
            "measures",
            "flag",
            "law_name",
        ]


class CatalogOutputSerializer(serializers.ModelSerializer):
    rules = CatalogRuleOutputSerializer(many=True, read_only=True)
    agency_name = serializers.CharField(source="agency.name", read_only=True)

    class Meta:
        model = MajorCatalog
        fields = [
            "id",
            "agency_id",
            "agency_name",
            "version",
            "title",
            "document_number",
            "basis",
            "note",
            "status",
            "effective_from",
            "published_at",
            "created_at",
            "rules",
        ]


class CatalogCreateInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    basis = serializers.CharField(required=False, allow_blank=True, default="")
    note = serializers.CharField(required=False, allow_blank=True, default="")
    copy_from_id = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="以该版本的条目为起点编制新版本"
    )


class CatalogRuleInputSerializer(serializers.Serializer):
    code = serializers.SlugField(max_length=50)
    kind = serializers.ChoiceField(choices=[k.value for k in major.RuleKind])
    description = serializers.CharField(max_length=300)
    order = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=0)
    party_types = serializers.ListField(
        child=PartyTypeField(), required=False, default=list
    )
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True, default=None)
    inclusive = serializers.BooleanField(required=False, default=True, help_text="true: 以上（≥）；false: 超过（>）")
    measures = serializers.ListField(child=serializers.CharField(max_length=40), required=False, default=list)
    flag = serializers.ChoiceField(choices=[f.value for f in major.Flag], required=False, allow_blank=True, default="")
    law_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class CatalogPublishInputSerializer(serializers.Serializer):
    effective_from = ClientDateField(required=False, allow_null=True, default=None)
    document_number = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


# --------------------------------------------------------------------------- checklist and settings


class ChecklistItemOutputSerializer(serializers.Serializer):
    code = serializers.CharField()
    order = serializers.IntegerField()
    title = serializers.CharField()
    guidance = serializers.CharField()
    source = serializers.CharField()
    statutory = serializers.BooleanField()
    template_id = serializers.IntegerField()
    template_version = serializers.IntegerField()


class ChecklistTemplateOutputSerializer(serializers.Serializer):
    kind = serializers.CharField()
    items = ChecklistItemOutputSerializer(many=True)


class ChecklistAgencyItemInputSerializer(serializers.Serializer):
    code = serializers.SlugField(max_length=50)
    title = serializers.CharField(max_length=200)
    guidance = serializers.CharField(required=False, allow_blank=True, default="")
    source = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ChecklistAgencyItemsInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[k.value for k in ReviewKind])
    items = ChecklistAgencyItemInputSerializer(many=True)
    effective_from = ClientDateField(required=False, allow_null=True, default=None)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class ReviewSettingsSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReviewSettings
        fields = [
            "legal_review_workdays",
            "case_review_workdays",
            "extension_workdays",
            "max_extensions",
            "reviewer_ratio_guideline",
            "collective_discussion_for_major",
            "collective_min_participants",
            "opinion_number_prefix",
        ]
        # The columns are small integers and every change is written into the audit trail's canonical JSON
        # (integers up to 2^53): bound them to what an agency can mean — a year of working days, ten
        # extensions, a hundred participants — so a huge number is a 400, not a 500.
        extra_kwargs = {
            "legal_review_workdays": {"min_value": 1, "max_value": 250},
            "case_review_workdays": {"min_value": 1, "max_value": 250},
            "extension_workdays": {"min_value": 0, "max_value": 250},
            "max_extensions": {"min_value": 0, "max_value": 10},
            "collective_min_participants": {"min_value": 1, "max_value": 100},
        }


class ReviewerRatioOutputSerializer(serializers.Serializer):
    agency_id = serializers.IntegerField()
    legal_reviewers = serializers.IntegerField()
    qualified_reviewers = serializers.IntegerField()
    enforcement_officers = serializers.IntegerField()
    ratio = serializers.DecimalField(max_digits=8, decimal_places=4, allow_null=True)
    guideline = serializers.DecimalField(max_digits=5, decimal_places=4)
    reviewers_needed = serializers.IntegerField()
    meets_guideline = serializers.BooleanField()


# --------------------------------------------------------------------------- rounds


class ReviewRoundListOutputSerializer(serializers.ModelSerializer):
    due_provisional_reason = serializers.SerializerMethodField(
        help_text="why due_on is provisional (null when it is not): a duty falls due on the earliest plausible day"
    )
    case_id = serializers.UUIDField(read_only=True)
    case_number = serializers.CharField(source="case.case_number", read_only=True)
    case_title = serializers.CharField(source="case.title", read_only=True)
    reviewer = serializers.SerializerMethodField()
    submitted_by = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = ReviewRound
        fields = [
            "id",
            "case_id",
            "case_number",
            "case_title",
            "kind",
            "number",
            "post_hearing",
            "status",
            "outcome",
            "reviewer",
            "submitted_by",
            "submitted_at",
            "received_on",
            "due_on",
            "due_provisional",
            "due_provisional_reason",
            "paused_since",
            "overdue",
            "major_reasons",
            "opinion_number",
            "completed_at",
        ]

    def get_due_provisional_reason(self, round_: ReviewRound) -> str | None:
        if not round_.due_provisional:
            return None
        return provisional_reason_for(anchor=round_.received_on, due=round_.due_on, assume=Assume.MOST_WORKDAYS)

    def get_reviewer(self, obj: ReviewRound) -> dict[str, str] | None:
        return _user(obj.reviewer)

    def get_submitted_by(self, obj: ReviewRound) -> dict[str, str] | None:
        return _user(obj.submitted_by)

    def get_overdue(self, obj: ReviewRound) -> bool:
        active = obj.status in (ReviewRound.Status.PENDING, ReviewRound.Status.IN_REVIEW)
        return active and obj.due_on < timezone.localdate()


class ChecklistEntryOutputSerializer(serializers.ModelSerializer):
    filled_by_id = serializers.UUIDField(read_only=True, allow_null=True)

    class Meta:
        model = ChecklistEntry
        fields = [
            "code",
            "order",
            "title",
            "guidance",
            "source",
            "statutory",
            "hints",
            "result",
            "note",
            "filled_by_id",
            "filled_at",
        ]


class ReviewAssignmentOutputSerializer(serializers.ModelSerializer):
    reviewer = serializers.SerializerMethodField()
    assigned_by = serializers.SerializerMethodField()

    class Meta:
        model = ReviewAssignment
        fields = ["reviewer", "assigned_by", "assigned_at", "reason", "ended_at", "end_reason"]

    def get_reviewer(self, obj: ReviewAssignment) -> dict[str, str] | None:
        return _user(obj.reviewer)

    def get_assigned_by(self, obj: ReviewAssignment) -> dict[str, str] | None:
        return _user(obj.assigned_by)


class RecusalOutputSerializer(serializers.ModelSerializer):
    reviewer = serializers.SerializerMethodField()

    class Meta:
        model = Recusal
        fields = ["id", "case_id", "round_id", "reviewer", "reason", "note", "recorded_at"]

    def get_reviewer(self, obj: Recusal) -> dict[str, str] | None:
        return _user(obj.reviewer)


class SupplementOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = SupplementRequest
        fields = [
            "id",
            "items",
            "requested_on",
            "requested_at",
            "resolved_on",
            "resolved_at",
            "response",
            "added_evidence",
            "paused_workdays",
        ]


class ExtensionOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReviewExtension
        fields = ["id", "workdays", "reason", "status", "requested_at", "decided_at", "decision_note"]


class DisputeOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReviewDispute
        fields = [
            "id",
            "round_id",
            "grounds",
            "escalate_to",
            "status",
            "raised_at",
            "resolution",
            "resolution_note",
            "resolved_at",
            "collective_discussion_id",
            "new_round_id",
        ]


class ReviewRoundDetailOutputSerializer(ReviewRoundListOutputSerializer):
    checklist = ChecklistEntryOutputSerializer(many=True, read_only=True)
    assignments = ReviewAssignmentOutputSerializer(many=True, read_only=True)
    recusals = RecusalOutputSerializer(many=True, read_only=True)
    supplements = SupplementOutputSerializer(many=True, read_only=True)
    extensions = ExtensionOutputSerializer(many=True, read_only=True)
    disputes = DisputeOutputSerializer(many=True, read_only=True)
    catalog_version = serializers.IntegerField(source="catalog.version", read_only=True, allow_null=True)
    previous_round_id = serializers.UUIDField(read_only=True, allow_null=True)

    class Meta(ReviewRoundListOutputSerializer.Meta):
        fields = [
            *ReviewRoundListOutputSerializer.Meta.fields,
            "previous_round_id",
            "package",
            "evidence_manifest",
            "package_sha256",
            "proposal_fingerprint",
            "catalog_version",
            "time_limit_workdays",
            "extension_workdays",
            "paused_workdays",
            "opinion_text",
            "correction_points",
            "opinion_sha256",
            "checklist",
            "assignments",
            "recusals",
            "supplements",
            "extensions",
            "disputes",
        ]


class ReviewSubmitInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=[k.value for k in ReviewKind],
        required=False,
        allow_null=True,
        default=None,
        help_text="默认按重大执法决定认定结果：法制审核或案件审核",
    )
    discretion = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="裁量基准的适用及理由（有罚款时必填）"
    )
    investigation_report = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="调查终结报告（已作为执法文书归档的可不填）"
    )
    hearing_record = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="听证笔录摘要（已作为执法文书归档的可不填）"
    )
    assessment = serializers.CharField(required=False, allow_blank=True, default="", help_text="评估报告")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ReviewAssignInputSerializer(serializers.Serializer):
    reviewer_id = serializers.UUIDField(help_text="承办审核的法制审核人员；本人领取时填自己的 id")
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class ReviewRecuseInputSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=Recusal.Reason.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    reviewer_id = serializers.UUIDField(
        required=False, allow_null=True, default=None, help_text="默认本人；机关负责人可为他人登记"
    )


class ChecklistFillItemInputSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=50)
    result = serializers.ChoiceField(choices=[r.value for r in ItemResult])
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ChecklistFillInputSerializer(serializers.Serializer):
    items = ChecklistFillItemInputSerializer(many=True)


class CorrectionPointInputSerializer(serializers.Serializer):
    aspect = serializers.ChoiceField(
        choices=["characterization", "basis", "procedure", "outcome", "facts", "discretion", "documents", "other"]
    )
    text = serializers.CharField(max_length=2000)


class ReviewOutcomeInputSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=ReviewRound.Outcome.choices)
    opinion_text = serializers.CharField(required=False, allow_blank=True, default="")
    correction_points = CorrectionPointInputSerializer(many=True, required=False, default=list)


class ReviewReasonInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class SupplementRequestInputSerializer(serializers.Serializer):
    items = serializers.CharField(max_length=4000, help_text="需补充的材料")


class SupplementResolveInputSerializer(serializers.Serializer):
    response = serializers.CharField(required=False, allow_blank=True, default="")


class ExtensionRequestInputSerializer(serializers.Serializer):
    workdays = serializers.IntegerField(min_value=1, max_value=60, required=False, allow_null=True, default=None)
    reason = serializers.CharField(max_length=2000)


class ExtensionDecideInputSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class DisputeRaiseInputSerializer(serializers.Serializer):
    grounds = serializers.CharField(max_length=4000)
    escalate_to = serializers.ChoiceField(choices=ReviewDispute.EscalateTo.choices, default="head")


class DisputeResolveInputSerializer(serializers.Serializer):
    resolution = serializers.ChoiceField(choices=ReviewDispute.Resolution.choices)
    note = serializers.CharField(max_length=4000)
    collective_discussion_id = serializers.UUIDField(required=False, allow_null=True, default=None)


# --------------------------------------------------------------------------- case side


class CaseReviewFlagsSerializer(serializers.Serializer):
    public_interest = serializers.BooleanField(required=False, help_text="涉及重大公共利益")
    complex_multi_legal = serializers.BooleanField(required=False, help_text="案情疑难复杂、涉及多个法律关系")
    social_risk = serializers.BooleanField(required=False, help_text="可能造成重大社会影响或引发社会风险")
    law_requires = serializers.BooleanField(required=False, help_text="法律、法规规定应当进行法制审核")
    law_requires_citation = serializers.CharField(max_length=300, required=False, allow_blank=True)
    discretion_deviation = serializers.BooleanField(required=False, help_text="减轻或从重超出裁量基准")
    head_referral = serializers.BooleanField(required=False, help_text="机关负责人决定提交法制审核（仅负责人）")
    note = serializers.CharField(required=False, allow_blank=True)


class MajorEvaluationOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = MajorEvaluation
        fields = ["id", "catalog_id", "catalog_version", "proposal", "reasons", "is_major", "evaluated_at", "trigger"]


class ReviewRequirementOutputSerializer(serializers.Serializer):
    review_kind = serializers.CharField(allow_null=True)
    is_major = serializers.BooleanField()
    reasons = serializers.ListField(child=serializers.DictField())
    after_hearing = serializers.BooleanField()
    collective_required = serializers.BooleanField()
    collective_reasons = serializers.ListField(child=serializers.CharField())
    catalog_version = serializers.IntegerField(allow_null=True)
    proposal_fingerprint = serializers.CharField()
    gate = serializers.DictField(help_text="决定前的审核闸门：passed / code / message")
    decision_reference = serializers.DictField(allow_null=True)
    evaluations = MajorEvaluationOutputSerializer(many=True)


class CollectiveDiscussionInputSerializer(serializers.Serializer):
    held_on = ClientDateField()
    chair_id = serializers.UUIDField()
    participant_ids = serializers.ListField(child=serializers.UUIDField(), allow_empty=False)
    other_participants = serializers.ListField(
        child=serializers.CharField(max_length=100), required=False, default=list, help_text="系统外参加人员姓名、职务"
    )
    conclusion = serializers.CharField(max_length=4000)
    discussion = serializers.CharField(required=False, allow_blank=True, default="")
    place = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    recorder = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class CollectiveDiscussionOutputSerializer(serializers.ModelSerializer):
    chair = serializers.SerializerMethodField()
    participants = serializers.SerializerMethodField()

    class Meta:
        model = CollectiveDiscussion
        fields = [
            "id",
            "case_id",
            "review_round_id",
            "held_on",
            "place",
            "chair",
            "participants",
            "other_participants",
            "recorder",
            "discussion",
            "conclusion",
            "proposal_fingerprint",
            "recorded_at",
        ]

    def get_chair(self, obj: CollectiveDiscussion) -> dict[str, str] | None:
        return _user(obj.chair)

    def get_participants(self, obj: CollectiveDiscussion) -> list[dict[str, str]]:
        return [{"id": str(u.pk), "name": str(u)} for u in obj.participants.all()]


class CaseRecusalInputSerializer(serializers.Serializer):
    reviewer_id = serializers.UUIDField()
    reason = serializers.ChoiceField(choices=Recusal.Reason.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")
