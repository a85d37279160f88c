"""Canned replies per category, read from reference/canned_responses.yml."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml  # type: ignore[import-untyped]

FILE = "canned_responses.yml"


@lru_cache(maxsize=4)
def load_canned_responses(reference_dir: Path) -> dict[str, list[dict[str, str]]]:
    """Every category's canned replies ({title, text})."""
    doc = yaml.safe_load((Path(reference_dir) / FILE).read_text(encoding="utf-8"))
    return {
        category: [{"title": str(r["title"]), "text": str(r["text"])} for r in replies]
        for category, replies in doc["canned_responses"].items()
    }


def canned_responses(reference_dir: Path, category: str | None = None) -> dict[str, list[dict[str, str]]]:
    """The replies of one category, or of all when `category` is None."""
    everything = load_canned_responses(Path(reference_dir))
    if category is None:
        return everything
    return {category: everything.get(category, [])}
