"""The annual report (年度行政执法数据): freeze, sign, publish, submit, and the bundle that proves it offline.

国办发〔2018〕118号 (六): 行政执法机关要于每年1月31日前公开本机关上年度行政执法总体情况有关数据，并报本级
人民政府和上级主管部门. The agency's head freezes the year once it is over: the statistics the public page shows
live (``disclosures.selectors.annual_statistics``) and the 评议考核 figures (``indicators``) become one canonical
JSON document whose SHA-256 is appended to the ledger. Sealing then builds an evidence bundle in the existing
``zhifa-evidence-bundle/1`` format — the report as its one original, the publication entry, the bundle's own export
entry, inclusion proofs and a signed checkpoint — so ``zhifa-verify`` checks it with no server. A correction is a new
version naming the one it supersedes; a published version is never changed.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from io import BytesIO
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from backend.accounts.models import Agency, Role, User
from backend.common.errors import ApplicationError, Forbidden, NotFound, PreconditionFailed
from backend.disclosures.selectors import annual_statistics
from backend.ledger.checkpoints import checkpoint_sign
from backend.ledger.keys import log_origin
from backend.ledger.models import AuditEvent, LogEntry
from backend.ledger.sequencer import ledger_sequence
from backend.ledger.services import AuditContext, audit_record
from backend.ledger.store import CachedNodeStore, DjangoNodeStore
from backend.ledgercore.bundle_format import (
    BundleOriginal,
    ManifestFile,
    build_manifest,
    build_proofs,
    iter_bundle,
    original_path,
    sha256_hex,
)
from backend.ledgercore.canonical_json import canonical_json
from backend.ledgercore.merkle import MerkleTree
from backend.supervision.indicators import agency_indicators
from backend.supervision.models import AnnualReport, AnnualReportSubmission

FORMAT = "zhifa-annual-report/1"


def publication_deadline(year: int) -> dt.date:
    """每年1月31日前: the report of ``year`` is due by 31 January of the next year."""
    return dt.date(year + 1, 1, 31)


def _plain(value: Any) -> Any:
    """Dates, datetimes and decimals as the JSON strings the API gives (canonical JSON takes no other types)."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _snapshot(*, agency: Agency, year: int, version: int, previous: AnnualReport | None, reason: str,
              now: dt.datetime) -> dict[str, Any]:
    statistics = annual_statistics(agency=agency, year=year)
    statistics.pop("generated_at", None)
    statistics.pop("complete", None)
    figures = agency_indicators(agency=agency, year=year, today=timezone.localdate(now))
    snapshot: dict[str, Any] = _plain({
        "format": FORMAT,
        "agency": {"name": agency.name, "uscc": agency.uscc},
        "year": year,
        "version": version,
        "supersedes": None if previous is None else {"version": previous.version, "sha256": previous.sha256},
        "correction_reason": reason,
        "frozen_at": now,
        "statistics": statistics,
        "indicators": {"score": figures["score"], "figures": figures["indicators"]},
    })
    return snapshot


