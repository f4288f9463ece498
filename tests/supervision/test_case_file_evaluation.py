"""案卷评查: a supervisor samples closed cases of two subordinate agencies (stratified, reproducible from the
recorded seed), cannot sample a third, and evaluates a case against a versioned standard with the automatic
checks pre-filled."""

from __future__ import annotations

import datetime as dt

from supervision.supkit import closed_case

from backend.supervision.models import DEFAULT_STANDARD_ITEMS
from backend.supervision.services import draw_sample

PARTIES = ["辽源市福源超市有限公司", "辽源市惠民药房有限公司", "辽源市鸿运餐饮有限公司", "辽源市佳和便利店",
           "辽源市东丰路烧烤店", "辽源市龙山区百味小吃店"]  # fmt: skip


def _seed_year(agency, officer, prefix: str) -> list:
    cases = []
    for n, party in enumerate(PARTIES, start=1):
        procedure = "general" if n <= 4 else "summary"
        cases.append(
            closed_case(
                agency,
                officer,
                number=f"{prefix}〔2026〕{n:04d}号",
                party=party,
                procedure=procedure,
                decided_on=dt.date(2026, 3, n),
            )
        )
    closed_case(
        agency, officer, number=f"{prefix}〔2025〕0099号", party="辽源市旧年商行", decided_on=dt.date(2025, 11, 2)
    )  # another year: not in the population
    return cases


def test_a_supervisor_samples_two_subordinates_reproducibly_and_not_a_third(
    as_user, supervisor, agency_a, agency_b, agency_c, officer_a, officer_b, case_c
):
    cases_a = _seed_year(agency_a, officer_a, "辽市监立字")
    _seed_year(agency_b, officer_b, "辽城管立字")
    sup = as_user(supervisor)
    body = {"agency": agency_a.pk, "year": 2026, "size": 3, "stratify_by": ["procedure"]}
    first = sup.post("/api/v1/supervision/samples/", body, format="json")
    assert first.status_code == 201, first.json()
    sample = first.json()
    assert sample["strata"] == {"general": {"population": 4, "drawn": 2}, "summary": {"population": 2, "drawn": 1}}
    assert set(sample["case_ids"]) <= {str(c.pk) for c in cases_a} and len(sample["case_ids"]) == 3
    replay = sup.post("/api/v1/supervision/samples/", {**body, "seed": sample["seed"]}, format="json").json()
    assert replay["case_ids"] == sample["case_ids"]  # the recorded seed draws the same cases
    b = sup.post("/api/v1/supervision/samples/", {**body, "agency": agency_b.pk}, format="json")
    assert b.status_code == 201 and b.json()["size"] == 3
    assert sup.post("/api/v1/supervision/samples/", {**body, "agency": agency_c.pk}, format="json").status_code == 404
    assert as_user(officer_a).get(f"/api/v1/supervision/samples/{sample['id']}/").status_code == 403


def test_the_draw_depends_only_on_seed_and_population():
    population = [{"id": f"{i:04d}", "procedure": "general" if i % 3 else "summary"} for i in range(30)]
    one = draw_sample(population, size=9, stratify_by=["procedure"], seed="a1b2")
    two = draw_sample(list(reversed(population)), size=9, stratify_by=["procedure"], seed="a1b2")
    assert one == two and one[1] == {
        "general": {"population": 20, "drawn": 6},
        "summary": {"population": 10, "drawn": 3},
    }
    assert draw_sample(population, size=9, stratify_by=["procedure"], seed="other")[0] != one[0]


def test_an_evaluation_scores_each_item_with_the_automatic_checks(as_user, supervisor, auditor_a, agency_a, officer_a):
    case = closed_case(
        agency_a,
        officer_a,
        number="辽市监立字〔2026〕0201号",
        party="辽源市康源药店",
        decided_on=dt.date(2026, 4, 1),
        missing_recordings=["on_site_inspection"],
    )
    sup = as_user(supervisor)
    standard = sup.post(
        "/api/v1/supervision/standards/", {"title": "辽源市行政执法案卷评查标准（2026年版）"}, format="json"
    ).json()
    assert standard["version"] == 1 and [i["label"] for i in standard["items"]][:3] == [
        "主体合法",
        "事实清楚",
        "证据确凿",
    ]
    assert as_user(auditor_a).post("/api/v1/supervision/standards/", {"title": "x"}, format="json").status_code == 403
    sample = sup.post(
        "/api/v1/supervision/samples/", {"agency": agency_a.pk, "year": 2026, "size": 1}, format="json"
    ).json()
    detail = sup.get(f"/api/v1/supervision/samples/{sample['id']}/").json()
    checks = {c["code"]: c["found"] for c in detail["cases"][0]["checks"]}
    assert checks == {
        "recording_gaps": True,
        "late_notices": False,
        "overdue_deadlines": False,
        "missing_review": True,
    }  # decided without a passed review round on record

    items = [{"code": i["code"], "score": i["max_score"]} for i in DEFAULT_STANDARD_ITEMS]
    items[-1] = {"code": "recording_complete", "score": 4}
    url = f"/api/v1/supervision/samples/{sample['id']}/evaluations/"
    no_finding = sup.post(url, {"case": str(case.pk), "standard": standard["id"], "items": items}, format="json")
    assert no_finding.status_code == 422 and no_finding.json()["code"] == "finding_required"
    items[-1]["finding"] = "现场检查未全程音像记录，仅有文字笔录。"
    done = sup.post(url, {"case": str(case.pk), "standard": standard["id"], "items": items}, format="json")
    assert done.status_code == 201, done.json()
    assert done.json()["total"] == "94.0" and done.json()["max_total"] == 100
    assert done.json()["evaluator"]["name"] == "高秀兰"
    assert (
        sup.post(url, {"case": str(case.pk), "standard": standard["id"], "items": items}, format="json").status_code
        == 409
    )
    assert [e["total"] for e in as_user(auditor_a).get(url).json()] == ["94.0"]
