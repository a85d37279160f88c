"""Split a message into spans with exact offsets, then group syllables into words with underthesea.

Codes, phone numbers, numbers, URLs and e-mail addresses are protected spans: they are matched
first and never merged with neighbouring syllables. Runs of syllables separated only by spaces
are segmented by underthesea's word segmenter on their normalised form; its output is aligned
back to the original offsets by counting syllables, so the original text is never rewritten.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .text_normalization import normalize_syllable

_LETTERS = r"(?:[^\W\d_]|[\u0300-\u036f])+"
_PATTERNS = [
    ("url", r"(?:https?://|www\.)[^\s<>\"']+[^\s<>\"'.,;:!?)]"),
    ("url", r"\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:vn|com|net|org|info|io)(?:/[^\s<>\"']*[^\s<>\"'.,;:!?)])?\b"),
    ("email", r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),
    ("ticket", r"\bpa[-_ ]?\d{4}[-_ ]?\d{1,6}\b"),
    ("ticket", r"#\d{1,6}\b"),
    ("phone", r"(?<![\w+])(?:\+84|0)(?:[ .-]?\d){8,10}(?!\d)"),
    ("number", r"\d(?=/\d\b(?!/))"),  # a score such as 3/5 is three tokens, a date stays one
    ("number", r"\w*\d\w*(?:[-./,:]\w+)*"),
    ("word", _LETTERS),
    ("symbol", r"\S"),
]
_SPAN_REGEX = re.compile(
    "|".join(f"(?P<{kind}{i}>{pattern})" for i, (kind, pattern) in enumerate(_PATTERNS)),
    re.IGNORECASE | re.UNICODE,
)


@dataclass(frozen=True)
class Span:
    """A piece of the original text: [start, end) and what kind of thing it is."""

    start: int
    end: int
    kind: str


def pre_tokenize(text: str) -> list[Span]:
    """Split text into protected spans, syllables and single symbols, with exact offsets."""
    return [
        Span(m.start(), m.end(), re.sub(r"\d+$", "", m.lastgroup or "symbol"))
        for m in _SPAN_REGEX.finditer(text)
    ]


def split_spans(spans: Sequence[Span], boundaries: Iterable[int]) -> list[Span]:
    """Cut spans at the given offsets (annotated entity edges inside a code or number)."""
    cuts = sorted(set(boundaries))
    result: list[Span] = []
    for span in spans:
        edges = [span.start, *(c for c in cuts if span.start < c < span.end), span.end]
        result += [Span(a, b, span.kind) for a, b in zip(edges, edges[1:], strict=False)]
    return result


def syllable_runs(text: str, spans: Sequence[Span]) -> list[list[Span]]:
    """Group spans into runs: consecutive syllables separated only by whitespace stay together."""
    runs: list[list[Span]] = []
    for span in spans:
        previous = runs[-1][-1] if runs else None
        joins = (
            previous is not None
            and span.kind == previous.kind == "word"
            and text[previous.end : span.start].isspace()
        )
        if joins:
            runs[-1].append(span)
        else:
            runs.append([span])
    return runs


class WordSegmenter:
    """Groups syllable runs into words with underthesea's CRF word segmenter."""

    def __init__(self, fixed_words: Iterable[str] = (), enabled: bool = True) -> None:
        self.fixed_words = sorted(
            {normalize_syllable(w) for w in fixed_words if " " in w.strip()}, key=len, reverse=True
        )
        self._fixed = [tuple(w.split()) for w in self.fixed_words]
        self.enabled = enabled

    def group(self, text: str, run: list[Span], forms: Sequence[str] | None = None) -> list[list[Span]]:
        """Split one run of syllable spans into words; `forms` are normalised syllables to segment."""
        if not self.enabled or len(run) < 2 or run[0].kind != "word":
            return [[s] for s in run]
        syllables = [normalize_syllable(text[s.start : s.end]) for s in run]
        if forms is not None:
            syllables = [f if " " not in f else s for f, s in zip(forms, syllables, strict=False)]
        sizes = self._word_sizes(syllables)
        if sizes is None:
            return [[s] for s in run]
        words, index = [], 0
        for size in sizes:
            words.append(run[index : index + size])
            index += size
        return split_at(words, self._fixed_word_edges(run, syllables))

    def _fixed_word_edges(self, run: list[Span], syllables: list[str]) -> list[int]:
        """Offsets where fixed words (area names) start and end, so no word runs across them."""
        edges, index = [], 0
        while index < len(syllables):
            size = next((len(w) for w in self._fixed if tuple(syllables[index : index + len(w)]) == w), 0)
            if size:
                edges += [run[index].start, run[index + size - 1].end]
            index += size or 1
        return edges

    def _word_sizes(self, syllables: list[str]) -> list[int] | None:
        from underthesea import word_tokenize

        words = word_tokenize(" ".join(syllables), use_token_normalize=False, fixed_words=self.fixed_words)
        if "".join(words).replace(" ", "") != "".join(syllables):
            return None
        sizes = [len(w.split()) for w in words]
        return sizes if sum(sizes) == len(syllables) else None


def split_at(words: list[list[Span]], boundaries: Iterable[int]) -> list[list[Span]]:
    """Split words so that no boundary offset falls inside one (keeps entity edges on token edges)."""
    cuts = set(boundaries)
    result: list[list[Span]] = []
    for word in words:
        current = [word[0]]
        for span in word[1:]:
            if span.start in cuts or current[-1].end in cuts:
                result.append(current)
                current = []
            current.append(span)
        result.append(current)
    return result
