"""The 审核意见书 renders as HTML and as a PDF whose text layer holds the Chinese text."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from backend.reviews import opinion, services


@pytest.fixture
def completed(catalog_a, make_case, officer_a, reviewer_a, fill_all, submit):
    round_ = submit(make_case(fine="150000.00"), officer_a)
    services.review_assign(round_=round_, reviewer=reviewer_a, actor=reviewer_a)
    fill_all(round_, reviewer_a, discretion="nonconforming")
    return services.review_complete(
        round_=round_,
        actor=reviewer_a,
        outcome="correction_required",
        opinion_text="罚款数额明显高于裁量基准规定的一般情节幅度，建议重新裁量。",
        correction_points=[{"aspect": "outcome", "text": "按一般情节确定罚款数额"}],
    )


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "".join(page.extract_text() for page in reader.pages).replace("\n", "").replace(" ", "")


def test_the_html_opinion_shows_the_outcome_items_and_reviewer(completed) -> None:
    html = opinion.render_opinion_html(completed)
    assert "重大执法决定法制审核意见书" in html
    assert completed.opinion_number in html
    assert "建议纠正" in html and "按一般情节确定罚款数额" in html
    assert "执法主体是否合法" in html and "裁量基准运用是否适当" in html
    assert "赵敏" in html and "A2018220000001" in html
    assert completed.opinion_sha256 in html


def test_the_pdf_text_layer_contains_the_chinese_opinion(completed) -> None:
    data = opinion.render_opinion_pdf(completed)
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    for expected in (
        "重大执法决定法制审核意见书",
        "辽源市市场监督管理局",
        "执法主体是否合法",
        "审核结论：建议纠正",
        "罚款数额明显高于裁量基准规定的一般情节幅度",
        "辽源市某商贸有限公司",
    ):
        assert expected in text, expected


def test_opinion_downloads_through_the_api(completed, as_user, officer_a, officer_b) -> None:
    client = as_user(officer_a)
    html = client.get(f"/api/v1/reviews/rounds/{completed.pk}/opinion.html")
    assert html.status_code == 200 and html["Content-Type"].startswith("text/html")
    assert "审核意见书" in html.content.decode()
    pdf = client.get(f"/api/v1/reviews/rounds/{completed.pk}/opinion.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert "审核结论：建议纠正" in pdf_text(pdf.content)
    assert as_user(officer_b).get(f"/api/v1/reviews/rounds/{completed.pk}/opinion.pdf").status_code == 404
