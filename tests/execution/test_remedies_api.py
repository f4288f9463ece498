"""复议 / 诉讼 tracking over HTTP: the periods, the pause of 加处罚款 (行政处罚法 第七十三条第三款), outcomes that
change the decision and its public notice (第四十八条第二款), and the preconditions."""

from __future__ import annotations

from django.db import transaction
from execution.conftest import account, deadlines, pay

from backend.cases.models import Case
from backend.disclosures import services as disclosure_services
from backend.disclosures.models import Notice


def file(client, case, kind: str, day: str, body: str = "辽源市人民政府", number: str = "辽政复〔2026〕0088号"):
    return client.post(
        f"/api/v1/cases/{case.id}/remedies/",
        {"kind": kind, "body": body, "filed_on": day, "case_number": number},
        format="json",
    )


def conclude(client, case, remedy_id: int, outcome: str, day: str, **extra):
    return client.post(
        f"/api/v1/cases/{case.id}/remedies/{remedy_id}/conclude/",
        {"outcome": outcome, "concluded_on": day, "reason": "复议机关审理认为", **extra},
        format="json",
    )


def test_the_remedy_periods_run_from_service_across_the_new_year(clients, decided_fine, serve):
    case = decided_fine()
    serve(case, "2026-12-02")
    rows = deadlines(clients.officer, case)
    # 60 days end on Sunday 2027-01-31 → the next working day; 6 months → 2027-06-02 (2027 is provisional).
    assert (rows["ADMIN_REVIEW_WINDOW"]["due_on"], rows["ADMIN_REVIEW_WINDOW"]["kind"]) == ("2027-02-01", "window")
    assert rows["LITIGATION_WINDOW"]["due_on"] == "2027-06-02"
    assert rows["LITIGATION_WINDOW"]["provisional"] is True


