"""执法证: an officer without a valid credential cannot perform an enforcement act."""

import datetime

import pytest
from django.utils import timezone
from support import make_user

from backend.accounts.models import OfficerCredential, Role
from backend.accounts.services import officer_ensure_can_act
from backend.common.errors import PreconditionFailed

pytestmark = pytest.mark.django_db


def test_a_valid_credential_allows_acting(officer_a):
    assert officer_ensure_can_act(user=officer_a).number == "A-0001"


def test_an_expired_credential_refuses_with_its_reason(agency_a, as_user):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    user = make_user("old", agency_a, [Role.FIELD_OFFICER], credential="A-9", valid_until=yesterday)
    with pytest.raises(PreconditionFailed) as err:
        officer_ensure_can_act(user=user)
    assert err.value.code == "credential_expired"
    assert as_user(user).get("/api/v1/me/").json()["credential_status"] == "expired"


@pytest.mark.parametrize("status", [OfficerCredential.Status.SUSPENDED, OfficerCredential.Status.REVOKED])
def test_suspended_or_revoked_credentials_refuse(agency_a, status):
    user = make_user("bad", agency_a, [Role.FIELD_OFFICER], credential="A-8", credential_status=status)
    with pytest.raises(PreconditionFailed) as err:
        officer_ensure_can_act(user=user)
    assert err.value.code == f"credential_{status}"


def test_validity_is_judged_on_the_day_of_the_act(officer_a):
    credential = officer_a.credentials.get()
    after_expiry = credential.valid_until + datetime.timedelta(days=1)
    with pytest.raises(PreconditionFailed):
        officer_ensure_can_act(user=officer_a, on=after_expiry)


def test_someone_without_a_credential_cannot_act(agency_a):
    user = make_user("nocred", agency_a, [Role.FIELD_OFFICER])
    with pytest.raises(PreconditionFailed) as err:
        officer_ensure_can_act(user=user)
    assert err.value.code == "credential_missing"