@transaction.atomic
def annual_report_publish(*, actor: User, context: AuditContext, year: int, correction_reason: str = "",
                          now: dt.datetime | None = None) -> AnnualReport:
    """The head freezes and publishes its agency's report of ``year`` (a correction: a new version with a reason).
    Sealed (bundle, proofs, checkpoint) after commit by :func:`annual_report_seal` (the view calls it; the daily
    task seals any left unsealed)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    if not actor.has_role(Role.AGENCY_HEAD) or actor.agency is None:
        raise Forbidden("仅机关负责人可以公开年度数据", code="agency_head_required")
    if today <= dt.date(year, 12, 31):
        raise PreconditionFailed("year_not_over", f"{year}年度尚未结束，不能冻结年度数据")
    agency = Agency.objects.select_for_update().get(pk=actor.agency.pk)  # one version number at a time
    previous = AnnualReport.objects.filter(agency=agency, year=year).order_by("-version").first()
    reason = correction_reason.strip()
    if previous is not None and not reason:
        raise ApplicationError(
            "report_exists", f"{year}年度数据已公开；更正须说明理由，作为新版本公开", status=409,
            fields={"correction_reason": ["更正须说明理由"]},
        )
    if previous is None and reason:
        raise ApplicationError("nothing_to_correct", f"{year}年度数据尚未公开，无可更正", status=409)
    version = 1 if previous is None else previous.version + 1
    content = canonical_json(_snapshot(agency=agency, year=year, version=version, previous=previous,
                                       reason=reason, now=now))  # fmt: skip
    report = AnnualReport.objects.create(
        agency=agency, year=year, version=version, supersedes=previous, correction_reason=reason, content=content,
        sha256=sha256_hex(content), published_by=actor, published_at=now,
        published_late=today > publication_deadline(year),
    )  # fmt: skip
    audit_record(
        action="supervision.annual_report.published", target=report, context=context, agency_id=agency.pk,
        data={"year": year, "version": version, "sha256": report.sha256, "size": len(content),
              "supersedes": None if previous is None else previous.sha256, "correction_reason": reason,
              "late": report.published_late},
    )  # fmt: skip
    return report


def _report_filename(report: AnnualReport) -> str:
    return f"annual-report-{report.agency.uscc}-{report.year}-v{report.version}.json"


def annual_report_seal(*, report_id: Any) -> AnnualReport:
    """Build and freeze the report's bundle files (idempotent: a sealed report is returned as it is).

    The order is the bundle format's: the publication entry sealed in the log, the manifest hashed and its hash
    logged as the export entry, a checkpoint covering both signed, the inclusion proofs computed against it."""
    report = AnnualReport.objects.select_related("agency").get(pk=report_id)
    if report.checkpoint_id is not None:
        return report
    ledger_sequence()
    published = AuditEvent.objects.filter(
        action="supervision.annual_report.published", target_id=str(report.pk)
    ).values_list("seq", flat=True).first()
    if published is None:
        raise PreconditionFailed("report_not_logged", "年度数据在台账中没有公开记录")
    index = published - 1
    entry = bytes(LogEntry.objects.values_list("entry", flat=True).get(index=index))
    manifest = build_manifest(
        case={"id": str(report.pk), "number": f"{report.year}年度行政执法数据 第{report.version}版",
              "agency": report.agency.name, "agency_uscc": report.agency.uscc},
        log_origin=log_origin(),
        files=[ManifestFile(path=original_path(1, _report_filename(report)), sha256=report.sha256,
                            size=len(bytes(report.content)), log_index=index, log_entry=json.loads(entry))],
        entry_indexes=[index],
        created_at=report.published_at,
    )  # fmt: skip
    with transaction.atomic():
        locked = AnnualReport.objects.select_for_update().get(pk=report.pk)
        if locked.checkpoint_id is not None:  # sealed meanwhile by another worker
            return locked
        event = audit_record(
            action="supervision.annual_report.sealed", target=report, agency_id=report.agency_id,
            data={"manifest_sha256": sha256_hex(manifest), "report_sha256": report.sha256},
        )
    ledger_sequence()
    export_seq = AuditEvent.objects.values_list("seq", flat=True).get(pk=event.pk)
    if export_seq is None:
        raise PreconditionFailed("report_not_logged", "年度数据核验记录尚未写入台账")
    export_index = export_seq - 1
    checkpoint = checkpoint_sign(min_size=export_index + 1).checkpoint
    tree = MerkleTree(CachedNodeStore(DjangoNodeStore()), size=checkpoint.tree_size)
    proofs = build_proofs(
        tree_size=checkpoint.tree_size, root_hash=bytes(checkpoint.root_hash), manifest_entry_index=export_index,
        proofs={i: (tree.leaf_hash_at(i), tree.inclusion_proof(i)) for i in (index, export_index)},
    )
    AnnualReport.objects.filter(pk=report.pk, checkpoint__isnull=True).update(
        log_index=index, manifest=manifest, proofs=proofs, checkpoint=checkpoint
    )
    return AnnualReport.objects.select_related("agency", "checkpoint").get(pk=report.pk)


def annual_report_bundle(report: AnnualReport) -> Iterator[bytes]:
    """The report's evidence bundle as zip chunks (nothing is written: everything was frozen when sealed)."""
    if report.checkpoint is None or report.manifest is None or report.proofs is None or report.log_index is None:
        raise PreconditionFailed("report_not_sealed", "年度数据的核验材料尚在生成，请稍后再试")
    entries = dict(LogEntry.objects.filter(
        index__in=[report.log_index, json.loads(bytes(report.proofs))["manifest_entry_index"]]
    ).values_list("index", "entry"))  # fmt: skip
    checkpoint = report.checkpoint
    return iter_bundle(
        manifest=bytes(report.manifest),
        entries=((i, bytes(e)) for i, e in sorted(entries.items())),
        proofs=bytes(report.proofs),
        checkpoint=checkpoint.note,
        log_public_key=checkpoint.verifier_key,
        originals=[BundleOriginal(path=original_path(1, _report_filename(report)),
                                  source=BytesIO(bytes(report.content)))],
        checkpoint_timestamp=bytes(checkpoint.tsa_token) if checkpoint.tsa_token else None,
    )  # fmt: skip


