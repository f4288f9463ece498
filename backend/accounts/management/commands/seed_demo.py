"""Load the demo data (idempotent). Refused when DEBUG is off: demo accounts share a public password.

Each app may contribute demo records through ``backend/<app>/demo.py: seed_demo_data(state)``; they run
in dependency order and share ``state`` (agencies, users, cases, ...).
"""

from __future__ import annotations

import importlib

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

DEMO_MODULES = [
    "backend.accounts.demo",
    "backend.cases.demo",
    "backend.evidence.demo",
    "backend.reviews.demo",
    "backend.disclosures.demo",
    "backend.ledger.demo",  # last: its checkpoint covers everything above
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
            for name in DEMO_MODULES:
                try:
                    module = importlib.import_module(name)
                except ModuleNotFoundError as exc:
                    if exc.name == name:
                        continue
                    raise
                module.seed_demo_data(state)
                self.stdout.write(f"  {name}: ok")
        self.stdout.write(self.style.SUCCESS("demo data ready (password: enforce-demo-2026)"))
