"""Domain events: how a lower app causes something in a higher one without importing it.

The apps are layered one way (ARCHITECTURE.md, enforced by import-linter). When a lower app's service must
cause work in a higher app — a decision is made, so a public notice is drafted (行政处罚法 第四十八条) — the
lower app declares a frozen dataclass event in its own ``events.py`` and publishes it; the higher app
subscribes a handler in its ``AppConfig.ready()``.

Handlers run synchronously, in the publisher's transaction and in subscription order: the work they do
commits or rolls back with the change that caused it, and an exception in a handler fails the change (a
decision must not go unpublished because a subscriber broke). Work that must happen only after commit is
the handler's own ``transaction.on_commit``.

Every handler is checked when it subscribes: exactly one parameter, annotated with the event's class.
An event declared ``required=True`` must have a subscriber in a complete installation: ``manage.py check``
(``enf.E010``) refuses to start when one has none.
"""

from __future__ import annotations

import dataclasses
import inspect
import typing
from collections import defaultdict
from collections.abc import Callable
from typing import Any, TypeVar

E = TypeVar("E")
Handler = Callable[[Any], None]

_subscribers: dict[type, list[Handler]] = defaultdict(list)
_required: set[type] = set()


class EventWiringError(TypeError):
    """A handler whose signature does not take the event it subscribes to."""


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


def subscribe(event_type: type[E], handler: Callable[[E], None]) -> None:
    """Register ``handler`` for ``event_type`` (call from ``AppConfig.ready()``); idempotent."""
    if not dataclasses.is_dataclass(event_type):
        raise EventWiringError(f"{event_type!r} is not a domain event (declare it with @domain_event)")
    _check_signature(event_type, handler)
    if handler not in _subscribers[event_type]:
        _subscribers[event_type].append(handler)


def publish(event: object) -> None:
    """Run every handler subscribed to the event's class, in order, in the caller's transaction."""
    for handler in list(_subscribers.get(type(event), ())):
        handler(event)


def unwired_required_events() -> list[str]:
    """Names of required events nobody subscribed to (checked at start-up)."""
    return sorted(f"{t.__module__}.{t.__qualname__}" for t in _required if not _subscribers.get(t))
