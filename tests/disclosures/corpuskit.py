"""The redaction corpus (``tests/disclosures/corpus/*.json``) and how a rendering of a notice is scored.

Each corpus file is one decision as an agency writes it: the party as recorded on the case, the facts in
running text, and the annotations ``expected``:

* ``persons`` — natural persons whose names must never be public (party, relatives, witnesses, customers,
  employees, minors, the operator of a 个体工商户);
* ``public_persons`` — persons whose names stay (officers, an organisation's legal representative);
* ``leaks`` — other strings that must never be public (addresses, numbers, birth dates, health, schools …);
* ``keeps`` — strings that must stay (the violation, products, amounts, articles, report and licence numbers,
  an organisation's name, registered address and credit code, and the masked names "王某");
* ``public_party_name`` — the party name as published.

A *leak* is an annotated string found in a rendering; an *over-redaction* is a string that must stay and
is missing from a rendering that carries the field it comes from.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CORPUS_DIR = Path(__file__).with_name("corpus")


def load_corpus() -> list[dict[str, Any]]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(CORPUS_DIR.glob("*.json"))]


def _squash(text: str) -> str:
    # Renderings may escape or space things differently (HTML entities are decoded by the caller).
    return "".join(text.split())


def leaks_in(doc: dict[str, Any], rendering: str) -> list[str]:
    exp = doc["expected"]
    text = _squash(rendering)
    needles = list(dict.fromkeys([*exp["persons"], *exp["leaks"]]))
    return [n for n in needles if _squash(n) and _squash(n) in text]


def missing_keeps(doc: dict[str, Any], rendering: str, *, facts: bool = True, full_text: bool = True) -> list[str]:
    """Strings that must stay and are not in ``rendering``. ``facts=False`` for renderings that carry only
    the party name and the violation (the Atom feed, the list): then only those are expected.
    ``full_text=False`` for renderings without the decision's full text (the 双公示 CSV and JSON exports): the
    strings that only the 当事人 paragraph carries (a registered address) are not expected there."""
    exp = doc["expected"]
    text = _squash(rendering)
    wanted = [exp["public_party_name"]]
    if facts:
        keeps = [*exp["public_persons"], *exp["keeps"]]
        if not full_text:
            party = [doc["party"].get(k) for k in ("party_name", "party_uscc", "party_legal_rep")]
            keeps = [k for k in keeps if k in doc["facts"] or k in party or k.endswith("某")]
        wanted += keeps
    else:
        wanted.append(doc["violation_type"])
    return [k for k in dict.fromkeys(wanted) if k and _squash(k) not in text]


@dataclass
class Tally:
    """Leaks and over-redactions per rendering, with the offending strings for the failure message."""

    leaks: dict[str, int] = field(default_factory=dict)
    over: dict[str, int] = field(default_factory=dict)
    details: list[str] = field(default_factory=list)

    def add(
        self, rendering: str, doc: dict[str, Any], text: str, *, facts: bool = True, full_text: bool = True
    ) -> None:
        found = leaks_in(doc, text)
        missing = missing_keeps(doc, text, facts=facts, full_text=full_text)
        self.leaks[rendering] = self.leaks.get(rendering, 0) + len(found)
        self.over[rendering] = self.over.get(rendering, 0) + len(missing)
        if found:
            self.details.append(f"{doc['id']} [{rendering}] leaks {found}")
        if missing:
            self.details.append(f"{doc['id']} [{rendering}] over-redacted {missing}")

    def table(self) -> str:
        rows = [f"{'rendering':<14}{'leaks':>8}{'over-redactions':>18}"]
        for name in self.leaks:
            rows.append(f"{name:<14}{self.leaks[name]:>8}{self.over.get(name, 0):>18}")
        return "\n".join(rows)

    @property
    def total_leaks(self) -> int:
        return sum(self.leaks.values())

    @property
    def total_over(self) -> int:
        return sum(self.over.values())
