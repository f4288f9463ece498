"""Offline verifier for evidence bundles: ``zhifa-verify bundle.zip [--key KEY]``.

Needs no server, no database and no network; only the Python standard library plus
``cryptography``, ``rfc8785`` and, for a bundle that carries a trusted timestamp, ``rfc3161-client``.
It never extracts the archive to disk: every member is read as a stream, so a multi-GB bundle is
checked in constant memory.

What is checked (format: ``backend/ledgercore/bundle_format.py``; for readers: ``api_docs/verification.md``):

1. the checkpoint (signed tree head) carries a valid Ed25519 signature by the log key in the
   bundle and, with ``--key``, by the key the reader obtained independently (the agency's
   published key) -- without ``--key`` the result is only as trustworthy as the bundle itself;
   when the bundle carries ``checkpoint.tsr``, it must be an RFC 3161 timestamp over exactly that
   checkpoint (SHA-256 message imprint); its signature and certificate chain are checked against the
   TSA root certificates given with ``--tsa-roots`` (without them only the imprint is checked);
2. every log entry in ``entries/`` is canonical JSON and its inclusion proof leads to the
   checkpoint's root hash;
3. the manifest's SHA-256 appears in the export entry, so the manifest is what was exported;
4. for every original: the SHA-256 and size recomputed from the bytes equal the manifest, the
   SHA-256 appears in the file's proven log entry, the capture record names the same SHA-256,
   and the device signature (if any) verifies over the canonical capture record;
5. nothing else is in the archive.

Exit code 0 when everything verifies, 1 otherwise (2 for usage errors).

This module must not import Django.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import hashlib
import sys
import zipfile
import zlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeGuard

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from backend.ledgercore import bundle_format as fmt
from backend.ledgercore.canonical_json import (
    CanonicalizationError,
    canonical_json,
    capture_record_bytes_from_mapping,
    parse_canonical,
    parse_json_strict,
)
from backend.ledgercore.merkle import leaf_hash, verify_inclusion
from backend.ledgercore.signed_note import Checkpoint, NoteError, NoteVerifier, open_checkpoint

OK = "通过 OK"
NO_KEY_WARNING = (
    "未使用 --key：仅用包内公钥核验了检查点签名。请从执法机关公布的页面独立获取日志公钥，并用 --key 再次核验 "
    "(no --key given: the checkpoint was checked only against the key inside the bundle; "
    "obtain the agency's published key and re-run with --key)"
)
NO_TSA_ROOTS_WARNING = (
    "未使用 --tsa-roots：可信时间戳只核对了它确实针对本检查点，未核验时间戳机构的签名和证书链。请取得该机构的根证书，"
    "并用 --tsa-roots 再次核验 (no --tsa-roots given: the timestamp was checked to cover this checkpoint, but "
    "not the authority's signature and certificate chain; obtain the TSA's root certificate and re-run with "
    "--tsa-roots)"
)
FAIL = "不通过 FAIL"
WARN = "注意 WARNING"


@dataclass
class Verdict:
    """The outcome for one subject (a file, a log entry, the manifest, the checkpoint)."""

    subject: str
    ok: bool = True
    notes: list[str] = field(default_factory=list)

    def fail(self, message: str) -> None:
        self.ok = False
        self.notes.append(message)

    def note(self, message: str) -> None:
        self.notes.append(message)


@dataclass
class Report:
    bundle: str
    checkpoint: Checkpoint | None = None
    checkpoint_verdict: Verdict = field(default_factory=lambda: Verdict("检查点签名 checkpoint signature"))
    timestamp_verdict: Verdict | None = None  # only when the bundle carries checkpoint.tsr
    manifest_verdict: Verdict = field(default_factory=lambda: Verdict("清单 manifest.json"))
    entries: list[Verdict] = field(default_factory=list)
    files: list[Verdict] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)   # bundle-level failures
    warnings: list[str] = field(default_factory=list)   # do not change the verdict
    case: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return (not self.problems and self.checkpoint_verdict.ok and self.manifest_verdict.ok
                and (self.timestamp_verdict is None or self.timestamp_verdict.ok)
                and all(v.ok for v in self.entries) and all(v.ok for v in self.files))

    def render(self) -> str:
        out: list[str] = []
        out.append("执法记录 证据包离线核验报告 / Evidence bundle offline verification report")
        out.append(f"证据包 Bundle: {self.bundle}")
        if self.case:
            out.append("案件 Case: " + ", ".join(f"{k}={v}" for k, v in sorted(self.case.items())))
        if self.checkpoint is not None:
            cp = self.checkpoint
            out.append(f"日志 Log: {cp.origin}  树大小 tree size: {cp.size}")
            out.append(f"根哈希 root hash: {cp.root_hash.hex()}")
            for line in cp.extensions:
                out.append(f"  检查点扩展行 extension: {line}")
        out.append("")
        for verdict in (self.checkpoint_verdict, self.timestamp_verdict, self.manifest_verdict):
            if verdict is not None:
                out.extend(_render_verdict(verdict))
        good = sum(v.ok for v in self.entries)
        out.append(f"[{OK if good == len(self.entries) else FAIL}] 日志记录 log entries: "
                   f"{good}/{len(self.entries)} 条包含证明有效 inclusion proofs valid")
        for verdict in self.entries:
            if not verdict.ok:
                out.extend("  " + line for line in _render_verdict(verdict))
        out.append("")
        out.append(f"文件 Files ({len(self.files)}):")
        for verdict in self.files:
            out.extend("  " + line for line in _render_verdict(verdict))
        if self.problems:
            out.append("")
            out.append("问题 Problems:")
            out.extend(f"  - {p}" for p in self.problems)
        if self.warnings:
            out.append("")
            out.append("提示 Warnings:")
            out.extend(f"  - {w}" for w in self.warnings)
        out.append("")
        if self.ok:
            out.append(f"结论 VERDICT: {OK} —— 全部 {len(self.files)} 个文件及其记录自记录以来未被改动 "
                       "(all files and records are exactly as recorded in the signed log)")
        else:
            out.append(f"结论 VERDICT: {FAIL} —— 证据包未通过核验，内容可能被改动或损坏 "
                       "(the bundle does NOT verify: content was altered or damaged)")
        return "\n".join(out) + "\n"


def _render_verdict(verdict: Verdict) -> list[str]:
    lines = [f"[{OK if verdict.ok else FAIL}] {verdict.subject}"]
    lines.extend(f"      - {n}" for n in verdict.notes)
    return lines


# --------------------------------------------------------------------------------------------
# Reading helpers
# --------------------------------------------------------------------------------------------


class _BundleError(Exception):
    pass


def _read_small(zf: zipfile.ZipFile, name: str, limit: int) -> bytes:
    try:
        info = zf.getinfo(name)
    except KeyError:
        raise _BundleError(f"缺少 {name} (missing {name})") from None
    if info.file_size > limit:
        raise _BundleError(f"{name} 过大 (too large: {info.file_size} bytes)")
    try:
        with zf.open(info) as member:
            data = member.read(limit + 1)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as exc:
        raise _BundleError(f"{name} 已损坏 (damaged: {exc})") from exc
    if len(data) > limit:
        raise _BundleError(f"{name} 过大 (too large)")
    return data


def _hash_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with zf.open(info) as member:
        while chunk := member.read(fmt.CHUNK_SIZE):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _contains_string(value: Any, needle: str) -> bool:
    if isinstance(value, str):
        return value == needle
    if isinstance(value, dict):
        return any(_contains_string(v, needle) for v in value.values())
    if isinstance(value, list):
        return any(_contains_string(v, needle) for v in value)
    return False


def _hex32(text: Any) -> bytes:
    if not isinstance(text, str) or len(text) != 64:
        raise ValueError("not a 32-byte hex hash")
    raw = bytes.fromhex(text)
    if raw.hex() != text:
        raise ValueError("hash must be lowercase hex")
    return raw


def _is_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _key_label(key: NoteVerifier) -> str:
    return f"{key.name}+{key.key_id:08x}"


def _load_key(text: str) -> NoteVerifier:
    candidate = Path(text)
    try:
        if candidate.is_file():
            text = candidate.read_text(encoding="utf-8")
    except OSError:
        pass
    return NoteVerifier.parse(text.strip())


# --------------------------------------------------------------------------------------------
# Verification
# --------------------------------------------------------------------------------------------


def verify_bundle(
    path: str | Path, *, trusted_keys: Sequence[str | NoteVerifier] = (), tsa_roots: Sequence[str | Path] = ()
) -> Report:
    """Verify a bundle; never raises for bad bundles (the report says what is wrong). ``tsa_roots``: PEM
    files of the time-stamping authorities' root certificates the reader trusts."""
    report = Report(bundle=str(path))
    try:
        with zipfile.ZipFile(path) as zf:
            _verify(zf, report, trusted_keys, tsa_roots)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as exc:
        report.problems.append(f"无法读取压缩包 (cannot read the archive: {exc})")
    except _BundleError as exc:
        report.problems.append(str(exc))
    except Exception as exc:  # a malformed bundle must yield a FAIL verdict, never a traceback
        report.problems.append(f"核验时出错 (error while verifying: {type(exc).__name__}: {exc})")
    return report


