"""Administration pages: the recording list and the catalog versions, each change through the API's service
(in the audit trail) and refused to the roles the API refuses."""

from __future__ import annotations

import pytest
from django.utils import timezone
from support import client_for

from backend.cases.models import RecordingRequirement
from backend.ledger.models import AuditEvent
from backend.reviews.models import MajorCatalog

pytestmark = pytest.mark.django_db


def test_the_head_keeps_the_recording_list_and_others_may_only_read_it(console, head_a, officer_a, officer_b):
    head = console(head_a)
    done = head.post("/console/admin/recordings/set/", {"activity": "现场检查", "level": "required",
                                                        "retention": "permanent", "basis": "国办发〔2018〕118号"},
                     follow=True)  # fmt: skip
    assert "已保存事项" in done.content.decode()
    row = RecordingRequirement.objects.get(agency=head_a.agency)
    assert AuditEvent.objects.filter(action="recording_requirement.set", target_id=str(row.pk)).exists()
    page = console(officer_a).get("/console/admin/recordings/").content.decode()
    assert 'data-activity="现场检查"' in page and "增加或修改事项" not in page
    refused = console(officer_a).post("/console/admin/recordings/set/", {"activity": "现场检查"})
    api = client_for(officer_a).post("/api/v1/recording-requirements/", {"activity": "现场检查"},
                                     format="json")  # fmt: skip
    assert refused.status_code == api.status_code == 403
    assert console(officer_b).post(f"/console/admin/recordings/{row.pk}/remove/").status_code == 404
    head.post(f"/console/admin/recordings/{row.pk}/remove/")
    assert not RecordingRequirement.objects.filter(pk=row.pk).exists()


def test_a_catalog_is_drafted_filled_and_published_by_the_head(console, reviewer_a, head_a, officer_a):
    reviewer = console(reviewer_a)
    created = reviewer.post("/console/admin/catalogs/new/", {"title": "重大执法决定法制审核目录清单（2027）"})
    assert created.status_code == 303
    draft = MajorCatalog.objects.get(agency=reviewer_a.agency)
    assert created["Location"] == f"/console/admin/catalogs/{draft.pk}/"
    added = reviewer.post(f"/console/admin/catalogs/{draft.pk}/rules/", {
        "code": "fine_person", "kind": "fine_amount", "description": "对自然人罚款一万元以上",
        "party_types": ["natural_person", "sole_trader"], "amount": "10000", "inclusive": "on",
    }, follow=True)  # fmt: skip
    assert "已增加条目" in added.content.decode()
    rule = draft.rules.get()
    assert rule.party_types == ["natural_person", "sole_trader"] and str(rule.amount) == "10000.00" and rule.inclusive
    bad = reviewer.post(f"/console/admin/catalogs/{draft.pk}/rules/", {"code": "x y", "kind": "fine_amount",
                                                                       "description": "d"}, follow=True)  # fmt: skip
    assert "请求数据无效" in bad.content.decode()
    assert reviewer.post(f"/console/admin/catalogs/{draft.pk}/publish/", {}).status_code == 403  # the API's class
    assert console(officer_a).post(f"/console/admin/catalogs/{draft.pk}/rules/", {}).status_code == 403
    published = console(head_a).post(f"/console/admin/catalogs/{draft.pk}/publish/",
                                     {"effective_from": timezone.localdate().isoformat(),
                                      "document_number": "辽市监〔2027〕1号"}, follow=True)  # fmt: skip
    assert "已发布" in published.content.decode()
    draft.refresh_from_db()
    assert draft.status == "published" and draft.document_number == "辽市监〔2027〕1号"
    assert AuditEvent.objects.filter(action="review.catalog_published").exists()
    frozen = reviewer.post(f"/console/admin/catalogs/{draft.pk}/rules/{rule.pk}/remove/", follow=True)
    assert "（" in frozen.content.decode() and draft.rules.count() == 1  # refused with the service's code
    listing = console(officer_a).get("/console/admin/catalogs/").content.decode()
    assert "现行版本" in listing and "第1版" in listing and "编制新版本" not in listing
