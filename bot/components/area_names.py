"""Names of administrative units: type prefixes, matching keys and the spellings citizens use."""

from __future__ import annotations

import re
from collections.abc import Iterable

from .text_normalization import normalize_syllable, strip_diacritics, to_nfc

KIND_PREFIXES = {
    "phường": ["phường", "phuong", "p.", "p"],
    "xã": ["xã", "xa"],
    "thành phố": ["thành phố", "thanh pho", "tp.", "tp"],
}
_OFFICIAL_KINDS = ("thành phố", "thị xã", "thị trấn", "phường", "xã", "quận", "huyện", "tỉnh")
# Unaccented type words (and their short forms) stripped from the front of a key.
_KEY_PREFIX = re.compile(
    r"^(?:(?:thanh pho|thi xa|thi tran|phuong|xa|quan|huyen|tinh|tp|tx|tt|p|q|h|x)\b\.?|t\. ?p\.?)\s*"
)


def unit_kind(full_name: str) -> str:
    """The type word of an official name: "Phường Cẩm Châu" -> "phường"."""
    lowered = full_name.lower()
    return next((k for k in _OFFICIAL_KINDS if lowered.startswith(k + " ")), "")


def unit_name(full_name: str) -> str:
    """The canonical name without its type word: "Thành phố Tam Kỳ" -> "Tam Kỳ"."""
    kind = unit_kind(full_name)
    return full_name[len(kind) :].strip() if kind else full_name.strip()


def accented_key(text: str) -> str:
    """Lowercase, NFC, classic tone placement, single spaces, no punctuation but dots in prefixes."""
    syllables = re.findall(r"[^\W_]+\.?", to_nfc(text))
    return " ".join(normalize_syllable(s) for s in syllables)


def matching_key(text: str, keep_diacritics: bool = False) -> str:
    """Key used to look a name up: type prefixes removed, optionally diacritics removed."""
    key = accented_key(text)
    bare = strip_diacritics(key)
    while True:
        stripped = _KEY_PREFIX.sub("", bare, count=1)
        if stripped == bare:
            break
        key, bare = key[len(key) - len(stripped) :], stripped
    return key.replace(".", "") if keep_diacritics else bare.replace(".", "")


def prefix_variants(name: str, kinds: Iterable[str]) -> list[str]:
    """Spellings of a unit name as written: with and without diacritics and type words."""
    forms = [name.lower(), strip_diacritics(name).lower()]
    variants = list(forms)
    for kind in sorted(kinds):
        variants += [f"{prefix} {form}" for prefix in KIND_PREFIXES.get(kind, []) for form in forms]
    return list(dict.fromkeys(variants))
