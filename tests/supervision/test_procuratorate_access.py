"""检察监督: a procurator reads a granted case and its evidence until the grant expires, then gets 404; every
read is logged; a revoked grant closes at once; a 检察建议 is answered by the agency within its period."""

from __future__ import annotations

import datetime as dt

from support import pin_clock, sequence_ledger

from backend.ledger.models import AuditEvent

T0 = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)


def _grant(client, procurator, cases, days=3):
    return client.post(
        "/api/v1/supervision/grants/",
        {
            "grantee": str(procurator.pk),
            "procuratorate": "辽源市人民检察院",
            "purpose": "行政诉讼监督案件调阅卷宗",
            "reference": "辽检调〔2026〕5号",
            "cases": [str(c.pk) for c in cases],
            "days": days,
        },
        format="json",
    )


def test_a_procurator_reads_a_granted_case_until_the_grant_expires(
    as_user, monkeypatch, procurator, head_a, auditor_a, officer_a, case_a, case_c, agency_a
):
    from support import make_user

    from backend.accounts.models import Role

    pin_clock(monkeypatch, T0)
    other_case = type(case_a).objects.create(
        agency=agency_a,
        title="未取得许可从事食品经营案",
        case_number="辽市监立字〔2026〕0102号",
        party_type="organisation",
        party_name="辽源市顺发餐饮有限公司",
        status="investigating",
    )
    head = as_user(head_a)
    assert _grant(head, procurator, [case_c]).status_code == 404  # another agency's case
    assert _grant(as_user(auditor_a), procurator, [case_a]).status_code == 403
    clerk = make_user("clerk_a", agency_a, [Role.FIELD_OFFICER], credential="A-0099", full_name="周文")
    not_proc = _grant(head, clerk, [case_a])
    assert not_proc.status_code == 422 and not_proc.json()["code"] == "grantee_not_procurator"
    too_long = _grant(head, procurator, [case_a], days=400)
    assert too_long.status_code == 422 and too_long.json()["code"] == "invalid_grant_days"

    granted = _grant(head, procurator, [case_a])
    assert granted.status_code == 201, granted.json()
    grant = granted.json()
    assert grant["state"] == "active" and [c["case_number"] for c in grant["cases"]] == [case_a.case_number]

    proc = as_user(procurator)
    base = f"/api/v1/supervision/procuratorate/grants/{grant['id']}/cases/"
    mine = proc.get("/api/v1/supervision/procuratorate/grants/").json()["results"]
    assert [g["id"] for g in mine] == [grant["id"]]
    read = proc.get(f"{base}{case_a.pk}/")
    assert read.status_code == 200 and read.json()["party_name"] == "辽源市福源超市有限公司"
    assert proc.get(f"{base}{case_a.pk}/evidence/").status_code == 200
    assert proc.get(f"{base}{other_case.pk}/").status_code == 404  # not named in the grant
    assert proc.get(f"/api/v1/cases/{case_a.pk}/").status_code == 403  # never through the agency's API

    filed = proc.post(
        "/api/v1/supervision/procuratorate/suggestions/",
        {
            "grant": grant["id"],
            "case": str(case_a.pk),
            "number": "辽检行建〔2026〕3号",
            "content": "该案现场检查笔录未记载执法人员出示执法证件情况，建议规范执法文书制作并开展专项整改。",
        },
        format="json",
    )
    assert filed.status_code == 201, filed.json()
    suggestion = filed.json()
    assert suggestion["answer_due"] == "2026-07-31" and suggestion["status"] == "received"
    listed = as_user(auditor_a).get("/api/v1/supervision/suggestions/").json()["results"]
    assert [s["number"] for s in listed] == ["辽检行建〔2026〕3号"]
    answer_url = f"/api/v1/supervision/suggestions/{suggestion['id']}/answer/"
    assert as_user(auditor_a).post(answer_url, {"answer": "x"}, format="json").status_code == 403
    answered = head.post(
        answer_url, {"answer": "已组织全局执法人员培训，修订现场检查笔录格式，增加出示证件栏。"}, format="json"
    )
    assert answered.status_code == 200 and answered.json()["answered_late"] is False

    # Three days later the grant has expired: the same reads answer 404, nothing revealed.
    pin_clock(monkeypatch, T0 + dt.timedelta(days=3, minutes=1))
    expired = proc.get(f"{base}{case_a.pk}/")
    assert expired.status_code == 404 and expired.json()["code"] == "grant_not_found"
    assert proc.get(f"{base}{case_a.pk}/evidence/").status_code == 404
    sequence_ledger()
    reads = AuditEvent.objects.filter(action="supervision.grant.read", target_id=grant["id"])
    assert sorted(reads.values_list("data__what", flat=True)) == ["case", "evidence"]
    assert all(str(r.actor_id) == str(procurator.pk) for r in reads)


def test_a_revoked_grant_closes_at_once(as_user, monkeypatch, procurator, head_a, head_b, case_a):
    pin_clock(monkeypatch, T0)
    grant = _grant(as_user(head_a), procurator, [case_a], days=30).json()
    url = f"/api/v1/supervision/procuratorate/grants/{grant['id']}/cases/{case_a.pk}/"
    assert as_user(procurator).get(url).status_code == 200
    revoke = f"/api/v1/supervision/grants/{grant['id']}/revoke/"
    assert as_user(head_b).post(revoke, {"reason": "x"}, format="json").status_code == 404
    revoked = as_user(head_a).post(revoke, {"reason": "调阅事项已办结"}, format="json")
    assert revoked.status_code == 200 and revoked.json()["state"] == "revoked"
    assert as_user(procurator).get(url).status_code == 404
