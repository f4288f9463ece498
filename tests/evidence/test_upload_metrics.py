"""Upload metrics: acknowledged bytes, PATCH latency, 460 (checksum) and 423 (locked) refusals, and media
processing failures — read from /metrics after real tus requests."""

from __future__ import annotations

import pytest
from support_metrics import samples, value

from backend.evidence.models import EvidenceItem

pytestmark = pytest.mark.django_db

TOKEN = "m" * 40


@pytest.fixture
def scrape(client, settings):
    settings.METRICS_TOKEN = TOKEN
    return lambda: samples(client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").content.decode())


def test_patches_count_their_acknowledged_bytes_latency_and_checksum_refusals(scrape, as_user, officer_a, case_a, kit):
    client = as_user(officer_a)
    before = scrape()
    location = kit.create(client, kit.metadata_for(case_a, kit.JPEG), len(kit.JPEG))["Location"]
    assert kit.patch(client, location, 0, kit.JPEG[:1000]).status_code == 204
    bad = kit.JPEG[1000:3000]
    refused = kit.patch(client, location, 1000, bad, HTTP_UPLOAD_CHECKSUM=kit.checksum("sha256", bad[:-1] + b"\x00"))
    assert refused.status_code == 460
    assert kit.patch(client, location, 1000, kit.JPEG[1000:]).status_code == 204
    after = scrape()

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta("zhifa_upload_bytes_total") == len(kit.JPEG)  # the refused chunk's bytes are not counted
    assert delta("zhifa_upload_patch_duration_seconds_count", status="204") == 2
    assert delta("zhifa_upload_patch_duration_seconds_count", status="460") == 1
    assert delta("zhifa_http_refusals_total", status="460", code="checksum_mismatch") == 1


def test_processing_states_are_gauged_so_media_failures_show(scrape, as_user, officer_a, case_a, kit):
    kit.upload_file(as_user(officer_a), case_a, kit.JPEG)
    scraped = scrape()
    for status in EvidenceItem.ProcessingStatus.values:
        expected = EvidenceItem.objects.filter(processing_status=status).count()
        assert value(scraped, "zhifa_evidence_processing_items", status=status) == expected
    assert sum(value(scraped, "zhifa_evidence_processing_items", status=s)
               for s in EvidenceItem.ProcessingStatus.values) == 1  # fmt: skip