def _verify(
    zf: zipfile.ZipFile, report: Report, trusted_keys: Sequence[str | NoteVerifier], tsa_roots: Sequence[str | Path]
) -> None:
    names = [i.filename for i in zf.infolist()]
    duplicates = sorted(n for n, c in Counter(names).items() if c > 1)
    if duplicates:
        report.problems.append(f"压缩包内有重名文件 (duplicate members): {duplicates}")

    # 1. Keys and checkpoint --------------------------------------------------------------
    cp_verdict = report.checkpoint_verdict
    try:
        key_text = _read_small(zf, fmt.PUBLIC_KEY, fmt.MAX_KEY_SIZE).decode("utf-8")
        bundled_key = NoteVerifier.parse(key_text.strip())
        if key_text != bundled_key.to_vkey() + "\n":
            raise NoteError("unexpected characters around the key")
    except (NoteError, UnicodeDecodeError) as exc:
        raise _BundleError(f"{fmt.PUBLIC_KEY} 无效 (invalid log key: {exc})") from exc
    note = _read_small(zf, fmt.CHECKPOINT, fmt.MAX_CHECKPOINT_SIZE)
    checkpoint: Checkpoint | None = None
    try:
        checkpoint = open_checkpoint(note, bundled_key).checkpoint
        cp_verdict.note(f"由包内日志公钥签名 signed by the bundled log key {_key_label(bundled_key)}")
    except NoteError as exc:
        cp_verdict.fail(f"包内公钥核验失败 (not validly signed by the bundled key: {exc})")
    if trusted_keys:
        for key in trusted_keys:
            try:
                verifier = key if isinstance(key, NoteVerifier) else _load_key(key)
            except NoteError as exc:
                cp_verdict.fail(f"--key 无法解析 (cannot parse --key: {exc})")
                continue
            try:
                checkpoint = open_checkpoint(note, verifier).checkpoint
                cp_verdict.note(f"由您提供的公钥签名 signed by the key you supplied {_key_label(verifier)}")
            except NoteError as exc:
                cp_verdict.fail(f"未由您提供的公钥 {_key_label(verifier)} 签名 "
                                f"(not signed by the key you supplied: {exc})")
    else:
        report.warnings.append(NO_KEY_WARNING)
    if checkpoint is None:
        cp_verdict.ok = False
    report.checkpoint = checkpoint
    if checkpoint is not None and checkpoint.origin != bundled_key.name:
        report.warnings.append(f"检查点来源 {checkpoint.origin!r} 与密钥名 {bundled_key.name!r} 不同 "
                               "(checkpoint origin differs from the key name)")
    if fmt.CHECKPOINT_TIMESTAMP in names:
        report.timestamp_verdict = _verify_timestamp(
            _read_small(zf, fmt.CHECKPOINT_TIMESTAMP, fmt.MAX_TIMESTAMP_SIZE), note, tsa_roots, report
        )

    # 2. Proofs ---------------------------------------------------------------------------
    try:
        proofs_bytes = _read_small(zf, fmt.PROOFS, fmt.MAX_SMALL_MEMBER)
        proofs_doc = parse_json_strict(proofs_bytes)
        if fmt.dump_json(proofs_doc) != proofs_bytes:
            # Proofs are not covered by a hash, so insist on the exact form the exporter writes:
            # even a harmless-looking edit is reported rather than silently accepted.
            raise ValueError("not in the exact form the exporter writes (the file was edited)")
        if proofs_doc.get("format") != fmt.FORMAT:
            raise ValueError(f"unknown format {proofs_doc.get('format')!r}")
        tree_size = proofs_doc["tree_size"]
        proof_root = _hex32(proofs_doc["root_hash"])
        manifest_entry_index = proofs_doc["manifest_entry_index"]
        if not (_is_int(tree_size) and _is_int(manifest_entry_index)):
            raise ValueError("tree_size and manifest_entry_index must be non-negative integers")
        proofs: dict[int, tuple[bytes, list[bytes]]] = {}
        for item in proofs_doc["inclusion"]:
            index = item["index"]
            if not _is_int(index) or index in proofs:
                raise ValueError(f"bad or repeated index {index!r}")
            proofs[index] = (_hex32(item["leaf_hash"]), [_hex32(h) for h in item["path"]])
    except (CanonicalizationError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise _BundleError(f"{fmt.PROOFS} 无效 (invalid proofs file: {exc})") from exc
    if checkpoint is not None and (tree_size != checkpoint.size or proof_root != checkpoint.root_hash):
        report.problems.append("proofs.json 的树大小或根哈希与检查点不一致 "
                               "(proofs.json tree size/root differ from the checkpoint)")
    root = checkpoint.root_hash if checkpoint is not None else None
    size = checkpoint.size if checkpoint is not None else tree_size

    # 3. Manifest -------------------------------------------------------------------------
    manifest_bytes = _read_small(zf, fmt.MANIFEST, fmt.MAX_SMALL_MEMBER)
    manifest_sha = hashlib.sha256(manifest_bytes).hexdigest()
    try:
        manifest = parse_json_strict(manifest_bytes)
        if manifest.get("format") != fmt.FORMAT:
            raise ValueError(f"unknown format {manifest.get('format')!r}")
        files = manifest["files"]
        listed_entries = manifest["entries"]
        if not isinstance(files, list) or not isinstance(listed_entries, list):
            raise ValueError("files and entries must be lists")
        report.case = {str(k): v for k, v in manifest.get("case", {}).items()
                       if isinstance(v, str | int) and not isinstance(v, bool)}
    except (CanonicalizationError, ValueError, KeyError, TypeError, AttributeError) as exc:
        report.manifest_verdict.fail(f"清单无法解析 (manifest is not valid: {exc})")
        raise _BundleError("清单已损坏，无法继续核验 (manifest damaged; cannot continue)") from exc
    report.manifest_verdict.note(f"SHA-256 {manifest_sha}")

    # 4. Entries --------------------------------------------------------------------------
    entry_indexes: set[int] = set()
    for item in listed_entries:
        index = item.get("index") if isinstance(item, dict) else None
        if not _is_int(index) or item.get("path") != fmt.entry_path(index):
            report.manifest_verdict.fail(f"清单中的日志记录条目无效 (bad entry listing {item!r})")
            continue
        entry_indexes.add(index)
    entry_indexes.add(manifest_entry_index)
    proven: dict[int, Any] = {}  # index -> parsed entry, for entries whose proof verified
    entry_bytes: dict[int, bytes] = {}
    for index in sorted(entry_indexes):
        verdict = Verdict(f"日志序号 {index} log entry #{index} ({fmt.entry_path(index)})")
        report.entries.append(verdict)
        try:
            data = _read_small(zf, fmt.entry_path(index), fmt.MAX_SMALL_MEMBER)
        except _BundleError as exc:
            verdict.fail(str(exc))
            continue
        entry_bytes[index] = data
        try:
            value = parse_canonical(data)
        except CanonicalizationError as exc:
            verdict.fail(f"不是规范 JSON (not canonical JSON: {exc})")
            continue
        if index not in proofs:
            verdict.fail("缺少包含证明 (no inclusion proof)")
            continue
        leaf = leaf_hash(data)
        claimed_leaf, path = proofs[index]
        if claimed_leaf != leaf:
            verdict.fail("记录内容与证明中的叶哈希不一致 (entry does not match the proof's leaf hash)")
            continue
        if root is None:
            verdict.fail("检查点无效，无法核验包含证明 (no valid checkpoint to check against)")
            continue
        if not verify_inclusion(leaf, index, size, path, root):
            verdict.fail("包含证明无效 (inclusion proof does not lead to the signed root)")
            continue
        proven[index] = value

    # 5. Manifest authenticity ------------------------------------------------------------
    if manifest_entry_index not in proven:
        report.manifest_verdict.fail(f"导出记录（日志序号 {manifest_entry_index}）未通过核验 "
                                     "(the export entry is not proven)")
    elif not _contains_string(proven[manifest_entry_index], manifest_sha):
        report.manifest_verdict.fail("清单的 SHA-256 与导出记录不一致：清单在导出后被改动 "
                                     "(manifest hash not in the export entry: the manifest was altered)")
    else:
        report.manifest_verdict.note(f"记录于日志序号 {manifest_entry_index} 的导出记录 "
                                     f"(recorded in export entry #{manifest_entry_index})")

    # 6. Files ----------------------------------------------------------------------------
    expected_members = {fmt.MANIFEST, fmt.PROOFS, fmt.CHECKPOINT, fmt.PUBLIC_KEY}
    if report.timestamp_verdict is not None:
        expected_members.add(fmt.CHECKPOINT_TIMESTAMP)
    expected_members.update(fmt.entry_path(i) for i in entry_indexes)
    for item in files:
        _verify_file(zf, item, report, proven, entry_bytes, expected_members)

    # 7. Anything else --------------------------------------------------------------------
    extra = sorted(n for n in set(names) - expected_members if not n.endswith("/"))
    if extra:
        report.problems.append(f"压缩包内有清单未列出的文件 (members not covered by the manifest): {extra}")


def _verify_timestamp(token: bytes, note: bytes, tsa_roots: Sequence[str | Path], report: Report) -> Verdict:
    """``checkpoint.tsr``: an RFC 3161 response granted over exactly ``note`` (SHA-256 imprint), signed by a
    time-stamping authority that chains to a root the reader trusts."""
    verdict = Verdict(f"可信时间戳 RFC 3161 timestamp ({fmt.CHECKPOINT_TIMESTAMP})")
    try:
        from rfc3161_client import (
            PKIStatus,
            VerificationError,
            VerifierBuilder,
            decode_timestamp_response,
        )
        from rfc3161_client.tsp import MessageImprint
    except ImportError:
        report.warnings.append("未安装 rfc3161-client，未核验可信时间戳 (rfc3161-client is not installed: the "
                               "timestamp was not checked)")
        verdict.note("未核验 (not checked)")
        return verdict
    try:
        response = decode_timestamp_response(token)
        granted = PKIStatus(response.status) in (PKIStatus.GRANTED, PKIStatus.GRANTED_WITH_MODS)
        imprint: MessageImprint = response.tst_info.message_imprint
        gen_time = response.tst_info.gen_time
    except (ValueError, TypeError) as exc:
        verdict.fail(f"不是有效的 RFC 3161 时间戳 (not an RFC 3161 timestamp response: {exc})")
        return verdict
    if not granted:
        verdict.fail(f"时间戳机构未授予 (the TSA did not grant it: status {response.status})")
        return verdict
    # The imprint must be this checkpoint's SHA-256 (another algorithm's digest cannot equal it).
    if imprint.message != hashlib.sha256(note).digest():
        verdict.fail("时间戳针对的不是本检查点 (the timestamp covers a different document than checkpoint.txt)")
        return verdict
    verdict.note(f"针对本检查点，时间 {gen_time.isoformat()} (covers this checkpoint; time of stamping)")
    if not tsa_roots:
        report.warnings.append(NO_TSA_ROOTS_WARNING)
        return verdict
    try:
        from cryptography import x509

        roots = [cert for path in tsa_roots for cert in x509.load_pem_x509_certificates(Path(path).read_bytes())]
    except (OSError, ValueError) as exc:
        verdict.fail(f"--tsa-roots 无法读取 (cannot read --tsa-roots: {exc})")
        return verdict
    builder = VerifierBuilder()
    for root in roots:
        builder = builder.add_root_certificate(root)
    try:
        builder.build().verify_message(response, note)
    except VerificationError as exc:
        verdict.fail(f"时间戳签名或证书链无效 (signature or certificate chain does not verify: {exc})")
        return verdict
    verdict.note("签名及证书链经您信任的根证书核验有效 (signature and chain valid up to a root you trust)")
    return verdict


def _verify_file(zf: zipfile.ZipFile, item: Any, report: Report, proven: dict[int, Any],
                 entry_bytes: dict[int, bytes], expected_members: set[str]) -> None:
    path = item.get("path") if isinstance(item, dict) else None
    verdict = Verdict(str(path))
    report.files.append(verdict)
    if not isinstance(path, str) or not path.startswith(fmt.ORIGINALS_DIR):
        verdict.fail("清单中的文件条目无效 (bad file entry in the manifest)")
        return
    expected_members.add(path)
    recorded_sha = item.get("sha256")
    recorded_size = item.get("size")
    log_index = item.get("log_index")
    if not isinstance(recorded_sha, str) or not _is_int(recorded_size) or not _is_int(log_index):
        verdict.fail("清单中的文件条目不完整 (incomplete file entry in the manifest)")
        return

    # Bytes -> hash
    try:
        actual_sha, actual_size = _hash_member(zf, zf.getinfo(path))
    except KeyError:
        verdict.fail("证据包中缺少该文件 (file missing from the bundle)")
        return
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as exc:
        verdict.fail(f"文件数据已损坏 (file data damaged: {exc})")
        return
    verdict.note(f"SHA-256 {actual_sha}, {actual_size} 字节 bytes")
    if actual_sha != recorded_sha:
        verdict.fail(f"哈希不一致：记录 {recorded_sha}，实际 {actual_sha} (hash mismatch: file was altered)")
    if actual_size != recorded_size:
        verdict.fail(f"大小不一致：记录 {recorded_size}，实际 {actual_size} (size mismatch)")

    # Hash -> log
    if log_index not in proven:
        verdict.fail(f"其日志记录（序号 {log_index}）未通过核验 (its log entry #{log_index} is not proven)")
    else:
        entry = proven[log_index]
        try:
            same = canonical_json(item.get("log_entry")) == entry_bytes[log_index]
        except CanonicalizationError:
            same = False
        if not same:
            verdict.fail("清单中的日志记录与 entries/ 中的不一致 "
                         "(manifest log_entry differs from the entry file)")
        if _contains_string(entry, actual_sha):
            verdict.note(f"哈希记录于日志序号 {log_index}，包含证明有效 "
                         f"(hash recorded in log entry #{log_index}, inclusion proven)")
        else:
            verdict.fail(f"日志序号 {log_index} 的记录未包含该文件的哈希 "
                         "(the log entry does not record this file's hash)")

    # Capture record and device signature
    record = item.get("capture_record")
    signature = item.get("device_signature")
    public_key = item.get("device_public_key")
    if record is None:
        if signature is not None:
            verdict.fail("有设备签名但无采集记录 (device signature without a capture record)")
        return
    if not isinstance(record, dict) or record.get("sha256") != recorded_sha:
        verdict.fail("采集记录中的哈希与文件不一致 (capture record names a different hash)")
        return
    if signature is None and public_key is None:
        verdict.note("无设备签名 (no device signature)")
        return
    try:
        message = capture_record_bytes_from_mapping(record)
        raw_key = base64.b64decode(str(public_key), validate=True)
        raw_sig = base64.b64decode(str(signature), validate=True)
        Ed25519PublicKey.from_public_bytes(raw_key).verify(raw_sig, message)
    except (CanonicalizationError, binascii.Error, ValueError, InvalidSignature):
        verdict.fail("设备签名无效 (device signature does not verify over the capture record)")
        return
    fingerprint = hashlib.sha256(raw_key).hexdigest()[:16]
    verdict.note(f"设备签名有效，设备公钥指纹 {fingerprint} (device signature valid; key fingerprint)")


# --------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="zhifa-verify",
        description="离线核验执法记录证据包 / Verify an evidence bundle offline.",
    )
    parser.add_argument("bundle", help="证据包 .zip / the bundle file")
    parser.add_argument("--key", action="append", default=[], metavar="KEY",
                        help="执法机关公布的日志公钥（字符串或文件路径），可重复 / the agency's published "
                             "log key (name+hash+base64) or a file containing it; repeatable")
    parser.add_argument("--tsa-roots", action="append", default=[], metavar="PEM",
                        help="可信时间戳机构的根证书（PEM 文件），可重复 / PEM file of the time-stamping authority's "
                             "root certificate(s); repeatable")
    args = parser.parse_args(argv)
    report = verify_bundle(args.bundle, trusted_keys=args.key, tsa_roots=args.tsa_roots)
    sys.stdout.write(report.render())
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
