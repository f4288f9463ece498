"""With DEBUG off the service refuses to start on an insecure configuration."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from backend.config.checks import refuse_insecure_start

pytestmark = pytest.mark.django_db

GOOD_KEY = "k" * 50


def test_missing_secret_key_is_refused(settings):
    settings.DEBUG = False
    settings.SECRET_KEY = settings.INSECURE_SECRET_KEY
    with pytest.raises(ImproperlyConfigured, match=r"enf\.E001"):
        refuse_insecure_start()


def test_wildcard_hosts_are_refused(settings):
    settings.DEBUG = False
    settings.SECRET_KEY = GOOD_KEY
    settings.ALLOWED_HOSTS = ["*"]
    with pytest.raises(ImproperlyConfigured, match=r"enf\.E002"):
        refuse_insecure_start()


def test_demo_accounts_present_are_refused(settings):
    settings.DEBUG = True
    from django.core.management import call_command

    call_command("seed_demo", verbosity=0)
    settings.DEBUG = False
    settings.SECRET_KEY = GOOD_KEY
    with pytest.raises(ImproperlyConfigured, match=r"enf\.E004"):
        refuse_insecure_start()


def test_demo_data_cannot_be_loaded_with_debug_off(settings):
    from django.core.management import CommandError, call_command

    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_demo", verbosity=0)


def test_a_missing_ledger_signing_key_is_refused(settings):
    settings.DEBUG = False
    settings.SECRET_KEY = GOOD_KEY
    settings.LEDGER_SIGNING_KEY = ""
    settings.LEDGER_SIGNING_KEY_FILE = ""
    with pytest.raises(ImproperlyConfigured, match=r"ledger\.E001"):
        refuse_insecure_start()


def test_a_secure_configuration_starts(settings):
    from backend.ledgercore.signed_note import generate_key

    settings.DEBUG = False
    settings.SECRET_KEY = GOOD_KEY
    settings.SIMPLE_JWT = {**settings.SIMPLE_JWT, "SIGNING_KEY": GOOD_KEY}
    settings.LEDGER_SIGNING_KEY = generate_key(settings.LEDGER_ORIGIN).signer_key
    settings.ALLOWED_HOSTS = ["enforce.example.gov.cn"]
    refuse_insecure_start()  # does not raise


def test_demo_seed_is_idempotent(settings):
    from django.core.management import call_command

    from backend.accounts.models import User

    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)
    call_command("seed_demo", verbosity=0)
    from backend.accounts.demo import PEOPLE
    from backend.accounts.permissions import readable_agency_ids

    assert User.objects.filter(demo_account=True).count() == len(PEOPLE) == 10  # no duplicate on a second seed
    officer1 = User.objects.get(username="officer1")
    assert officer1.check_password("enforce-demo-2026")
    assert officer1.agency.name == "辽源市市场监督管理局"
    # The supervising body's 执法监督人员 reads both enforcement agencies; the procurator none by agency.
    supervisor = User.objects.get(username="supervisor1")
    assert readable_agency_ids(supervisor) == {supervisor.agency_id, officer1.agency_id,
                                               User.objects.get(username="officer3").agency_id}  # fmt: skip
    assert readable_agency_ids(User.objects.get(username="procurator1")) == set()
    # The public proof API has a signed checkpoint over the demo records straight away.
    from backend.ledger.checkpoints import checkpoint_latest
    from backend.ledger.models import AuditEvent

    assert checkpoint_latest().tree_size == AuditEvent.objects.count()
