"""Every admin page renders for a superuser, and evidence-like records cannot be added or changed there."""

import pytest
from django.contrib import admin
from django.urls import reverse

from backend.accounts.models import User
from backend.ledger.admin_audit import ReadOnlyAdmin

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client):
    user = User.objects.create_superuser(username="root", password="root-password-2026")
    client.force_login(user)
    return client


def test_every_changelist_renders(superuser_client):
    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert superuser_client.get(url).status_code == 200, url


def test_read_only_records_cannot_be_added_even_by_a_superuser(superuser_client):
    read_only = [m for m, a in admin.site._registry.items() if isinstance(a, ReadOnlyAdmin)]
    assert {"auditevent", "case", "evidenceitem", "reviewround"} <= {m._meta.model_name for m in read_only}
    for model in read_only:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")
        assert superuser_client.get(url).status_code == 403, url
