"""The reason recorded for removing a party's phone says what the number is: a landline is no 手机号码."""

from __future__ import annotations

import pytest

from backend.redaction.parties import redact_party


@pytest.mark.parametrize(
    ("phone", "word"),
    [
        ("0437-3216688", "固定电话"),
        ("(0437)3216688", "固定电话"),
        ("13904371234", "手机号码"),
        ("+86 139 0437 1234", "手机号码"),
    ],
)
def test_the_phone_field_is_removed_with_the_reason_for_its_kind(phone, word):
    result = redact_party({"party_type": "organisation", "name": "辽源市福顺商贸有限公司", "phone": phone})
    assert "phone" not in result.data
    (change,) = [c for c in result.changes if c.key == "phone"]
    assert change.reason.startswith(word), change.reason
