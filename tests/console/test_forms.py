"""Forms drawn from the API's input serializers (the console declares no field of its own)."""

from __future__ import annotations

import pytest
from django.http import QueryDict

from backend.cases.transition_serializers import TRANSITION_INPUTS
from backend.common.errors import ApplicationError
from backend.console import forms
from backend.disclosures.serializers import NoticeWithdrawInputSerializer
from backend.reviews.serializers import CollectiveDiscussionInputSerializer


def test_every_field_a_form_can_carry_is_drawn_with_the_serializers_choices_and_requiredness():
    form = forms.form_for(NoticeWithdrawInputSerializer)
    by_name = {f.name: f for f in form.fields}
    assert form.usable and set(by_name) == {"reason", "kind", "triggered_on"}
    assert by_name["reason"].required and by_name["reason"].widget == "textarea" and by_name["reason"].label == "理由"
    assert ("revoked", "撤销") in by_name["kind"].choices
    assert by_name["triggered_on"].widget == "date" and not by_name["triggered_on"].required


def test_device_fields_are_left_to_devices_and_nested_required_fields_make_the_form_unusable():
    schedule = forms.form_for(TRANSITION_INPUTS["schedule_hearing"], people=[("u1", "张伟")])
    assert {f.name for f in schedule.fields} == {"comment", "hearing_date", "chair_id", "place"}
    assert next(f for f in schedule.fields if f.name == "chair_id").choices == [("u1", "张伟")]
    renotify = forms.form_for(TRANSITION_INPUTS["renotify"])
    assert not renotify.usable and renotify.unsupported_required == ["measures"]


def test_the_posted_form_is_validated_by_the_apis_serializer():
    post = QueryDict(mutable=True)
    post.update({"held_on": "2026-12-01", "chair_id": "8d6f0c2e-3c9b-4f57-9a49-111111111111", "conclusion": "同意"})
    post.setlist("participant_ids", ["8d6f0c2e-3c9b-4f57-9a49-111111111111", ""])
    values = forms.validated(CollectiveDiscussionInputSerializer, post)
    assert str(values["participant_ids"][0]).startswith("8d6f0c2e") and len(values["participant_ids"]) == 1
    post.setlist("participant_ids", [])
    with pytest.raises(ApplicationError) as refused:
        forms.validated(CollectiveDiscussionInputSerializer, post)
    assert refused.value.code == "invalid" and "参加人员" in refused.value.fields


def test_a_blank_optional_field_is_left_out_and_a_checkbox_is_a_boolean():
    body = forms.form_data(TRANSITION_INPUTS["serve"], QueryDict("method=direct&served_on=&electronic_consent=on"))
    assert body["method"] == "direct" and body["electronic_consent"] is True
    assert "served_on" not in body and "recipient" not in body
