"""Signed tree heads: C2SP ``tlog-checkpoint`` bodies in C2SP ``signed-note`` envelopes (Ed25519).

Formats (https://c2sp.org/tlog-checkpoint, https://c2sp.org/signed-note), compatible with Go's
``golang.org/x/mod/sumdb/note`` and the transparency-dev tooling::

    <origin>\\n                      e.g. "zhifa.example.gov.cn/ledger"
    <tree size, decimal>\\n
    <base64 root hash>\\n
    [<extension line>\\n ...]        optional, opaque, non-empty
    \\n
    — <key name> <base64(4-byte key ID || 64-byte Ed25519 signature)>\\n

* The signature covers the note text including its final newline, not the blank line.
* key ID = first 4 bytes (big-endian uint32) of SHA-256(key name || 0x0A || 0x01 || public key).
* Verifier key (published by the agency): ``<name>+<8 hex key ID>+<base64(0x01 || public key)>``.
* Signer key (secret, never in the repository): ``PRIVATE+KEY+<name>+<8 hex key ID>+<base64(0x01 ||
  32-byte Ed25519 seed)>`` -- the same text form Go's ``note.GenerateKey`` produces, so keys can be
  used with existing tooling.

Verification follows the signed-note rules: signatures by unknown keys are ignored, a signature
by a known key (same name *and* key ID) must verify or the whole note is rejected, and at least
one known key must have signed.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ALG_ED25519 = 0x01
EM_DASH_PREFIX = "— "  # U+2014 EM DASH, then a space
MAX_SIGNATURES = 100
HASH_SIZE = 32


class NoteError(ValueError):
    """A key, note or checkpoint is malformed, or its signatures do not verify."""


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------


def b64decode_strict(text: str) -> bytes:
    """Standard base64 with padding; rejects any other alphabet or non-canonical encodings."""
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error) as exc:
        raise NoteError("invalid base64") from exc
    if base64.b64encode(raw).decode("ascii") != text:
        raise NoteError("non-canonical base64")
    return raw


def b64encode(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def check_key_name(name: str) -> None:
    """Key names: non-empty, no Unicode white space, no ``+`` (signed-note §Format)."""
    if not name or "+" in name or any(ch.isspace() or ord(ch) < 0x20 for ch in name):
        raise NoteError(f"invalid key name {name!r}")


def key_id(name: str, public_key: bytes) -> int:
    """The 32-bit key ID of an Ed25519 note key."""
    check_key_name(name)
    digest = hashlib.sha256(name.encode("utf-8") + b"\n" + bytes([ALG_ED25519]) + public_key).digest()
    key_id: int = struct.unpack(">I", digest[:4])[0]
    return key_id


def _raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _parse_key_text(text: str, parts: int) -> list[str]:
    # The base64 key material may itself contain "+", so split a bounded number of times.
    fields = text.strip().split("+", parts - 1)
    if len(fields) != parts:
        raise NoteError("malformed key")
    return fields


def _parse_key_hash(text: str) -> int:
    if len(text) != 8 or any(c not in "0123456789abcdef" for c in text):
        raise NoteError("malformed key ID")
    return int(text, 16)


# --------------------------------------------------------------------------------------------
# Keys
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NoteVerifier:
    """A public note key: name, key ID and raw 32-byte Ed25519 public key."""

    name: str
    key_id: int
    public_key: bytes

    @classmethod
    def from_public_key(cls, name: str, public_key: bytes) -> NoteVerifier:
        if len(public_key) != 32:
            raise NoteError("Ed25519 public key must be 32 bytes")
        return cls(name=name, key_id=key_id(name, public_key), public_key=bytes(public_key))

    @classmethod
    def parse(cls, vkey: str) -> NoteVerifier:
        """Parse ``<name>+<hex key ID>+<base64(0x01 || public key)>``."""
        name, hash_text, data = _parse_key_text(vkey, 3)
        check_key_name(name)
        declared = _parse_key_hash(hash_text)
        raw = b64decode_strict(data)
        if len(raw) != 33 or raw[0] != ALG_ED25519:
            raise NoteError("unsupported key type (only Ed25519 notes are supported)")
        verifier = cls.from_public_key(name, raw[1:])
        if verifier.key_id != declared:
            raise NoteError("key ID does not match the key")
        return verifier

    def to_vkey(self) -> str:
        return f"{self.name}+{self.key_id:08x}+{b64encode(bytes([ALG_ED25519]) + self.public_key)}"

    def verify(self, message: bytes, signature: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, message)
        except (InvalidSignature, ValueError):
            return False
        return True

    def __str__(self) -> str:
        return self.to_vkey()


@dataclass(frozen=True, slots=True)
class NoteSigner:
    """A private note key. Keep the text form out of the repository (environment/secret file)."""

    name: str
    key_id: int
    private_key: Ed25519PrivateKey

    @classmethod
    def from_private_key(cls, name: str, private_key: Ed25519PrivateKey) -> NoteSigner:
        return cls(name=name, key_id=key_id(name, _raw_public(private_key.public_key())),
                   private_key=private_key)

    @classmethod
    def parse(cls, skey: str) -> NoteSigner:
        """Parse ``PRIVATE+KEY+<name>+<hex key ID>+<base64(0x01 || seed)>``."""
        private, key_word, name, hash_text, data = _parse_key_text(skey, 5)
        if (private, key_word) != ("PRIVATE", "KEY"):
            raise NoteError("not a note signer key")
        check_key_name(name)
        declared = _parse_key_hash(hash_text)
        raw = b64decode_strict(data)
        if len(raw) != 33 or raw[0] != ALG_ED25519:
            raise NoteError("unsupported key type (only Ed25519 notes are supported)")
        signer = cls.from_private_key(name, Ed25519PrivateKey.from_private_bytes(raw[1:]))
        if signer.key_id != declared:
            raise NoteError("key ID does not match the key")
        return signer

    def to_skey(self) -> str:
        seed = self.private_key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                              serialization.NoEncryption())
        return f"PRIVATE+KEY+{self.name}+{self.key_id:08x}+{b64encode(bytes([ALG_ED25519]) + seed)}"

    def verifier(self) -> NoteVerifier:
        return NoteVerifier(name=self.name, key_id=self.key_id,
                            public_key=_raw_public(self.private_key.public_key()))

    def sign(self, message: bytes) -> bytes:
        return self.private_key.sign(message)

    def __repr__(self) -> str:  # never print the private key by accident
        return f"NoteSigner(name={self.name!r}, key_id={self.key_id:08x})"


class KeyPair(NamedTuple):
    signer_key: str    # PRIVATE+KEY+... : secret
    verifier_key: str  # name+hash+key  : publish this


def generate_key(name: str) -> KeyPair:
    """Create a new Ed25519 note key named ``name`` (e.g. the log origin)."""
    check_key_name(name)
    signer = NoteSigner.from_private_key(name, Ed25519PrivateKey.generate())
    return KeyPair(signer_key=signer.to_skey(), verifier_key=signer.verifier().to_vkey())


# --------------------------------------------------------------------------------------------
# Signed notes
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NoteSignature:
    name: str
    key_id: int
    signature: bytes  # without the 4-byte key ID

    def line(self) -> str:
        return f"{EM_DASH_PREFIX}{self.name} {b64encode(struct.pack('>I', self.key_id) + self.signature)}\n"


@dataclass(frozen=True, slots=True)
class SignedNote:
    text: str
    signatures: tuple[NoteSignature, ...]

    def to_text(self) -> str:
        return self.text + "\n" + "".join(s.line() for s in self.signatures)


@dataclass(frozen=True, slots=True)
class VerifiedNote:
    text: str
    verified_by: tuple[NoteVerifier, ...]
    unverified: tuple[NoteSignature, ...]  # signatures from keys we were not given


def _check_text(text: str) -> None:
    if not text.endswith("\n"):
        raise NoteError("note text must end with a newline")
    if any(ord(ch) < 0x20 and ch != "\n" for ch in text):
        raise NoteError("note contains control characters")


def sign_note(text: str, signers: NoteSigner | Iterable[NoteSigner]) -> str:
    """Sign ``text`` (which must end with a newline and contain no blank final line)."""
    _check_text(text)
    if text.endswith("\n\n") or text == "\n":
        raise NoteError("note text must not end with a blank line")
    if isinstance(signers, NoteSigner):
        signers = [signers]
    message = text.encode("utf-8")
    signatures = tuple(NoteSignature(s.name, s.key_id, s.sign(message)) for s in signers)
    if not signatures:
        raise NoteError("at least one signer is required")
    return SignedNote(text, signatures).to_text()


def parse_note(note: str | bytes) -> SignedNote:
    """Split a signed note into text and signatures, checking the syntax only."""
    if isinstance(note, bytes):
        try:
            note = note.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise NoteError("note is not valid UTF-8") from exc
    _check_text(note)
    split = note.rfind("\n\n")
    if split < 0:
        raise NoteError("note has no signature block")
    text, block = note[: split + 1], note[split + 2 :]
    lines = block.split("\n")
    if lines[-1] != "" or len(lines) < 2:
        raise NoteError("malformed signature block")
    signatures: list[NoteSignature] = []
    for line in lines[:-1]:
        if not line.startswith(EM_DASH_PREFIX):
            raise NoteError("malformed signature line")
        name, sep, encoded = line[len(EM_DASH_PREFIX):].partition(" ")
        if not sep:
            raise NoteError("malformed signature line")
        check_key_name(name)
        raw = b64decode_strict(encoded)
        if len(raw) < 5:
            raise NoteError("signature too short")
        signatures.append(NoteSignature(name, struct.unpack(">I", raw[:4])[0], raw[4:]))
    if len(signatures) > MAX_SIGNATURES:
        raise NoteError("too many signatures")
    return SignedNote(text=text, signatures=tuple(signatures))


def open_note(note: str | bytes, verifiers: NoteVerifier | Sequence[NoteVerifier]) -> VerifiedNote:
    """Verify a signed note against trusted keys and return its text.

    Raises :class:`NoteError` if a trusted key's signature fails, or if no trusted key signed.
    """
    parsed = parse_note(note)
    if isinstance(verifiers, NoteVerifier):
        verifiers = [verifiers]
    known = {(v.name, v.key_id): v for v in verifiers}
    message = parsed.text.encode("utf-8")
    verified: list[NoteVerifier] = []
    unverified: list[NoteSignature] = []
    for sig in parsed.signatures:
        verifier = known.get((sig.name, sig.key_id))
        if verifier is None:
            unverified.append(sig)
            continue
        if not verifier.verify(message, sig.signature):
            raise NoteError(f"invalid signature by {sig.name}+{sig.key_id:08x}")
        if verifier not in verified:
            verified.append(verifier)
    if not verified:
        raise NoteError("note is not signed by any trusted key")
    return VerifiedNote(text=parsed.text, verified_by=tuple(verified), unverified=tuple(unverified))


# --------------------------------------------------------------------------------------------
# Checkpoints
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A log's tree head: origin, tree size, root hash and optional extension lines."""

    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.origin or "\n" in self.origin or any(ord(c) < 0x20 for c in self.origin):
            raise NoteError("invalid checkpoint origin")
        if self.size < 0:
            raise NoteError("negative tree size")
        if len(self.root_hash) != HASH_SIZE:
            raise NoteError("root hash must be 32 bytes")
        for line in self.extensions:
            if not line or "\n" in line or any(ord(c) < 0x20 for c in line):
                raise NoteError("invalid extension line")

    def body(self) -> str:
        lines = [self.origin, str(self.size), b64encode(self.root_hash), *self.extensions]
        return "".join(line + "\n" for line in lines)

    @classmethod
    def parse(cls, text: str) -> Checkpoint:
        if not text.endswith("\n"):
            raise NoteError("checkpoint must end with a newline")
        lines = text[:-1].split("\n")
        if len(lines) < 3:
            raise NoteError("checkpoint needs origin, size and root hash lines")
        origin, size_text, root_text, *extensions = lines
        if not size_text.isascii() or not size_text.isdigit() or (size_text != "0" and size_text[0] == "0"):
            raise NoteError("malformed tree size")
        return cls(origin=origin, size=int(size_text), root_hash=b64decode_strict(root_text),
                   extensions=tuple(extensions))

    def sign(self, signers: NoteSigner | Iterable[NoteSigner]) -> str:
        """The signed note text to publish (``checkpoint.txt``)."""
        return sign_note(self.body(), signers)


@dataclass(frozen=True, slots=True)
class VerifiedCheckpoint:
    checkpoint: Checkpoint
    verified_by: tuple[NoteVerifier, ...]
    unverified: tuple[NoteSignature, ...]


def open_checkpoint(note: str | bytes,
                    verifiers: NoteVerifier | Sequence[NoteVerifier]) -> VerifiedCheckpoint:
    """Verify a signed checkpoint and parse its body."""
    opened = open_note(note, verifiers)
    return VerifiedCheckpoint(checkpoint=Checkpoint.parse(opened.text), verified_by=opened.verified_by,
                              unverified=opened.unverified)
