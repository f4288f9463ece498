"""A party's 统一社会信用代码 (GB 32100-2015) and 居民身份证号码 (GB 11643-1999) are checked when a case is
registered or edited: a mistyped code would be published on the notice, a mistyped ID number would name
somebody else in the 决定书. Passports and other documents are not resident ID numbers and pass."""

from __future__ import annotations

import pytest
from support import valid_id_number, valid_uscc

LEGAL_BASIS = [{"law": "中华人民共和国食品安全法", "article": "第一百二十四条"}]


def _body(officer2, **party):
    return {"title": "销售过期食品案", "facts": "销售超过保质期的食品", "legal_basis": LEGAL_BASIS,
            "officer_ids": [str(officer2.pk)], **party}  # fmt: skip


def _org(uscc: str, rep_id: str = "") -> dict:
    return {"party_type": "organisation", "party_name": "辽源市福顺商贸有限公司", "party_uscc": uscc,
            "party_legal_rep": "赵永刚", "party_legal_rep_id_number": rep_id}  # fmt: skip


def _person(id_number: str) -> dict:
    return {"party_type": "natural_person", "party_name": "王小明", "party_id_number": id_number,
            "party_address": "吉林省辽源市龙山区向阳街1号"}  # fmt: skip


USCC = valid_uscc("91220400MA0Y2K3L")
ID = valid_id_number("22040219850312123")


def _swap_last(code: str, alphabet: str) -> str:
    return code[:-1] + next(c for c in alphabet if c != code[-1])


@pytest.mark.parametrize(
    ("party", "field"),
    [
        (_org(_swap_last(USCC, "0123456789ABCDEFGHJKLMNPQRTUWXY")), "party_uscc"),  # wrong check character
        (_org("91220400MA0Y2K3"), "party_uscc"),  # too short
        (_org("91220400MAOY2K3LXX"), "party_uscc"),  # letter O is not in the alphabet
        (_org(USCC, _swap_last(ID, "0123456789X")), "party_legal_rep_id_number"),
        (_person(_swap_last(ID, "0123456789X")), "party_id_number"),
        (_person("220402198502301234"), "party_id_number"),  # 30 February
    ],
)
def test_an_identifier_with_a_wrong_check_character_is_refused(as_user, officer_a, officer_a2, party, field):
    r = as_user(officer_a).post("/api/v1/cases/", _body(officer_a2, **party), format="json")
    assert r.status_code == 400, r.json()
    assert field in r.json()["fields"], r.json()
    assert "无效" in r.json()["fields"][field][0]


@pytest.mark.parametrize(
    "party",
    [
        _org(USCC, ID),
        _org(USCC.lower()),  # stored upper-case
        _person(ID),
        _person("E12345678"),  # a passport
        _person("220402850312123"),  # a first-generation 15-digit number
    ],
)
def test_valid_identifiers_and_other_documents_are_accepted(as_user, officer_a, officer_a2, party):
    r = as_user(officer_a).post("/api/v1/cases/", _body(officer_a2, **party), format="json")
    assert r.status_code == 201, r.json()


def test_an_edit_is_checked_too(as_user, officer_a, officer_a2):
    officer = as_user(officer_a)
    created = officer.post("/api/v1/cases/", _body(officer_a2, **_org(USCC)), format="json").json()
    r = officer.patch(f"/api/v1/cases/{created['id']}/", {"party_uscc": "91220400MA0Y2K3L0X"}, format="json",
                      HTTP_IF_MATCH=f'"{created["version"]}"')  # fmt: skip
    assert r.status_code == 400 and "party_uscc" in r.json()["fields"], r.json()
