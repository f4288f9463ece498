"""Domain events: how a lower app causes something in a higher one without importing it.

The apps are layered one way (ARCHITECTURE.md, enforced by import-linter). When a lower app's service must
cause work in a higher app — a decision is made, so a public notice is drafted (行政处罚法 第四十八条) — the
lower app declares a frozen dataclass event in its own ``events.py`` and publishes it; the higher app
subscribes a handler in its ``AppConfig.ready()``.

Handlers run synchronously, in the publisher's transaction and in subscription order: the work they do
commits or rolls back with the change that caused it, and an exception in a handler fails the change (a
decision must not go unpublished because a subscriber broke). Work that must happen only after commit is
the handler's own ``transaction.on_commit``.

A lower app that needs an *answer* from a higher one (is the legal review passed? which acts were
recorded?) declares a **question**: a class deriving from ``Question[Answer]`` and decorated with
``@domain_question``. Exactly one handler answers it (``ask`` returns its value; a second subscriber is a
wiring error), and its return annotation must be the declared answer type. A question is always required.
A gate is a question answered with ``None`` whose handler raises the refusal (``ApplicationError``).

Every handler is checked when it subscribes: exactly one parameter, annotated with the event's class (and,
for a question, the answer type as its return annotation). An event declared ``required=True``, and every
question, must have a subscriber in a complete installation: ``manage.py check`` (``enf.E010``) refuses to
start when one has none.
"""

from __future__ import annotations

import dataclasses
import inspect
import typing
from collections import defaultdict
from collections.abc import Callable
from typing import Any, Generic, TypeVar

E = TypeVar("E")
A = TypeVar("A")
Handler = Callable[[Any], Any]

_subscribers: dict[type, list[Handler]] = defaultdict(list)
_required: set[type] = set()
# question class -> the declared answer type (from ``Question[...]``)
_answers: dict[type, Any] = {}


class EventWiringError(TypeError):
    """A handler whose signature does not take the event it subscribes to."""


@typing.dataclass_transform(frozen_default=True, kw_only_default=True)
def domain_event(*, required: bool = False) -> Callable[[type[E]], type[E]]:
    """Declare a domain event class (made a frozen, keyword-only dataclass).

    ``required``: a complete installation must subscribe at least one handler (the publisher relies on it).
    """

    def wrap(cls: type[E]) -> type[E]:
        event_cls = dataclasses.dataclass(frozen=True, kw_only=True)(cls)
        if required:
            _required.add(event_cls)
        return event_cls

    return wrap


class Question(Generic[A]):
    """Base of a question whose answer is an ``A`` (declare the class with :func:`domain_question`)."""


@typing.dataclass_transform(frozen_default=True, kw_only_default=True)
def domain_question(cls: type[E]) -> type[E]:
    """Declare a question (a frozen, keyword-only dataclass deriving from ``Question[Answer]``)."""
    answers = [typing.get_args(b)[0] for b in getattr(cls, "__orig_bases__", ()) if typing.get_origin(b) is Question]
    if not answers:
        raise EventWiringError(f"{cls.__qualname__} must derive from Question[<answer type>]")
    question_cls = dataclasses.dataclass(frozen=True, kw_only=True)(cls)
    _answers[question_cls] = answers[0]  # Question[None] gives NoneType
    _required.add(question_cls)
    return question_cls


def _check_signature(event_type: type, handler: Handler) -> None:
    params = list(inspect.signature(handler).parameters.values())
    if len(params) != 1 or params[0].kind not in (params[0].POSITIONAL_ONLY, params[0].POSITIONAL_OR_KEYWORD):
        raise EventWiringError(f"{handler.__qualname__} must take exactly one positional parameter (the event)")
    hints = typing.get_type_hints(handler)
    annotated = hints.get(params[0].name)
    if annotated is not event_type:
        raise EventWiringError(
            f"{handler.__qualname__} subscribes to {event_type.__name__} but its parameter is annotated {annotated!r}"
        )
    if event_type in _answers:
        expected = _answers[event_type]
        returned = hints.get("return", inspect.Signature.empty)
        if returned != expected:
            raise EventWiringError(
                f"{handler.__qualname__} answers {event_type.__name__} ({expected!r}) but returns {returned!r}"
            )


def subscribe(event_type: type[E], handler: Callable[[E], Any]) -> None:
    """Register ``handler`` for ``event_type`` (call from ``AppConfig.ready()``); idempotent."""
    if not dataclasses.is_dataclass(event_type):
        raise EventWiringError(f"{event_type!r} is not a domain event (declare it with @domain_event)")
    _check_signature(event_type, handler)
    if handler in _subscribers[event_type]:
        return
    if event_type in _answers and _subscribers[event_type]:
        raise EventWiringError(
            f"{event_type.__name__} is already answered by {_subscribers[event_type][0].__qualname__}"
        )
    _subscribers[event_type].append(handler)


def publish(event: object) -> None:
    """Run every handler subscribed to the event's class, in order, in the caller's transaction."""
    for handler in list(_subscribers.get(type(event), ())):
        handler(event)


def ask(question: Question[A]) -> A:
    """The answer of the one handler subscribed to the question's class (in the caller's transaction)."""
    handlers = _subscribers.get(type(question), ())
    if len(handlers) != 1:
        raise EventWiringError(f"{type(question).__name__} has {len(handlers)} answerers (exactly one required)")
    return typing.cast(A, handlers[0](question))


def subscriptions() -> dict[type, list[Handler]]:
    """A copy of the registry: each event or question class and its handlers, in order."""
    return {t: list(handlers) for t, handlers in _subscribers.items() if handlers}


def unwired_required_events() -> list[str]:
    """Names of required events nobody subscribed to (checked at start-up)."""
    return sorted(f"{t.__module__}.{t.__qualname__}" for t in _required if not _subscribers.get(t))
