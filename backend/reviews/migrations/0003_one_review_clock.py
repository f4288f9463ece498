"""One clock for the review time limit (issue 13 §3): rewrite every case's CASE_REVIEW/LEGAL_REVIEW deadline from
its review rounds, the one clock (backend/reviews/services/clock.py). Before, the case kept its own row, counted
from the day the case entered review and never moved by the round's pauses or extensions."""

from __future__ import annotations

from django.db import migrations
from django.utils import timezone

from backend.common.workdays import get_rule  # pure module: the rule table, no models

CODES = {"legal_review": "LEGAL_REVIEW", "case_review": "CASE_REVIEW"}


def forwards(apps, schema_editor):
    ReviewRound = apps.get_model("reviews", "ReviewRound")
    ReviewExtension = apps.get_model("reviews", "ReviewExtension")
    CaseDeadline = apps.get_model("cases", "CaseDeadline")
    today = timezone.localdate()
    # The latest round of each case and kind is what its row shows (as the services do after every change).
    latest = {}
    for round_ in ReviewRound.objects.order_by("submitted_at"):
        latest[(round_.case_id, round_.kind)] = round_
    for (case_id, kind), round_ in latest.items():
        code = CODES[kind]
        rule = get_rule(code)
        if round_.status == "completed":
            state = "met"
        elif round_.status == "withdrawn":
            state = "cancelled"
        elif round_.status == "supplementing":
            state = "paused"
        else:
            state = "overdue" if round_.due_on < today else "due"
        met_on = timezone.localdate(round_.completed_at) if state == "met" and round_.completed_at else None
        CaseDeadline.objects.update_or_create(
            case_id=case_id,
            rule_code=code,
            defaults={
                "name": rule.name, "kind": "duty", "anchor_on": round_.received_on, "due_on": round_.due_on,
                "provisional": round_.due_provisional, "state": state,
                "extensions": ReviewExtension.objects.filter(round=round_, status="approved").count(),
                "paused_days": round_.paused_workdays, "met_on": met_on,
                "met_late": bool(met_on and met_on > round_.due_on), "source": rule.source[:200],
            },
        )


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0002_review_reminders"),
        ("cases", "0007_limitation_and_cash_collection"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
