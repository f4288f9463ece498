"""Demo: sign a first checkpoint over the demo records, so the public proof API has something to show."""

from __future__ import annotations

from typing import Any

from backend.ledger.checkpoints import checkpoint_sign


def seed_demo_data(state: dict[str, Any]) -> None:
    checkpoint_sign()
