"""涉案财物 over HTTP: the 清单 of a 查封扣押 with photos, custody and movements, the head's handling of each
item, the time limits at −1 / = / +1 day, 冻结 of a deposit with its notice, and 结案 refused (409) until every
item is handled (行政强制法 第二十一条至第三十三条)."""

from __future__ import annotations

import datetime as dt

import pytest
from execution.conftest import TZ, deadlines, pay
from execution.test_corrections_api import _photo
from factories import CaseFactory

from backend.cases.models import Case
from backend.ledger.models import AuditEvent

ITEMS = [
    {"name": "超过保质期的预包装饼干", "specification": "500g/袋", "quantity": "42", "unit": "袋"},
    {"name": "电子秤", "specification": "TCS-150", "quantity": "1", "unit": "台"},
    {"name": "进货单据", "quantity": "3", "unit": "张"},
]
STORE = {"custody_place": "辽源市市场监督管理局涉案财物库A区", "keeper": "王立新"}


def _seize(client, case: Case, head, day: str) -> str:
    at = dt.datetime.combine(dt.date.fromisoformat(day), dt.time(9), tzinfo=TZ).isoformat()
    r = client.post(f"/api/v1/cases/{case.id}/documents/", {
        "doc_type": "seizure_decision", "content": {"items": [i["name"] for i in ITEMS]}, "occurred_at": at,
        "approved_by_id": str(head.pk), "approved_at": at, "place": "辽源市西安区仙城大路1200号",
    }, format="json")  # fmt: skip
    assert r.status_code == 201, r.content
    return r.json()["id"]


def _register(client, case: Case, document_id: str, items: list[dict], **body):
    return client.post(f"/api/v1/cases/{case.id}/property/",
                       {"measure": "seizure", "document_id": document_id, "items": items, **body}, format="json")


def _handle(client, case: Case, item_id: int, **body):
    return client.post(f"/api/v1/cases/{case.id}/property/{item_id}/handle/", body, format="json")


