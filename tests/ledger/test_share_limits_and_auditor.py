"""Share links: the read-only auditor can neither create nor revoke them, and a refused request (bounds
such as ``max_downloads``) leaves nothing behind — no share, no bundle export, no audit event."""

import pytest

from backend.common.errors import ApplicationError
from backend.ledger.models import AuditEvent, BundleExport, BundleShare
from backend.sharing import services as bundles

pytestmark = pytest.mark.django_db

BODY = {"recipient_kind": "court", "recipient_name": "辽源市龙山区人民法院", "purpose": "行政诉讼举证"}


@pytest.fixture
def case_with_evidence(case_a, officer_a, evidence):
    evidence(case_a, officer_a, b"\xff\xd8 photo of the shelf " * 50)
    return case_a


def shares_url(case) -> str:
    return f"/api/v1/cases/{case.id}/bundle/shares/"


def test_the_auditor_may_not_create_a_share_link_and_nothing_is_exported(case_with_evidence, auditor_a, as_user):
    before = (BundleExport.objects.count(), AuditEvent.objects.count())
    response = as_user(auditor_a).post(shares_url(case_with_evidence), {**BODY, "valid_days": 90}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "read_only_role"
    assert BundleShare.objects.count() == 0
    assert (BundleExport.objects.count(), AuditEvent.objects.count()) == before


def test_the_auditor_still_reads_the_share_links(case_with_evidence, auditor_a, head_a, as_user):
    assert as_user(head_a).post(shares_url(case_with_evidence), BODY, format="json").status_code == 201
    listed = as_user(auditor_a).get(shares_url(case_with_evidence))
    assert listed.status_code == 200 and len(listed.json()) == 1


def test_the_auditor_may_not_revoke_an_officers_court_link(case_with_evidence, auditor_a, officer_a, as_user):
    share = as_user(officer_a).post(shares_url(case_with_evidence), BODY, format="json").json()
    response = as_user(auditor_a).post(f"/api/v1/bundle-shares/{share['id']}/revoke/", {"reason": "x"},
                                       format="json")
    assert response.status_code == 403 and response.json()["code"] == "read_only_role"
    assert BundleShare.objects.get(pk=share["id"]).revoked_at is None


@pytest.mark.parametrize("max_downloads", [2**63 - 1, 2**63, 2**64, 10**30, 1_000_001])
def test_a_huge_max_downloads_is_refused_before_anything_is_created(case_with_evidence, head_a, as_user,
                                                                    max_downloads):
    before = (BundleExport.objects.count(), AuditEvent.objects.count())
    response = as_user(head_a).post(shares_url(case_with_evidence), {**BODY, "max_downloads": max_downloads},
                                    format="json")
    assert response.status_code == 400, response.content
    assert "max_downloads" in response.json()["fields"]
    assert BundleShare.objects.count() == 0
    assert (BundleExport.objects.count(), AuditEvent.objects.count()) == before


@pytest.mark.parametrize(("max_downloads", "accepted"), [(0, False), (1, True), (1000, True), (1001, False)])
def test_the_service_checks_max_downloads_before_exporting(case_with_evidence, head_a, settings, max_downloads,
                                                           accepted):
    settings.LEDGER_SHARE_MAX_DOWNLOADS = 1000
    call = lambda: bundles.share_create(case=case_with_evidence, user=head_a, recipient_kind="court",  # noqa: E731
                                        recipient_name="法院", max_downloads=max_downloads)
    if accepted:
        assert call().share.max_downloads == max_downloads
        return
    with pytest.raises(ApplicationError) as refused:
        call()
    assert refused.value.code == "invalid_share_max_downloads"
    assert BundleExport.objects.count() == 0
