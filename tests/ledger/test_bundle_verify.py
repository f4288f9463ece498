"""The offline verifier accepts a good evidence bundle and rejects any altered one."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import shutil
import subprocess
import sys
import tracemalloc
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from backend.ledgercore.bundle_format import (
    CHECKPOINT,
    MANIFEST,
    PROOFS,
    PUBLIC_KEY,
    BundleOriginal,
    ManifestFile,
    build_manifest,
    build_proofs,
    entry_path,
    iter_bundle,
    original_path,
    sha256_hex,
    write_bundle,
)
from backend.ledgercore.canonical_json import canonical_json, capture_record, capture_record_bytes
from backend.ledgercore.merkle import InMemoryNodeStore, MerkleTree
from backend.ledgercore.offline_verifier import main, verify_bundle
from backend.ledgercore.signed_note import Checkpoint, NoteSigner, generate_key

ORIGIN = "zhifa.example.gov.cn/ledger"
REPO = Path(__file__).resolve().parents[2]
CASE_ID = "9b2f6c1e-8d7a-4f3b-9c2e-1a2b3c4d5e6f"


@dataclass
class Built:
    path: Path
    verifier_key: str
    files: dict[str, bytes]   # path in zip -> original bytes


def build_bundle(tmp_path: Path, *, originals: dict[str, bytes] | None = None,
                 break_device_signature: bool = False, name: str = "bundle.zip") -> Built:
    """What the Django export will do, with the in-memory tree standing in for the database."""
    keys = generate_key(ORIGIN)
    signer = NoteSigner.parse(keys.signer_key)
    tree = MerkleTree(InMemoryNodeStore())
    entries: dict[int, bytes] = {}

    def log(value: dict) -> int:
        data = canonical_json(value)
        index = tree.append(data)
        entries[index] = data
        return index

    for i in range(5):  # other cases' events before ours
        log({"action": "case.created", "case_id": f"other-{i}", "seq": i})
    case_entries = [log({"action": "case.created", "case_id": CASE_ID, "data": {"title": "无证经营"}})]

    device_key = Ed25519PrivateKey.generate()
    device_pub = base64.b64encode(device_key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw)).decode()
    originals = originals if originals is not None else {
        "现场照片.jpg": os.urandom(50_000),
        "询问笔录.pdf": b"%PDF-1.7 " + os.urandom(3_000),
        "audio.m4a": os.urandom(20_000),
    }
    files: list[ManifestFile] = []
    contents: dict[str, bytes] = {}
    for seq, (filename, data) in enumerate(originals.items(), start=1):
        digest = sha256_hex(data)
        signed = seq != 3  # the third file came from a web upload without a device
        record = capture_record(sha256=digest, captured_at=datetime(2026, 5, 1, 8, seq, tzinfo=UTC),
                                case=CASE_ID, device="dev-001" if signed else None,
                                latitude=43.8868 if signed else None, longitude=125.3245 if signed else None)
        entry = {"action": "evidence.recorded", "case_id": CASE_ID,
                 "data": {"capture_record": record, "filename": filename}}
        index = log(entry)
        case_entries.append(index)
        signature = None
        if signed:
            message = capture_record_bytes(**record)
            if break_device_signature and seq == 1:
                message += b" "
            signature = base64.b64encode(device_key.sign(message)).decode()
        path = original_path(seq, filename)
        contents[path] = data
        files.append(ManifestFile(path=path, sha256=digest, size=len(data), log_index=index, log_entry=entry,
                                  capture_record=record, device_signature=signature,
                                  device_public_key=device_pub if signed else None))
        log({"action": "other.noise", "n": seq})  # interleaved events of other cases
    case_entries.append(log({"action": "case.transition", "case_id": CASE_ID, "data": {"to": "in_review"}}))

    manifest = build_manifest(case={"id": CASE_ID, "number": "辽市监罚〔2026〕17号"}, log_origin=ORIGIN,
                              files=files, entry_indexes=case_entries,
                              created_at=datetime(2026, 5, 2, tzinfo=UTC))
    export_index = log({"action": "bundle.exported", "case_id": CASE_ID,
                        "data": {"manifest_sha256": sha256_hex(manifest)}})
    log({"action": "other.after", "n": 1})
    note = Checkpoint(origin=ORIGIN, size=tree.size, root_hash=tree.root()).sign(signer)
    included = [*case_entries, export_index]
    proofs = build_proofs(tree_size=tree.size, root_hash=tree.root(), manifest_entry_index=export_index,
                          proofs={i: (hashlib.sha256(b"\x00" + entries[i]).digest(), tree.inclusion_proof(i))
                                  for i in included})
    path = tmp_path / name
    write_bundle(path, manifest=manifest, entries=[(i, entries[i]) for i in included], proofs=proofs,
                 checkpoint=note, log_public_key=keys.verifier_key,
                 originals=[BundleOriginal(p, (lambda d=d: io.BytesIO(d))) for p, d in contents.items()])
    return Built(path=path, verifier_key=keys.verifier_key, files=contents)


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return build_bundle(tmp_path_factory.mktemp("bundle"))


def rewrite_member(src: Path, dest: Path, member: str, position: int, flip: int) -> None:
    """Rebuild the archive cleanly (valid CRCs), with one byte of one member changed."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == member:
                changed = bytearray(data)
                changed[position % len(changed)] ^= flip
                data = bytes(changed)
            zout.writestr(info, data)


