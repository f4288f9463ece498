"""The public proof API: proofs checked by the independent RFC 9162 reference in conftest.py."""

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from rest_framework.throttling import ScopedRateThrottle
from support import make_agency, make_user

from backend.accounts.models import Role
from backend.ledger.checkpoints import checkpoint_sign
from backend.ledger.models import LogEntry
from backend.ledgercore.signed_note import NoteVerifier, generate_key, open_checkpoint

pytestmark = pytest.mark.django_db

CHECKPOINT = "/api/v1/public/ledger/checkpoint"
KEY = "/api/v1/public/ledger/key"
INCLUSION = "/api/v1/public/ledger/proof/inclusion"
CONSISTENCY = "/api/v1/public/ledger/proof/consistency"


def leaves(rfc9162) -> list[bytes]:
    return [rfc9162.leaf(bytes(e)) for e in LogEntry.objects.order_by("index").values_list("entry", flat=True)]


def h(values: list[str]) -> list[bytes]:
    return [bytes.fromhex(v) for v in values]


def test_checkpoint_is_served_as_a_signed_note_and_as_json(api, events, verifier_key):
    assert api.get(CHECKPOINT).status_code == 404
    events(3)
    checkpoint_sign()
    text = api.get(CHECKPOINT)
    assert text.status_code == 200 and text["Content-Type"].startswith("text/plain")
    opened = open_checkpoint(text.content, NoteVerifier.parse(verifier_key)).checkpoint
    assert opened.size == 3
    body = api.get(CHECKPOINT, HTTP_ACCEPT="application/json").json()
    assert body["tree_size"] == 3 and body["root_hash"] == opened.root_hash.hex()
    assert body["note"] == text.content.decode() and body["key"] == verifier_key
    assert api.get(CHECKPOINT + "?format=json").json() == body


def test_the_public_key_is_published(api, verifier_key, settings):
    settings.LEDGER_PREVIOUS_PUBLIC_KEYS = [generate_key("zhifa.test/ledger").verifier_key]
    text = api.get(KEY)
    assert text.content.decode() == verifier_key + "\n"
    body = api.get(KEY, HTTP_ACCEPT="application/json").json()
    assert body["key"] == verifier_key and body["algorithm"] == "ed25519"
    assert body["previous_keys"] == settings.LEDGER_PREVIOUS_PUBLIC_KEYS


def test_inclusion_proofs_for_every_index_and_size_verify_independently(api, events, rfc9162):
    events(13)
    checkpoint_sign()
    all_leaves = leaves(rfc9162)
    for size in (1, 2, 5, 8, 13):
        root = rfc9162.mth(all_leaves[:size])
        for index in range(size):
            body = api.get(INCLUSION, {"index": index, "size": size}).json()
            proof = h(body["proof"])
            assert bytes.fromhex(body["leaf_hash"]) == all_leaves[index]
            assert proof == rfc9162.path(index, all_leaves[:size])
            assert rfc9162.verify_inclusion(all_leaves[index], index, size, proof, root)
            assert not rfc9162.verify_inclusion(all_leaves[index], index, size, proof, b"\x00" * 32)
    latest = api.get(INCLUSION, {"index": 4}).json()
    assert latest["tree_size"] == 13 and latest["checkpoint"]["tree_size"] == 13
    assert api.get(INCLUSION, {"index": 4, "size": 5}).json()["checkpoint"] is None  # no checkpoint at 5


def test_entries_not_yet_signed_or_unknown_are_reported(api, events):
    events(2)
    checkpoint_sign()
    events(1)
    assert api.get(INCLUSION, {"index": 2}).json()["code"] == "entry_not_covered"
    assert api.get(INCLUSION, {"index": 9}).status_code == 404
    assert api.get(INCLUSION, {"index": 0, "size": 3}).json()["code"] == "size_not_signed"
    assert api.get(INCLUSION).status_code == 400
    assert api.get(INCLUSION, {"index": 1, "sha256": "a" * 64}).status_code == 400


@pytest.fixture
def log_of_40(events, db):
    events(40)
    checkpoint_sign()


@hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_consistency_proofs_across_many_sizes_verify_independently(api, log_of_40, rfc9162, data):
    all_leaves = leaves(rfc9162)
    second = data.draw(st.integers(min_value=0, max_value=40), label="second")
    first = data.draw(st.integers(min_value=0, max_value=second), label="first")
    body = api.get(CONSISTENCY, {"first": first, "second": second}).json()
    proof = h(body["proof"])
    first_root, second_root = rfc9162.mth(all_leaves[:first]), rfc9162.mth(all_leaves[:second])
    assert bytes.fromhex(body["first_root_hash"]) == first_root
    assert bytes.fromhex(body["second_root_hash"]) == second_root
    if 0 < first < second:
        assert proof == rfc9162.subproof(first, all_leaves[:second], True)
    assert rfc9162.verify_consistency(first, second, first_root, second_root, proof)
    if 0 < first < second:
        assert not rfc9162.verify_consistency(first, second, b"\x01" * 32, second_root, proof)


def test_consistency_defaults_to_the_latest_checkpoint(api, events, rfc9162):
    events(9)
    checkpoint_sign()
    body = api.get(CONSISTENCY, {"first": 4}).json()
    assert body["second"] == 9 and body["checkpoint"]["tree_size"] == 9
    assert api.get(CONSISTENCY, {"first": 10}).status_code == 422


def test_a_file_hash_tells_when_and_in_which_case_without_personal_data(api, case_a, officer_a, evidence):
    item = evidence(case_a, officer_a, b"photo bytes")
    pending = api.get(INCLUSION, {"sha256": item.sha256})
    assert pending.status_code == 409  # nothing signed yet
    checkpoint_sign()
    body = api.get(INCLUSION, {"sha256": item.sha256.upper()}).json()
    [record] = body["records"]
    assert record["case"] == {"id": str(case_a.id), "number": "辽市监罚〔2026〕7号"}
    assert record["pending"] is False and record["recorded_at"].endswith("Z")
    entry = LogEntry.objects.get(index=record["index"])
    assert entry.evidence_sha256 == item.sha256
    text = api.get(INCLUSION, {"sha256": item.sha256}).content.decode()
    for private in ("某某商贸有限公司", "officer_a", "销售过期食品案", "storage_key", "originals/"):
        assert private not in text
    assert api.get(INCLUSION, {"sha256": "0" * 64}).json()["code"] == "sha256_not_recorded"


def test_a_file_recorded_after_the_last_checkpoint_is_reported_pending(api, case_a, officer_a, evidence):
    checkpoint_sign()
    item = evidence(case_a, officer_a, b"late photo")
    [record] = api.get(INCLUSION, {"sha256": item.sha256}).json()["records"]
    assert record["pending"] is True and "proof" not in record


def test_anonymous_users_never_see_entry_contents(api, events, officer_a):
    events(3, actor=officer_a)
    checkpoint_sign()
    for url, params in ((CHECKPOINT, {"format": "json"}), (INCLUSION, {"index": 1}), (CONSISTENCY, {"first": 1})):
        text = api.get(url, params).content.decode()
        assert "officer_a" not in text and "test.event" not in text and '"data"' not in text
    assert api.get("/api/v1/ledger/entries/1").status_code == 401


def test_full_entries_only_for_auditors_and_the_agency_head(events, as_user, officer_a, auditor_a, head_a,
                                                            agency_a):
    events(2, actor=officer_a)
    url = "/api/v1/ledger/entries/1"
    assert as_user(officer_a).get(url).status_code == 404
    for user in (auditor_a, head_a):
        body = as_user(user).get(url).json()
        assert body["entry"]["actor_name"] == "officer_a" and body["index"] == 1 and body["seq"] == 2
        assert body["entry_canonical"].encode() == bytes(LogEntry.objects.get(index=1).entry)
    other = make_agency("辽源市交通运输局", "11220400MB0000001Z")
    assert as_user(make_user("head_x", other, [Role.AGENCY_HEAD])).get(url).status_code == 404
    assert as_user(make_user("aud_x", other, [Role.AUDITOR])).get(url).status_code == 404
    assert as_user(auditor_a).get("/api/v1/ledger/entries/999").status_code == 404


def test_public_endpoints_are_throttled_with_the_public_scope(api, events, monkeypatch):
    ScopedRateThrottle.THROTTLE_RATES = {"public": "3/min"}  # put back by the conftest (_throttle_rates_restored)
    events(1)
    checkpoint_sign()
    codes = [api.get(CHECKPOINT).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
