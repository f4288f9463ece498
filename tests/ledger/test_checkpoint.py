"""Signed notes and checkpoints: interoperability vector, round trips, rejection of any change."""

from __future__ import annotations

import base64
import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from backend.ledgercore.signed_note import (
    Checkpoint,
    NoteError,
    NoteSigner,
    NoteVerifier,
    generate_key,
    key_id,
    open_checkpoint,
    open_note,
    parse_note,
    sign_note,
)

# The example key and note from Go's golang.org/x/mod/sumdb/note documentation and tests.
# Ed25519 is deterministic, so producing the same note byte for byte shows that notes we sign
# are readable by the Go/transparency-dev tooling and vice versa.
GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
GO_NOTE = (GO_TEXT + "\n— PeterNeumann "
           "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n")

ORIGIN = "zhifa.example.gov.cn/ledger"


def test_it_signs_the_go_reference_note_byte_for_byte():
    signer = NoteSigner.parse(GO_SKEY)
    assert signer.to_skey() == GO_SKEY
    assert signer.verifier().to_vkey() == GO_VKEY
    assert sign_note(GO_TEXT, signer) == GO_NOTE


def test_it_opens_the_go_reference_note():
    opened = open_note(GO_NOTE, NoteVerifier.parse(GO_VKEY))
    assert opened.text == GO_TEXT
    assert [v.name for v in opened.verified_by] == ["PeterNeumann"]


def test_key_id_is_the_first_four_bytes_of_sha256_of_name_newline_type_and_key():
    verifier = NoteVerifier.parse(GO_VKEY)
    expected = hashlib.sha256(b"PeterNeumann\n\x01" + verifier.public_key).digest()[:4]
    assert key_id("PeterNeumann", verifier.public_key) == int.from_bytes(expected, "big") == 0xC74F20A3


def test_generated_keys_round_trip_and_sign():
    pair = generate_key(ORIGIN)
    assert pair.verifier_key.startswith(ORIGIN + "+")
    signer = NoteSigner.parse(pair.signer_key)
    verifier = NoteVerifier.parse(pair.verifier_key)
    assert signer.verifier() == verifier
    assert "PRIVATE" not in repr(signer)
    assert open_note(sign_note("hello\n", signer), verifier).text == "hello\n"


def test_mangled_verifier_keys_are_refused():
    bad = [GO_VKEY[:-1], GO_VKEY + "A", GO_VKEY.replace("c74f20a3", "c74f20a4"),
           GO_VKEY.replace("c74f20a3", "C74F20A3"), GO_VKEY.replace("+A", "+B", 1), "a+b", "",
           "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"]
    raw = bytearray(GO_VKEY.encode())
    for i in range(len(raw)):
        raw[i] ^= 0x01
        bad.append(raw.decode("latin-1"))
        raw[i] ^= 0x01
    for key in bad:
        with pytest.raises(NoteError):
            NoteVerifier.parse(key)


def make_checkpoint(size: int = 123456, extensions: tuple[str, ...] = ()) -> Checkpoint:
    return Checkpoint(origin=ORIGIN, size=size, root_hash=hashlib.sha256(b"root").digest(),
                      extensions=extensions)


def test_checkpoint_body_follows_tlog_checkpoint():
    cp = make_checkpoint(extensions=("time 2026-05-01T08:00:00Z",))
    root_b64 = base64.b64encode(hashlib.sha256(b"root").digest()).decode()
    assert cp.body() == f"{ORIGIN}\n123456\n{root_b64}\ntime 2026-05-01T08:00:00Z\n"
    assert Checkpoint.parse(cp.body()) == cp


def test_checkpoint_sign_and_verify_round_trip():
    pair = generate_key(ORIGIN)
    signer = NoteSigner.parse(pair.signer_key)
    note = make_checkpoint().sign(signer)
    assert note.startswith(make_checkpoint().body() + "\n— " + ORIGIN + " ")
    opened = open_checkpoint(note, NoteVerifier.parse(pair.verifier_key))
    assert opened.checkpoint == make_checkpoint()


def test_any_single_changed_byte_in_a_signed_checkpoint_is_rejected():
    pair = generate_key(ORIGIN)
    verifier = NoteVerifier.parse(pair.verifier_key)
    note = make_checkpoint(extensions=("x",)).sign(NoteSigner.parse(pair.signer_key)).encode()
    for position in range(len(note)):
        for flip in (0x01, 0x20, 0x80):
            mangled = bytearray(note)
            mangled[position] ^= flip
            with pytest.raises(NoteError):
                open_checkpoint(bytes(mangled), verifier)


def test_a_checkpoint_signed_by_another_key_is_rejected():
    note = make_checkpoint().sign(NoteSigner.parse(generate_key(ORIGIN).signer_key))
    with pytest.raises(NoteError, match="not signed by any trusted key"):
        open_checkpoint(note, NoteVerifier.parse(generate_key(ORIGIN).verifier_key))


def test_unknown_signatures_are_ignored_but_a_bad_known_signature_rejects_the_note():
    ours = NoteSigner.parse(generate_key(ORIGIN).signer_key)
    witness = NoteSigner.parse(generate_key("witness.example").signer_key)
    note = sign_note("body\n", [witness, ours])
    opened = open_note(note, ours.verifier())
    assert [s.name for s in opened.unverified] == ["witness.example"]
    # Same name and key ID as ours but a different signature: reject the whole note.
    forged = parse_note(note)
    impostor = Ed25519PrivateKey.generate()
    bad_line = forged.signatures[1].__class__(ours.name, ours.key_id, impostor.sign(b"body\n")).line()
    with pytest.raises(NoteError, match="invalid signature"):
        open_note("body\n\n" + forged.signatures[0].line() + bad_line, ours.verifier())


@pytest.mark.parametrize("text", [
    "origin\n123\n",                                    # no root line
    "origin\n0123\n" + base64.b64encode(b"\0" * 32).decode() + "\n",  # leading zero
    "origin\n-1\n" + base64.b64encode(b"\0" * 32).decode() + "\n",
    "origin\n1\n" + base64.b64encode(b"\0" * 31).decode() + "\n",     # short hash
    "origin\n1\n" + base64.b64encode(b"\0" * 32).decode() + "\n\n",   # empty extension line
    "\n1\n" + base64.b64encode(b"\0" * 32).decode() + "\n",           # empty origin
    "origin\n1\n" + base64.b64encode(b"\0" * 32).decode(),            # no final newline
])
def test_malformed_checkpoints_are_refused(text: str):
    with pytest.raises(NoteError):
        Checkpoint.parse(text)


def test_notes_with_control_characters_or_no_signatures_are_refused():
    signer = NoteSigner.parse(GO_SKEY)
    with pytest.raises(NoteError):
        sign_note("tab\there\n", signer)
    with pytest.raises(NoteError):
        sign_note("no newline", signer)
    with pytest.raises(NoteError):
        parse_note(GO_TEXT)
    with pytest.raises(NoteError):
        parse_note(GO_TEXT + "\n")