@transaction.atomic
def annual_report_submit(*, actor: User, context: AuditContext, report: AnnualReport, recipient_kind: str,
                         recipient_name: str, submitted_on: dt.date, now: dt.datetime | None = None
                         ) -> AnnualReportSubmission:
    """Record that the report was sent to the 本级人民政府 or the 上级主管部门, and on which day."""
    now = now or timezone.now()
    if not (actor.has_role(Role.AGENCY_HEAD) and actor.agency_id == report.agency_id):
        raise Forbidden("仅机关负责人可以登记报送", code="agency_head_required")
    if submitted_on > timezone.localdate(now) or submitted_on < timezone.localdate(report.published_at):
        raise ApplicationError("invalid_submitted_on", "报送日期须在公开之日与今天之间", status=422,
                               fields={"submitted_on": ["须在公开之日与今天之间"]})  # fmt: skip
    if AnnualReportSubmission.objects.filter(report=report, recipient_kind=recipient_kind).exists():
        raise ApplicationError("already_submitted", "该版本已登记向该机关报送", status=409)
    submission = AnnualReportSubmission.objects.create(
        report=report, recipient_kind=recipient_kind, recipient_name=recipient_name, submitted_on=submitted_on,
        recorded_by=actor, recorded_at=now,
    )
    audit_record(
        action="supervision.annual_report.submitted", target=report, context=context, agency_id=report.agency_id,
        data={"version": report.version, "sha256": report.sha256, "recipient_kind": recipient_kind,
              "recipient_name": recipient_name, "submitted_on": submitted_on},
    )  # fmt: skip
    return submission


# --------------------------------------------------------------------------- reads


def report_list(*, user: User, year: int | None = None) -> QuerySet[AnnualReport]:
    from backend.accounts.permissions import readable_agency_ids
    from backend.supervision.selectors import supervised_agency_ids

    ids = readable_agency_ids(user) | supervised_agency_ids(user)
    qs = AnnualReport.objects.filter(agency_id__in=ids).select_related("agency").prefetch_related("submissions")
    if year is not None:
        qs = qs.filter(year=year)
    return qs.order_by("-year", "agency__name", "-version")


def report_get(*, user: User, report_id: Any) -> AnnualReport:
    report = report_list(user=user).filter(pk=report_id).first()
    if report is None:
        raise NotFound("年度数据不存在", code="report_not_found")
    return report


def public_reports(*, agency: Agency, year: int) -> list[AnnualReport]:
    """Every published version of the year, newest first (the public sees corrections, never a silent edit)."""
    reports = list(AnnualReport.objects.filter(agency=agency, year=year).select_related("agency")
                   .prefetch_related("submissions").order_by("-version"))  # fmt: skip
    if not reports:
        raise NotFound(f"该机关{year}年度数据尚未公开", code="report_not_found")
    return reports


def public_report_version(*, agency: Agency, year: int, version: int) -> AnnualReport:
    report = AnnualReport.objects.filter(agency=agency, year=year, version=version).select_related(
        "agency", "checkpoint"
    ).first()
    if report is None:
        raise NotFound("该版本不存在", code="report_not_found")
    return report
