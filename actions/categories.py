"""The shared category contract (reference/categories.yml), read once per process."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

DEFAULT_CATEGORIES_FILE = Path(__file__).resolve().parents[1] / "reference" / "categories.yml"
REPORT_INTENT_PREFIX = "report_"


@dataclass(frozen=True)
class Category:
    """One report category: its code, its intent and its Vietnamese name."""

    code: str
    intent: str
    name_vi: str


@lru_cache(maxsize=1)
def load_categories(path: str | None = None) -> dict[str, Category]:
    """Categories by intent name, from CATEGORIES_FILE or reference/categories.yml."""
    source = Path(path or os.environ.get("CATEGORIES_FILE") or DEFAULT_CATEGORIES_FILE)
    rows = yaml.safe_load(source.read_text(encoding="utf-8"))["categories"]
    return {row["intent"]: Category(row["code"], row["intent"], row["name_vi"]) for row in rows}


def category_for_intent(intent: str | None) -> Category | None:
    """The category a report intent stands for, or None for any other intent."""
    return load_categories().get(intent or "")


def category_for_code(code: str | None) -> Category | None:
    """The category with this code, or None."""
    return next((category for category in load_categories().values() if category.code == code), None)
