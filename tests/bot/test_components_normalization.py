"""Text normalisation: NFC, tone placement, teencode table, diacritic stripping."""

import pytest

from bot.components.text_normalization import (
    AbbreviationTable,
    fix_tone_placement,
    normalize_syllable,
    normalize_text,
    strip_diacritics,
    to_nfc,
)


@pytest.fixture(scope="module")
def table():
    return AbbreviationTable.load()


def test_nfc_composes_decomposed_input():
    assert to_nfc("Ho\u0300a") == "Hòa"
    assert normalize_syllable("Ho\u0300a") == "hòa"


@pytest.mark.parametrize(
    "typed, expected",
    [("hoà", "hòa"), ("thuý", "thúy"), ("khoẻ", "khỏe"), ("hòa", "hòa"), ("uỷ", "ủy"), ("nước", "nước")],
)
def test_tone_marks_follow_the_classic_placement(typed, expected):
    assert fix_tone_placement(typed) == expected


def test_strip_diacritics_including_d_stroke():
    assert strip_diacritics("Đường Phan Châu Trinh, Hội An") == "Duong Phan Chau Trinh, Hoi An"


def test_table_is_data_with_enough_entries(table):
    assert len(table) >= 40


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("ko", "không"),
        ("k", "không"),
        ("hok", "không"),
        ("hông", "không"),
        ("dc", "được"),
        ("đc", "được"),
        ("j", "gì"),
        ("vs", "với"),
        ("ng", "người"),
        ("mn", "mọi người"),
        ("r", "rồi"),
        ("cx", "cũng"),
        ("ns", "nói"),
        ("ak", "à"),
        ("z", "vậy"),
        ("trc", "trước"),
        ("ntn", "như thế nào"),
        ("sđt", "số điện thoại"),
    ],
)
def test_teencode_expands(table, typed, expected):
    assert table.expand(normalize_syllable(typed)) == expected


def test_bn_depends_on_context(table):
    assert normalize_text("mất bn ngày", table) == "mất bao nhiêu ngày"
    assert normalize_text("bn ơi giúp mình", table) == "bạn ơi giúp mình"


def test_plain_words_are_untouched(table):
    assert normalize_text("Cây đổ chắn đường", table) == "cây đổ chắn đường"