def test_no_surcharge_is_counted_while_a_reconsideration_is_pending(clients, decided_fine, serve):
    case = decided_fine(fine="5000.00")
    serve(case, "2026-12-02")  # last day to pay 2026-12-17
    r = file(clients.on("2026-12-28").officer, case, "reconsideration", "2026-12-28")
    assert r.status_code == 201, r.content
    remedy = r.json()
    assert remedy["status"] == "pending" and remedy["filed_late"] is False
    assert deadlines(clients.officer, case)["ADMIN_REVIEW_WINDOW"]["state"] == "met"

    during = account(clients.on("2027-01-10").officer, case)
    assert during["surcharge"]["days"] == 10 and during["surcharge"]["amount"] == "1500.00"  # 12-18 … 12-27 only
    assert during["surcharge"]["paused_days"] == 14 and during["remedy_pending"] is True
    r = clients.head.post(f"/api/v1/cases/{case.id}/close/", {}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "remedy_pending", r.content

    r = conclude(
        clients.on("2027-01-20").head, case, remedy["id"], "upheld", "2027-01-20", reference="辽政复决字〔2027〕0012号"
    )
    assert r.status_code == 200 and r.json()["outcome"] == "upheld", r.content
    rows = deadlines(clients.officer, case)
    assert rows["LITIGATION_AFTER_REVIEW"]["due_on"] == "2027-02-04"  # 15 days to sue (行政诉讼法 第四十五条)
    after = account(clients.on("2027-01-25").officer, case)
    assert after["surcharge"] == {
        "since": "2026-12-18",
        "days": 15,
        "paused_days": 24,
        "amount": "2250.00",
        "capped": False,
    }
    assert Case.objects.get(pk=case.pk).decision_state == "effective"


def test_a_reconsideration_changes_the_decision_and_the_notice_is_withdrawn_and_republished(
    clients, decided_fine, serve, discloser_a
):
    case = decided_fine(fine="5000.00")
    with transaction.atomic():
        disclosure_services.notice_create_for_decision(case=case, context=None)
    published = disclosure_services.notice_publish(notice=Notice.objects.get(case=case), actor=discloser_a)
    serve(case, "2026-12-02")
    assert pay(clients.on("2026-12-10").officer, case, "5000.00", "2026-12-10", "BK-5000").status_code == 201
    remedy = file(clients.on("2026-12-20").officer, case, "reconsideration", "2026-12-20").json()

    r = conclude(
        clients.on("2027-01-15").officer,
        case,
        remedy["id"],
        "changed",
        "2027-01-15",
        new_measures=[{"kind": "fine", "amount": "3000.00"}],
    )
    assert r.status_code == 403 and r.json()["code"] == "head_required", r.content  # the head records outcomes
    r = conclude(
        clients.head,
        case,
        remedy["id"],
        "changed",
        "2027-01-15",
        reference="辽政复决字〔2027〕0007号",
        new_measures=[{"kind": "fine", "amount": "3000.00"}],
    )
    assert r.status_code == 200, r.content
    assert r.json()["correction"] is not None and r.json()["new_measures"] == [{"kind": "fine", "amount": "3000.00"}]

    case.refresh_from_db()
    assert case.decision_state == "changed" and str(case.fine_amount) == "3000.00"
    published.refresh_from_db()
    assert published.status == "withdrawn"
    republished = Notice.objects.filter(case=case).exclude(pk=published.pk).get()
    assert republished.status == "draft"  # the changed decision goes back to the disclosure desk
    shown = account(clients.officer, case)
    assert shown["owed"] == "3000.00" and shown["balance"] == "0.00" and shown["refund_due"] == "2000.00"


def test_a_judgment_revoking_the_decision_leaves_nothing_owed(clients, decided_fine, serve):
    case = decided_fine(fine="8000.00")
    serve(case, "2026-12-02")
    remedy = file(
        clients.on("2027-03-01").officer,
        case,
        "litigation",
        "2027-03-01",
        body="辽源市龙山区人民法院",
        number="（2027）吉0402行初15号",
    ).json()
    assert remedy["filed_late"] is False
    r = conclude(
        clients.on("2027-05-10").head, case, remedy["id"], "revoked", "2027-05-10", reference="（2027）吉0402行初15号"
    )
    assert r.status_code == 200, r.content
    shown = account(clients.officer, case)
    assert shown["state"] == "void" and shown["owed"] == "0.00" and shown["balance"] == "0.00"
    assert shown["surcharge"]["amount"] == "0.00"
    assert Case.objects.get(pk=case.pk).decision_state == "revoked"


def test_remedy_preconditions(clients, decided_fine, serve):
    case = decided_fine()
    serve(case, "2026-12-02")
    first = file(clients.on("2027-02-03").officer, case, "reconsideration", "2027-02-03").json()
    assert first["filed_late"] is True  # after 2027-02-01: recorded, flagged; the body decides admissibility
    r = file(clients.officer, case, "litigation", "2027-02-03")
    assert r.status_code == 409 and r.json()["code"] == "remedy_already_pending", r.content
    r = file(clients.auditor, case, "litigation", "2027-02-03")
    assert r.status_code == 403 and r.json()["code"] == "read_only_role", r.content
    r = file(clients.other, case, "litigation", "2027-02-03")
    assert r.status_code == 404, r.content
    r = conclude(clients.head, case, first["id"], "upheld", "2027-01-01")
    assert r.status_code == 422 and r.json()["code"] == "concluded_before_filed", r.content
    r = clients.officer.post(
        f"/api/v1/cases/{case.id}/remedies/{first['id']}/withdraw/",
        {"withdrawn_on": "2027-02-03", "reason": "当事人撤回复议申请"},
        format="json",
    )
    assert r.status_code == 200 and r.json()["status"] == "withdrawn", r.content
    r = conclude(clients.head, case, first["id"], "upheld", "2027-02-03")
    assert r.status_code == 409 and r.json()["code"] == "remedy_not_pending", r.content
    suit = file(clients.officer, case, "litigation", "2027-02-03", body="辽源市龙山区人民法院").json()
    r = clients.officer.post(
        f"/api/v1/cases/{case.id}/remedies/{first['id'] + 999}/suspend/",
        {"basis": "复议机关决定停止执行"},
        format="json",
    )
    assert r.status_code == 403, r.content  # suspension is the head's
    r = clients.head.post(
        f"/api/v1/cases/{case.id}/remedies/{first['id'] + 999}/suspend/",
        {"basis": "复议机关决定停止执行"},
        format="json",
    )
    assert r.status_code == 404 and r.json()["code"] == "remedy_not_found", r.content
    listed = clients.auditor.get(f"/api/v1/cases/{case.id}/remedies/")
    assert [r["status"] for r in listed.json()] == ["withdrawn", "pending"]
    assert conclude(clients.head, case, suit["id"], "upheld", "2027-02-03").status_code == 200
    r = file(clients.officer, case, "reconsideration", "2027-02-03")
    assert r.status_code == 409 and r.json()["code"] == "reconsideration_after_litigation", r.content
