"""Domain events (backend/common/events.py): handlers are checked when they subscribe, run in order in the
publisher's transaction, and a required event without a subscriber stops the check framework."""

from __future__ import annotations

from collections import defaultdict

import pytest
from django.core.checks import run_checks

from backend.common import events


@pytest.fixture(autouse=True)
def own_registry(monkeypatch):
    """These tests wire their own events; the installation's registry is left as it was."""
    monkeypatch.setattr(events, "_subscribers", defaultdict(list))
    monkeypatch.setattr(events, "_required", set())
    monkeypatch.setattr(events, "_answers", {})


@events.domain_event()
class ThingHappened:
    thing_id: int


class MustBeHeard:
    note: str


def test_events_are_frozen_keyword_only_dataclasses():
    event = ThingHappened(thing_id=3)
    with pytest.raises(AttributeError):
        event.thing_id = 4  # type: ignore[misc]
    with pytest.raises(TypeError):
        ThingHappened(3)  # type: ignore[misc]


def test_a_handler_must_take_exactly_the_event():
    def no_annotation(event):
        pass

    def wrong_type(event: str) -> None:
        pass

    def two_params(event: ThingHappened, other: int) -> None:
        pass

    for handler in (no_annotation, wrong_type, two_params):
        with pytest.raises(events.EventWiringError):
            events.subscribe(ThingHappened, handler)
    with pytest.raises(events.EventWiringError):
        events.subscribe(int, lambda e: None)  # not a domain event


def test_publish_runs_handlers_in_order_and_propagates_failures():
    seen: list[str] = []

    def first(event: ThingHappened) -> None:
        seen.append(f"first {event.thing_id}")

    def second(event: ThingHappened) -> None:
        seen.append(f"second {event.thing_id}")
        if event.thing_id == 0:
            raise RuntimeError("subscriber failed")

    events.subscribe(ThingHappened, first)
    events.subscribe(ThingHappened, second)
    events.subscribe(ThingHappened, first)  # idempotent
    events.publish(ThingHappened(thing_id=7))
    assert seen == ["first 7", "second 7"]
    with pytest.raises(RuntimeError):
        events.publish(ThingHappened(thing_id=0))


def test_a_required_event_without_subscriber_fails_the_checks():
    events.domain_event(required=True)(MustBeHeard)  # declared here: the registry is this test's own
    ids = {m.id for m in run_checks()}
    assert "enf.E010" in ids

    def heard(event: MustBeHeard) -> None:
        pass

    events.subscribe(MustBeHeard, heard)
    assert "enf.E010" not in {m.id for m in run_checks()}


class HowMany(events.Question[int]):
    what: str


def test_a_question_has_exactly_one_answerer_with_the_declared_answer_type():
    events.domain_question(HowMany)  # declared here: the registry is this test's own
    def counts(question: HowMany) -> int:
        return len(question.what)

    def says(question: HowMany) -> str:
        return question.what

    with pytest.raises(events.EventWiringError):
        events.ask(HowMany(what="案卷"))  # nobody answers yet: an error, not None
    assert "enf.E010" in {m.id for m in run_checks()}  # a question is always required
    with pytest.raises(events.EventWiringError):
        events.subscribe(HowMany, says)  # answers a str, declared int
    events.subscribe(HowMany, counts)
    assert events.ask(HowMany(what="案卷")) == 2
    with pytest.raises(events.EventWiringError):
        events.subscribe(HowMany, lambda question: 0)  # a second answerer


def test_a_question_must_name_its_answer_type():
    class Untyped:
        what: str

    with pytest.raises(events.EventWiringError):
        events.domain_question(Untyped)
