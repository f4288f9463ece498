"""Inputs of the case transitions (one serializer per step of cases/workflow.py's table)."""

from __future__ import annotations

from rest_framework import serializers

from backend.cases.models import (
    CasePause,
    DecisionOutcome,
)
from backend.cases.serializers import LegalBasisItemSerializer, MeasureSerializer, StepInputSerializer
from backend.common.fields import ClientDateField

# --------------------------------------------------------------------------- transitions


class EmptyStepInputSerializer(StepInputSerializer):
    pass


class ReasonStepInputSerializer(StepInputSerializer):
    reason = serializers.CharField(max_length=2000)


class SuspendInputSerializer(ReasonStepInputSerializer):
    kind = serializers.ChoiceField(choices=CasePause.Kind.choices, default=CasePause.Kind.SUSPENSION)


class RegisterInputSerializer(StepInputSerializer):
    officer_ids = serializers.ListField(child=serializers.UUIDField(), required=False, allow_null=True)
    registered_on = ClientDateField(required=False, allow_null=True)
    serious_harm = serializers.BooleanField(required=False, default=False)
    opinion = serializers.CharField(required=False, allow_blank=True, default="")


class ConcludeInvestigationInputSerializer(StepInputSerializer):
    report = serializers.CharField()
    facts = serializers.CharField(required=False)
    legal_basis = LegalBasisItemSerializer(many=True, required=False)
    measures = MeasureSerializer(many=True, required=False, help_text="Proposed handling (处理意见).")


class MeasuresStepInputSerializer(StepInputSerializer):
    measures = MeasureSerializer(many=True, required=False)


class RenotifyInputSerializer(StepInputSerializer):
    measures = MeasureSerializer(many=True)
    reason = serializers.CharField(max_length=2000)


class NotifyInputSerializer(StepInputSerializer):
    served_on = ClientDateField(required=False, allow_null=True)
    content = serializers.DictField(required=False, default=dict)


class RequestHearingInputSerializer(StepInputSerializer):
    requested_on = ClientDateField(required=False, allow_null=True)


class ScheduleHearingInputSerializer(StepInputSerializer):
    hearing_date = ClientDateField()
    chair_id = serializers.UUIDField()
    place = serializers.CharField(required=False, allow_blank=True, default="")


class HoldHearingInputSerializer(StepInputSerializer):
    record = serializers.DictField()
    held_on = ClientDateField(required=False, allow_null=True)
    attachment_ids = serializers.ListField(child=serializers.UUIDField(), required=False, default=list)


class SubmitDecisionInputSerializer(StepInputSerializer):
    measures = MeasureSerializer(many=True, required=False)
    defence_adoption = serializers.CharField(required=False, allow_blank=True, default="")


def _overdue_reason_field() -> serializers.CharField:
    return serializers.CharField(
        max_length=2000, required=False, allow_blank=True, default="",
        help_text="超期说明: required once the 90-day limit (+ extensions approved in time) has run out "
                  "(409 decision_overdue_reason_required); the deciding head answers for it. Ignored when in time.",
    )


class DecideInputSerializer(StepInputSerializer):
    measures = MeasureSerializer(many=True, required=False)
    collective_discussion = serializers.DictField(required=False, allow_null=True)
    content = serializers.DictField(required=False, default=dict)
    overdue_reason = _overdue_reason_field()


class DecideWithoutPenaltyInputSerializer(StepInputSerializer):
    outcome = serializers.ChoiceField(choices=[c for c in DecisionOutcome.choices if c[0] != DecisionOutcome.PENALTY])
    reason = serializers.CharField(max_length=2000)
    receiver = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    overdue_reason = _overdue_reason_field()


class ServeInputSerializer(StepInputSerializer):
    method = serializers.ChoiceField(
        choices=["direct", "left_at_residence", "post", "entrusted", "electronic", "public_notice"]
    )
    served_on = ClientDateField(required=False, allow_null=True)
    electronic_consent = serializers.BooleanField(required=False, default=False)
    recipient = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    attachment_ids = serializers.ListField(child=serializers.UUIDField(), required=False, default=list)


class CloseInputSerializer(StepInputSerializer):
    opinion = serializers.CharField(required=False, allow_blank=True, default="")


class ArchiveInputSerializer(StepInputSerializer):
    retention_years = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=100)


class FileSummaryInputSerializer(StepInputSerializer):
    filed_on = ClientDateField(required=False, allow_null=True)


TRANSITION_INPUTS: dict[str, type[StepInputSerializer]] = {
    "start_verification": EmptyStepInputSerializer,
    "decline": ReasonStepInputSerializer,
    "register": RegisterInputSerializer,
    "start_investigation": EmptyStepInputSerializer,
    "suspend": SuspendInputSerializer,
    "resume": EmptyStepInputSerializer,
    "conclude_investigation": ConcludeInvestigationInputSerializer,
    "submit_review": MeasuresStepInputSerializer,
    "return_for_investigation": ReasonStepInputSerializer,
    "approve_proposal": EmptyStepInputSerializer,
    "notify": NotifyInputSerializer,
    "request_hearing": RequestHearingInputSerializer,
    "schedule_hearing": ScheduleHearingInputSerializer,
    "hold_hearing": HoldHearingInputSerializer,
    "submit_post_hearing_review": EmptyStepInputSerializer,
    "start_defence_review": EmptyStepInputSerializer,
    "renotify": RenotifyInputSerializer,
    "submit_decision": SubmitDecisionInputSerializer,
    "decide": DecideInputSerializer,
    "decide_without_penalty": DecideWithoutPenaltyInputSerializer,
    "serve": ServeInputSerializer,
    "start_execution": EmptyStepInputSerializer,
    "close": CloseInputSerializer,
    "archive": ArchiveInputSerializer,
    "file_summary": FileSummaryInputSerializer,
}