def positions(length: int) -> list[int]:
    return sorted({0, 1, length // 7, length // 3, length // 2, 2 * length // 3, length - 2, length - 1})


# --------------------------------------------------------------------------------------------
# Good bundles
# --------------------------------------------------------------------------------------------


def test_a_good_bundle_verifies_with_the_published_key(good: Built):
    report = verify_bundle(good.path, trusted_keys=[good.verifier_key])
    assert report.ok, report.render()
    assert len(report.files) == 3 and all(f.ok for f in report.files)
    assert len(report.entries) == 6  # case creation, 3 evidence records, transition, export
    assert not report.warnings
    text = report.render()
    assert "结论 VERDICT: 通过 OK" in text
    assert "设备签名有效" in text and "无设备签名" in text


def test_without_key_it_verifies_but_warns_that_the_key_was_not_independent(good: Built):
    report = verify_bundle(good.path)
    assert report.ok
    assert any("--key" in w for w in report.warnings)


def test_the_command_line_exits_0_for_good_and_1_for_bad(good: Built, tmp_path: Path, capsys):
    assert main([str(good.path), "--key", good.verifier_key]) == 0
    assert "通过 OK" in capsys.readouterr().out
    other_key = generate_key(ORIGIN).verifier_key
    assert main([str(good.path), "--key", other_key]) == 1
    assert "未由您提供的公钥" in capsys.readouterr().out
    key_file = tmp_path / "key.txt"
    key_file.write_text(good.verifier_key + "\n")
    assert main([str(good.path), "--key", str(key_file)]) == 0


def test_python_dash_m_runs_without_django(good: Built):
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    probe = ("import sys, backend.ledgercore.offline_verifier, backend.ledgercore.bundle_format; "
             "assert not any(m == 'django' or m.startswith('django.') for m in sys.modules), 'django imported'")
    subprocess.run([sys.executable, "-c", probe], check=True, env=env, cwd=REPO)
    done = subprocess.run([sys.executable, "-m", "backend.ledgercore.offline_verifier", str(good.path), "--key",
                           good.verifier_key], env=env, cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_streamed_chunks_form_a_valid_bundle(tmp_path: Path):
    built = build_bundle(tmp_path, name="a.zip")
    # Re-stream the same content through iter_bundle and check the result verifies too.
    with zipfile.ZipFile(built.path) as zf:
        members = {i.filename: zf.read(i) for i in zf.infolist()}
    entries = [(int(n.split("/")[1].split(".")[0]), d) for n, d in members.items() if n.startswith("entries/")]
    chunks = list(iter_bundle(manifest=members[MANIFEST], entries=entries, proofs=members[PROOFS],
                              checkpoint=members[CHECKPOINT].decode(), log_public_key=members[PUBLIC_KEY].decode(),
                              originals=[BundleOriginal(p, io.BytesIO(members[p])) for p in built.files],
                              chunk_size=4096))
    assert len(chunks) > 10 and max(len(c) for c in chunks) < 64 * 1024
    streamed = tmp_path / "streamed.zip"
    streamed.write_bytes(b"".join(chunks))
    assert verify_bundle(streamed, trusted_keys=[built.verifier_key]).ok


def test_large_originals_are_streamed_in_constant_memory(tmp_path: Path):
    size = 24 << 20

    class Pattern(io.RawIOBase):
        """A 24 MiB file that never exists in memory."""

        def __init__(self) -> None:
            self.left = size

        def readable(self) -> bool:
            return True

        def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
            n = min(len(buffer), self.left)
            buffer[:n] = bytes([self.left % 251]) * n
            self.left -= n
            return n

    digest = hashlib.sha256()
    stream = Pattern()
    while chunk := stream.read(1 << 20):
        digest.update(chunk)

    class NonSeekable:
        def __init__(self, fp) -> None:  # type: ignore[no-untyped-def]
            self.fp = fp

        def write(self, data: bytes) -> int:
            return self.fp.write(data)

        def flush(self) -> None:
            self.fp.flush()

    keys = generate_key(ORIGIN)
    tree = MerkleTree(InMemoryNodeStore())
    path = original_path(1, "big.mp4")
    entry = {"action": "evidence.recorded", "data": {"sha256": digest.hexdigest()}}
    index = tree.append(canonical_json(entry))
    files = [ManifestFile(path=path, sha256=digest.hexdigest(), size=size, log_index=index, log_entry=entry)]
    manifest = build_manifest(case={"id": "x"}, log_origin=ORIGIN, files=files, entry_indexes=[index])
    export = {"action": "bundle.exported", "data": {"manifest_sha256": sha256_hex(manifest)}}
    export_index = tree.append(canonical_json(export))
    proofs = build_proofs(tree_size=tree.size, root_hash=tree.root(), manifest_entry_index=export_index,
                          proofs={i: (tree.leaf_hash_at(i), tree.inclusion_proof(i)) for i in (index, export_index)})
    note = Checkpoint(ORIGIN, tree.size, tree.root()).sign(NoteSigner.parse(keys.signer_key))
    bundle = tmp_path / "big.zip"
    tracemalloc.start()
    with bundle.open("wb") as raw:
        write_bundle(NonSeekable(raw), manifest=manifest,
                     entries=[(index, canonical_json(entry)), (export_index, canonical_json(export))],
                     proofs=proofs, checkpoint=note, log_public_key=keys.verifier_key,
                     originals=[BundleOriginal(path, Pattern)])
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 8 << 20, f"peak {peak} bytes"
    report = verify_bundle(bundle, trusted_keys=[keys.verifier_key])
    assert report.ok, report.render()


# --------------------------------------------------------------------------------------------
# Altered bundles
# --------------------------------------------------------------------------------------------


def members_to_alter(good: Built) -> list[str]:
    return [*good.files, MANIFEST, entry_path(5), entry_path(6), PROOFS, CHECKPOINT, PUBLIC_KEY]


@pytest.mark.parametrize("flip", [0x01, 0x20, 0x80])
def test_any_changed_byte_in_any_member_is_rejected(good: Built, tmp_path: Path, flip: int):
    with zipfile.ZipFile(good.path) as zf:
        sizes = {i.filename: i.file_size for i in zf.infolist()}
    checked = 0
    for member in members_to_alter(good):
        for position in positions(sizes[member]):
            altered = tmp_path / "altered.zip"
            rewrite_member(good.path, altered, member, position, flip)
            report = verify_bundle(altered, trusted_keys=[good.verifier_key])
            assert not report.ok, f"{member}[{position}] ^ {flip:#x} was accepted"
            assert main([str(altered), "--key", good.verifier_key]) == 1
            checked += 1
    assert checked >= 60


def test_a_changed_original_is_named_in_the_verdict(good: Built, tmp_path: Path):
    target = next(iter(good.files))
    altered = tmp_path / "altered.zip"
    rewrite_member(good.path, altered, target, 1000, 0x01)
    report = verify_bundle(altered, trusted_keys=[good.verifier_key])
    bad = [f for f in report.files if not f.ok]
    assert [f.subject for f in bad] == [target]
    assert any("哈希不一致" in n for n in bad[0].notes)
    assert report.manifest_verdict.ok and report.checkpoint_verdict.ok


def test_raw_byte_flips_inside_the_archive_are_rejected(good: Built, tmp_path: Path):
    data = good.path.read_bytes()
    with zipfile.ZipFile(good.path) as zf:
        infos = zf.infolist()
    for info in infos:
        # Data starts after the 30-byte local header, the name and the extra field.
        name_len = int.from_bytes(data[info.header_offset + 26: info.header_offset + 28], "little")
        extra_len = int.from_bytes(data[info.header_offset + 28: info.header_offset + 30], "little")
        start = info.header_offset + 30 + name_len + extra_len
        for position in positions(info.compress_size):
            altered = bytearray(data)
            altered[start + position] ^= 0x04
            path = tmp_path / "raw.zip"
            path.write_bytes(altered)
            assert not verify_bundle(path, trusted_keys=[good.verifier_key]).ok, (info.filename, position)


def test_a_replaced_original_with_a_matching_manifest_edit_is_still_rejected(good: Built, tmp_path: Path):
    """The forger swaps a photo and updates the manifest's hash and size: the log catches it."""
    target = next(iter(good.files))
    forged_bytes = b"forged photo"
    with zipfile.ZipFile(good.path) as zin:
        manifest = zin.read(MANIFEST).decode()
        original_sha = sha256_hex(good.files[target])
        manifest = manifest.replace(original_sha, sha256_hex(forged_bytes))
        altered = tmp_path / "forged.zip"
        with zipfile.ZipFile(altered, "w") as zout:
            for info in zin.infolist():
                data = zin.read(info)
                if info.filename == MANIFEST:
                    data = manifest.encode()
                elif info.filename == target:
                    data = forged_bytes
                zout.writestr(info, data)
    report = verify_bundle(altered, trusted_keys=[good.verifier_key])
    assert not report.ok
    assert not report.manifest_verdict.ok
    assert not next(f for f in report.files if f.subject == target).ok


def test_extra_or_missing_members_are_rejected(good: Built, tmp_path: Path):
    extra = tmp_path / "extra.zip"
    with zipfile.ZipFile(good.path) as zin, zipfile.ZipFile(extra, "w") as zout:
        for info in zin.infolist():
            zout.writestr(info, zin.read(info))
        zout.writestr("originals/9999-planted.jpg", b"not in the manifest")
    assert not verify_bundle(extra, trusted_keys=[good.verifier_key]).ok
    for dropped in (next(iter(good.files)), entry_path(6), CHECKPOINT):
        missing = tmp_path / "missing.zip"
        with zipfile.ZipFile(good.path) as zin, zipfile.ZipFile(missing, "w") as zout:
            for info in zin.infolist():
                if info.filename != dropped:
                    zout.writestr(info, zin.read(info))
        assert not verify_bundle(missing, trusted_keys=[good.verifier_key]).ok, dropped


def test_an_invalid_device_signature_fails_that_file_only(tmp_path: Path):
    built = build_bundle(tmp_path, break_device_signature=True)
    report = verify_bundle(built.path, trusted_keys=[built.verifier_key])
    assert not report.ok
    bad = [f for f in report.files if not f.ok]
    assert len(bad) == 1 and any("设备签名无效" in n for n in bad[0].notes)


def test_not_a_zip_is_a_clean_failure(tmp_path: Path):
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"PK\x03\x04 nonsense")
    report = verify_bundle(junk)
    assert not report.ok and report.problems
    assert "不通过 FAIL" in report.render()


def test_original_paths_are_sanitised():
    assert original_path(1, "../../etc/passwd") == "originals/0001-passwd"
    assert original_path(2, "C:\\Users\\x\\现场 照片.JPG") == "originals/0002-现场_照片.JPG"
    assert original_path(3, "...") == "originals/0003-file"
    assert len(original_path(4, "a" * 300 + ".mp4")) <= len("originals/0004-") + 100


@pytest.mark.slow
def test_the_verifier_installs_without_django_in_a_fresh_environment(good: Built, tmp_path: Path):
    """api_docs/verification.md §1: ``pip install ./zhifa-jilu`` gives a court the verifier on any supported
    Python; the package alone pulls no Django (the server is the ``server`` extra)."""
    source = tmp_path / "zhifa-jilu"  # the source package handed over with a bundle (no build litter in the repo)
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        (source / name).write_bytes((REPO / name).read_bytes())
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("backend", "media_pipeline"):
        shutil.copytree(REPO / name, source / name, ignore=ignore)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    env = {key: value for key, value in os.environ.items() if key not in ("DJANGO_SETTINGS_MODULE", "PYTHONPATH")}
    installed = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", str(source)], env=env, cwd=tmp_path, capture_output=True, text=True
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr
    probe = subprocess.run(
        [str(python), "-c", "import importlib.util as u; print(u.find_spec('django'), u.find_spec('rest_framework'))"],
        env=env, cwd=tmp_path, capture_output=True, text=True, check=True,
    )
    assert probe.stdout.split() == ["None", "None"]
    done = subprocess.run(
        [str(venv / "bin" / "zhifa-verify"), str(good.path), "--key", good.verifier_key],
        env=env, cwd=tmp_path, capture_output=True, text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "通过 OK" in done.stdout.splitlines()[-1]
