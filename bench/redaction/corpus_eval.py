"""Runs the redaction engine (no Django, no database) over the corpus and counts leaks and over-redactions
in the public text of every notice; times it (notices per second).

    .venv/bin/python bench/redaction/corpus_eval.py [--details]
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from disclosures.corpuskit import Tally, load_corpus  # noqa: E402

from backend.redaction import DEFAULT_POLICY, check_fields  # noqa: E402
from backend.redaction.notice import party_line, redact_notice  # noqa: E402

AGENCY = ("辽源市市场监督管理局", "11220400MB1234567X")
OFFICERS = ("张伟", "李娜")
_TYPES = {"person": "natural_person", "sole_trader": "sole_trader"}


def snapshot(doc: dict) -> dict:
    """The snapshot services.snapshot_from_case builds for a case with this party and these facts."""
    p = doc["party"]
    kind = _TYPES.get(p["party_type"], "organisation")
    party = {
        "party_type": kind,
        "name": p.get("party_name"),
        "id_number": p.get("party_id_number"),
        "phone": p.get("party_phone"),
        "address": p.get("party_address"),
        "uscc": p.get("party_uscc"),
        "operator_name" if kind == "sole_trader" else "legal_representative": p.get("party_legal_rep"),
        "legal_representative_id_number": p.get("party_legal_rep_id_number"),
    }
    full = "\n".join([f"{AGENCY[0]}行政处罚决定书", party_line({k: v for k, v in party.items() if v}),
                      f"违法事实：{doc['facts']}"])
    return {"party": party, "violation_type": doc["violation_type"], "facts": doc["facts"], "full_text": full,
            "legal_basis": "；".join(f"《{b['law']}》{b['article']}" for b in doc["legal_basis"])}


def main() -> None:
    corpus = load_corpus()
    tally = Tally()
    started = time.perf_counter()
    rendered = [redact_notice(snapshot(doc), policy=DEFAULT_POLICY, keep_phrases=AGENCY, keep_persons=OFFICERS)
                for doc in corpus]
    cold = time.perf_counter() - started  # includes loading jieba's dictionary and tag table
    started = time.perf_counter()
    for doc in corpus:
        redact_notice(snapshot(doc), policy=DEFAULT_POLICY, keep_phrases=AGENCY, keep_persons=OFFICERS)
    elapsed = time.perf_counter() - started
    started = time.perf_counter()
    leftovers = 0
    for doc, out in zip(corpus, rendered, strict=True):
        public = {k: v for k, v in out.items() if not k.startswith("_") and isinstance(v, str)}
        findings, _ = check_fields(public, parties=[snapshot(doc)["party"]], known_persons=out["_persons"],
                                   keep_phrases=AGENCY, keep_persons=out["_public_persons"], policy=DEFAULT_POLICY)
        leftovers += len(findings)
    checked = time.perf_counter() - started
    candidates = 0
    for doc, out in zip(corpus, rendered, strict=True):
        public = {k: v for k, v in out.items() if not k.startswith("_")}
        tally.add("engine", doc, json.dumps(public, ensure_ascii=False))
        candidates += len(out["_candidates"])
        if out["_candidates"] and "--details" in sys.argv:
            print(doc["id"], "candidates", out["_candidates"])
    print(f"corpus {len(corpus)} notices; leaks {tally.total_leaks}; over-redactions {tally.total_over}; "
          f"candidates {candidates}; publish-check findings on the drafts {leftovers}")
    print(f"draft redaction: {len(corpus) / elapsed:.1f} notices/s warm ({elapsed / len(corpus) * 1000:.0f} ms each; "
          f"first pass with the dictionary load {cold:.1f} s); "
          f"publish-time check: {len(corpus) / checked:.1f} notices/s")
    if "--details" in sys.argv:
        print("\n".join(tally.details))


if __name__ == "__main__":
    main()
