"""Reads PhoATIS (VinAIResearch/JointIDSF) syllable-level splits into labelled examples.

Each split folder holds three aligned files: `seq.in` (space-separated syllables), `seq.out`
(one BIO slot tag per syllable, e.g. B-fromloc.city_name) and `label` (the intent; multi-intent
labels such as `flight#airfare` are kept whole). The dataset's licence forbids redistribution:
it is only ever read from a local path given on the command line.
"""

from pathlib import Path

from _nludata import Entity, Example

SPLITS = ("train", "dev", "test")
FILES = ("seq.in", "seq.out", "label")


def resolve_root(path: Path) -> Path:
    """The folder holding train/dev/test: PATH, PATH/syllable-level or PATH/PhoATIS/syllable-level."""
    for candidate in (path, path / "syllable-level", path / "PhoATIS" / "syllable-level"):
        if (candidate / "train" / "seq.in").is_file():
            return candidate
    raise FileNotFoundError(f"no PhoATIS syllable-level splits (train/seq.in) under {path}")


def read_split(folder: Path) -> list[Example]:
    """All examples of one split folder."""
    lines = [(folder / name).read_text(encoding="utf-8").splitlines() for name in FILES]
    if len({len(column) for column in lines}) != 1:
        raise ValueError(f"{folder}: seq.in, seq.out and label have different line counts")
    return [_example(folder, n, *row) for n, row in enumerate(zip(*lines, strict=True), start=1)]


def _example(folder: Path, line_no: int, seq_in: str, seq_out: str, label: str) -> Example:
    tokens, tags = seq_in.split(), seq_out.split()
    if len(tokens) != len(tags):
        raise ValueError(f"{folder}: line {line_no} has {len(tokens)} syllables but {len(tags)} tags")
    return Example(" ".join(tokens), label.strip(), bio_entities(tokens, tags), style="phoatis")


def bio_entities(tokens: list[str], tags: list[str]) -> list[Entity]:
    """Entity spans (character offsets into the space-joined text) from BIO tags.

    An I- tag that does not continue a span of the same type starts a new span (conlleval's rule).
    """
    text = " ".join(tokens)
    spans: list[list] = []  # [type, start, end]
    previous = "O"
    for (start, end), tag in zip(syllable_offsets(tokens), tags, strict=True):
        kind = tag[2:] if tag[:2] in ("B-", "I-") else None
        if kind and tag.startswith("I-") and previous == kind:
            spans[-1][2] = end
        elif kind:
            spans.append([kind, start, end])
        previous = kind or "O"
    return [Entity(kind, start, end, text[start:end]) for kind, start, end in spans]


def syllable_offsets(tokens: list[str]) -> list[tuple[int, int]]:
    """Start and end offsets of each token in the tokens joined by single spaces."""
    offsets, position = [], 0
    for token in tokens:
        offsets.append((position, position + len(token)))
        position += len(token) + 1
    return offsets


def slot_types(examples: list[Example]) -> set[str]:
    """Every slot type that occurs in the examples."""
    return {e.entity for ex in examples for e in ex.entities}
