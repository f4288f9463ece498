"""The installation's wiring (backend/common/events.py): every event and question an app declares is
subscribed by a real function of the app that answers it, whose signature takes exactly that event (and, for
a question, returns its declared answer type), checked again here against the registry as installed."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import backend
from backend.common import events


def _declared() -> set[type]:
    """Every event and question class declared in an ``events`` module of our apps."""
    found: set[type] = set()
    for app in pkgutil.iter_modules(backend.__path__):
        try:
            module = importlib.import_module(f"backend.{app.name}.events")
        except ModuleNotFoundError:
            continue
        for obj in vars(module).values():
            if inspect.isclass(obj) and obj.__module__ == module.__name__ and (obj in events._required):
                found.add(obj)
    return found


def test_every_declared_event_and_question_is_answered():
    declared = _declared()
    assert declared, "no events found: the scan is broken"
    assert events.unwired_required_events() == []
    installed = events.subscriptions()
    for event_type in declared:
        handlers = installed.get(event_type, [])
        assert handlers, event_type
        if event_type in events._answers:
            assert len(handlers) == 1, (event_type, handlers)


def test_every_subscriber_is_a_real_module_function_with_the_right_signature():
    for event_type, handlers in events.subscriptions().items():
        for handler in handlers:
            assert inspect.isfunction(handler) and handler.__module__.startswith("backend."), handler
            assert getattr(importlib.import_module(handler.__module__), handler.__name__) is handler
            events._check_signature(event_type, handler)  # raises EventWiringError when wrong
            app = handler.__module__.split(".")[1]
            assert app != event_type.__module__.split(".")[1] or app == "common", (
                f"{handler.__qualname__} answers its own app's event: call the function instead"
            )
