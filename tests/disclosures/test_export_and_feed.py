"""Bulk export in the 双公示 administrative-penalty layout, and the Atom feed of new and withdrawn notices."""

import csv
import io
import json
import xml.etree.ElementTree as ET

from backend.disclosures import revision, services
from backend.disclosures.public import EXPORT_LAYOUT

PERSON_ID = "220402199003071231"
ATOM = "{http://www.w3.org/2005/Atom}"


def _csv(response):
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")  # Excel opens UTF-8 CSV correctly only with a BOM
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def test_csv_export_follows_the_shuang_gongshi_layout(api, published_notice, published_org_notice):
    response = api.get("/api/v1/public/notices/export.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = _csv(response)
    header = rows[0]
    assert header[:2] == ["行政相对人名称", "行政相对人类别"]
    assert "行政处罚决定书文号" in header and "罚款金额（万元）" in header and "处罚机关统一社会信用代码" in header
    assert len(header) == len(EXPORT_LAYOUT)
    records = [dict(zip(header, r, strict=True)) for r in rows[1:]]
    org = next(r for r in records if r["行政相对人类别"] == "法人及非法人组织")
    assert org["行政相对人名称"] == "辽源市恒通商贸有限公司"
    assert org["行政相对人代码_1(统一社会信用代码)"] == "91220400MA0Y3K2X1B"
    assert org["罚款金额（万元）"] == "5"
    assert org["没收违法所得、没收非法财物的金额（万元）"] == "0.86"
    assert org["处罚类别"] == "没收违法所得；罚款"
    assert org["处罚决定日期"] == "2026-03-10"
    assert org["法定代表人证件号码"] == ""  # never published (DOMAIN §6.6)
    person = next(r for r in records if r["行政相对人类别"] == "自然人")
    assert person["行政相对人名称"] == "王某" and person["证件号码"] == ""
    assert person["罚款金额（万元）"] == "0.5"
    assert PERSON_ID not in str(rows)


def test_csv_header_can_use_the_field_codes(api, published_notice):
    rows = _csv(api.get("/api/v1/public/notices/export.csv", {"header": "code"}))
    assert rows[0][:3] == ["CF_XDR_MC", "CF_XDR_LB", "CF_XDR_SHXYM"]
    assert "CF_WSH" in rows[0] and "CF_NR_FK" in rows[0] and "CF_GSJZQ" in rows[0]


def test_json_export_carries_the_layout_and_honours_filters(api, published_notice, published_org_notice):
    response = api.get("/api/v1/public/notices/export.json", {"party_type": "organisation"})
    body = json.loads(b"".join(response.streaming_content))
    assert body["layout"] == "双公示-行政处罚"
    assert [f["code"] for f in body["fields"]][:2] == ["CF_XDR_MC", "CF_XDR_LB"]
    assert len(body["records"]) == 1 and body["records"][0]["CF_XDR_MC"] == "辽源市恒通商贸有限公司"


def test_withdrawn_rows_keep_the_number_and_reason_only(api, published_notice):
    services.notice_withdraw(notice=published_notice, reason="原决定已撤销", kind="revoked")
    revision.forget()
    body = json.loads(b"".join(api.get("/api/v1/public/notices/export.json").streaming_content))
    row = body["records"][0]
    assert row["GS_ZT"] == "已撤回" and row["GS_CHLY"] == "原决定已撤销"
    assert row["CF_WSH"] == published_notice.decision_number
    assert row["CF_XDR_MC"] == "" and row["CF_SY"] == "" and row["CF_NR_FK"] == ""


def test_export_answers_conditional_requests(api, published_notice):
    first = api.get("/api/v1/public/notices/export.csv")
    assert api.get("/api/v1/public/notices/export.csv", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def test_atom_feed_lists_new_and_withdrawn_notices(api, published_notice, published_org_notice):
    services.notice_withdraw(notice=published_notice, reason="原决定被确认违法", kind="confirmed_illegal")
    revision.forget()
    for url in ("/api/v1/public/notices/feed.atom", "/notices/feed.atom"):
        response = api.get(url)
        assert response.status_code == 200 and response["Content-Type"].startswith("application/atom+xml")
        root = ET.fromstring(response.content)
        assert root.tag == f"{ATOM}feed"
        titles = [e.findtext(f"{ATOM}title") for e in root.findall(f"{ATOM}entry")]
        assert titles[0].startswith("【撤回】") and published_notice.decision_number in titles[0]
        assert any(t.startswith("【公示】") and "恒通商贸" in t for t in titles)
        assert "王小明" not in response.content.decode()
        ids = [e.findtext(f"{ATOM}id") for e in root.findall(f"{ATOM}entry")]
        assert len(ids) == len(set(ids)) == 3


def test_csv_cells_that_a_spreadsheet_would_evaluate_are_neutralised(api, published_org_notice):
    from backend.disclosures.models import Notice

    Notice.objects.filter(pk=published_org_notice.pk).update(remarks='=HYPERLINK("http://x")')
    revision.forget()
    rows = _csv(api.get("/api/v1/public/notices/export.csv", {"header": "code"}))
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["BZ"].startswith("'=")