def test_three_items_seized_two_returned_one_confiscated_reconciled_at_closing(
    clients, decided_fine, serve, officer_a, head_a
):
    case = decided_fine(decided_on="2026-12-01", fine="3000.00")
    document = _seize(clients.on("2026-11-20").officer, case, head_a, "2026-11-20")
    photos = [_photo(case, officer_a) for _ in ITEMS]
    lines = [{**i, **STORE, "evidence_ids": [p]} for i, p in zip(ITEMS, photos, strict=True)]
    r = _register(clients.officer, case, document, lines)
    assert r.status_code == 201, r.content
    items = r.json()
    assert [(i["line"], i["status"], i["taken_on"]) for i in items] == [
        (1, "in_custody", "2026-11-20"), (2, "in_custody", "2026-11-20"), (3, "in_custody", "2026-11-20")
    ]  # fmt: skip
    assert items[0]["evidence_ids"] == [photos[0]] and items[0]["quantity"] == "42.000"
    assert clients.auditor.post(f"/api/v1/cases/{case.id}/property/", {}, format="json").status_code == 403
    assert clients.other.get(f"/api/v1/cases/{case.id}/property/").status_code == 404

    r = clients.on("2026-11-22").officer.post(f"/api/v1/cases/{case.id}/property/{items[1]['id']}/move/", {
        "custody_place": "辽源市市场监督管理局涉案财物库B区", "keeper": "赵敏", "note": "A区检修，移库",
    }, format="json")  # fmt: skip
    assert r.status_code == 200 and r.json()["keeper"] == "赵敏", r.content

    serve(case, "2026-12-02")
    assert pay(clients.on("2026-12-05").officer, case, "3000.00", "2026-12-05", "BK-3000").status_code == 201
    r = clients.on("2026-12-08").head.post(f"/api/v1/cases/{case.id}/close/", {}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "property_unhandled", r.content
    assert [i["line"] for i in r.json()["extra"]["items"]] == [1, 2, 3]

    returned = {"handling": "returned", "basis": "行政强制法第二十八条第一款第（四）项", "recipient": "李建华"}
    r = _handle(clients.officer, case, items[1]["id"], **returned)
    assert r.status_code == 403, r.content  # the head decides the handling
    r = _handle(clients.head, case, items[1]["id"], **{**returned, "recipient": ""})
    assert r.status_code == 422 and r.json()["code"] == "recipient_required"
    for item in items[1:]:
        r = _handle(clients.head, case, item["id"], **returned, handled_on="2026-12-08")
        assert r.status_code == 200 and r.json()["status"] == "returned", r.content
    r = _handle(clients.head, case, items[0]["id"], handling="confiscated", basis="辽市监罚〔2026〕117号 没收",
                reference="辽市监罚〔2026〕117号", handled_on="2026-12-08")  # fmt: skip
    assert r.status_code == 200, r.content
    again = _handle(clients.head, case, items[0]["id"], handling="destroyed", basis="销毁")
    assert again.status_code == 409 and again.json()["code"] == "property_already_handled"

    ledger = clients.auditor.get(f"/api/v1/cases/{case.id}/property/").json()
    assert ledger["reconciled"] is True and ledger["open_items"] == 0
    assert ledger["by_status"] == {"confiscated": 1, "returned": 2}
    moved = next(i for i in ledger["items"] if i["line"] == 2)
    assert [(m["kind"], m["to_place"]) for m in moved["movements"]] == [
        ("registered", STORE["custody_place"]), ("moved", "辽源市市场监督管理局涉案财物库B区"),
        ("handled", "辽源市市场监督管理局涉案财物库B区"),
    ]  # fmt: skip
    assert deadlines(clients.officer, case)["SEIZURE"]["state"] == "met"
    r = clients.on("2026-12-08").head.post(f"/api/v1/cases/{case.id}/close/", {}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "closed", r.content
    assert AuditEvent.objects.filter(case_id=case.id, action__startswith="property.").count() == 7


@pytest.mark.parametrize(("offset", "late"), [(-1, False), (0, False), (1, True)])
def test_the_seizure_limit_is_met_by_the_last_handling_at_minus_one_equal_plus_one(
    clients, decided_fine, head_a, offset, late
):
    case = decided_fine(decided_on="2026-12-01")
    document = _seize(clients.on("2026-12-02").officer, case, head_a, "2026-12-02")
    due = deadlines(clients.officer, case)["SEIZURE"]["due_on"]
    # 30 days end on 2027-01-01 (元旦). 2027's holidays are not published yet: the agency's duty falls due on the
    # earliest plausible day (a make-up working Saturday), api_docs/guides/deadlines.md §3.
    assert due == "2027-01-02"
    item = _register(clients.officer, case, document, [{**ITEMS[1], **STORE}]).json()[0]
    day = (dt.date.fromisoformat(due) + dt.timedelta(days=offset)).isoformat()
    r = _handle(clients.on(day).head, case, item["id"], handling="released", basis="行政强制法第二十八条",
                handled_on=day)  # fmt: skip
    assert r.status_code == 200, r.content
    row = deadlines(clients.officer, case)["SEIZURE"]
    assert (row["state"], row["met_on"], row["met_late"]) == ("met", day, late)


def test_a_freeze_needs_its_authority_and_its_notice_within_three_working_days(clients, decided_fine):
    case = decided_fine(decided_on="2026-12-01")
    url = f"/api/v1/cases/{case.id}/property/"
    deposit = {"name": "银行存款", "amount": "3000.00", "bank": "中国工商银行辽源分行", "account_tail": "4321"}
    r = clients.on("2026-12-30").officer.post(url, {"measure": "freeze", "items": [deposit]}, format="json")
    assert r.status_code == 422 and r.json()["code"] == "freeze_authority_required", r.content
    r = clients.officer.post(url, {"measure": "freeze", "items": [{**deposit, "account_tail": "62220204"}],
                                   "legal_authority": "中华人民共和国税收征收管理法第三十八条"}, format="json")
    assert r.status_code == 400 and "items" in r.json()["fields"]  # never the whole account number
    r = clients.officer.post(url, {"measure": "freeze", "items": [deposit], "taken_on": "2026-12-30",
                                   "legal_authority": "中华人民共和国税收征收管理法第三十八条"}, format="json")
    assert r.status_code == 201, r.content
    item = r.json()[0]
    assert item["status"] == "frozen" and item["unit"] == "笔"
    rows = deadlines(clients.officer, case)
    # 3 working days over 元旦, on the provisional 2027 calendar: the agency's duty, the earliest plausible day.
    assert rows["FREEZE_NOTICE"]["due_on"] == "2027-01-03" and rows["FREEZE_NOTICE"]["provisional"] is True
    assert rows["FREEZE"]["due_on"] == "2027-01-29"
    r = clients.on("2027-01-06").officer.post(f"{url}freeze_notice/", {"notified_on": "2027-01-06"}, format="json")
    assert r.status_code == 200, r.content
    assert deadlines(clients.officer, case)["FREEZE_NOTICE"]["met_late"] is True  # +1 working day
    r = _handle(clients.head, case, item["id"], handling="confiscated", basis="没收")
    assert r.status_code == 422 and r.json()["code"] == "handling_not_allowed"
    r = _handle(clients.head, case, item["id"], handling="released", basis="行政强制法第三十三条",
                handled_on="2027-01-06")  # fmt: skip
    assert r.status_code == 200 and r.json()["status"] == "released", r.content
    assert deadlines(clients.officer, case)["FREEZE"]["state"] == "met"


def test_confiscation_needs_a_decision_and_the_list_needs_the_measure_document(clients, agency_a, officer_a,
                                                                               officer_a2, head_a):
    case = CaseFactory(agency=agency_a, created_by=officer_a, status=Case.Status.INVESTIGATING,
                       case_number="辽市监立字〔2026〕0998号")  # fmt: skip
    case.handling_officers.set([officer_a, officer_a2])
    r = _register(clients.on("2026-12-02").officer, case, "00000000-0000-4000-8000-000000000000",
                  [{**ITEMS[0], **STORE}])  # fmt: skip
    assert r.status_code == 422 and r.json()["code"] == "invalid_measure_document", r.content
    document = _seize(clients.officer, case, head_a, "2026-12-02")
    r = _register(clients.officer, case, document, [ITEMS[0]])
    assert r.status_code == 422 and r.json()["code"] == "custody_required", r.content
    item = _register(clients.officer, case, document, [{**ITEMS[0], **STORE}]).json()[0]
    r = _handle(clients.head, case, item["id"], handling="confiscated", basis="没收")
    assert r.status_code == 409 and r.json()["code"] == "handling_needs_decision", r.content
    r = _handle(clients.head, case, item["id"], handling="returned", basis="不属于违法物品",
                recipient="李建华", handled_on="2026-12-01")  # fmt: skip
    assert r.status_code == 422 and r.json()["code"] == "date_before_previous_act", r.content
