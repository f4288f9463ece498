"""Load the demo data (idempotent). Refused when DEBUG is off: demo accounts share a public password.

Each app contributes demo records through ``backend/<app>/demo.py: seed_demo_data(state)``; they run in
dependency order (the layers, bottom up) and share ``state`` (agencies, users, cases, ...). The command is the
project's (backend/config, above every app), so it imports each app's demo module directly.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from backend.accounts import demo as accounts_demo
from backend.cases import demo as cases_demo
from backend.disclosures import demo as disclosures_demo
from backend.evidence import demo as evidence_demo
from backend.ledger import demo as ledger_demo
from backend.reviews import demo as reviews_demo

DEMO_MODULES = [
    accounts_demo,
    cases_demo,
    evidence_demo,
    reviews_demo,
    disclosures_demo,
    ledger_demo,  # last: its checkpoint covers everything above
]


class Command(BaseCommand):
    help = "Create or refresh the demo agencies, accounts and records (embedded default only)."

    def add_arguments(self, parser) -> None:  # type: ignore[no-untyped-def]
        parser.add_argument("--remove", action="store_true", help="Deactivate the demo accounts.")

    def handle(self, *args, **options) -> None:  # type: ignore[no-untyped-def]
        if options["remove"]:
            from backend.accounts.models import User

            count = 0
            for user in User.objects.filter(demo_account=True):
                user.is_active = False
                user.set_unusable_password()
                user.username = f"removed-{user.pk}"
                user.demo_account = False
                user.save()
                count += 1
            self.stdout.write(f"deactivated {count} demo accounts")
            return
        if not settings.DEBUG:
            raise CommandError("Refusing to load demo data with DEBUG off (demo accounts share a public password).")
        state: dict = {}
        with transaction.atomic():
            for module in DEMO_MODULES:
                module.seed_demo_data(state)
                self.stdout.write(f"  {module.__name__}: ok")
        self.stdout.write(self.style.SUCCESS("demo data ready (password: enforce-demo-2026)"))
