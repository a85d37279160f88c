"""Volume, style mix and independence of the NLU training data and the held-out set."""

import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest
from rasa.shared.nlu.training_data.loading import load_data

ROOT = Path(__file__).resolve().parents[2]
TRAIN_DIR = ROOT / "nlu_data" / "intents"
HELDOUT = ROOT / "bench" / "data" / "heldout_nlu.yml"

REPORT_INTENTS = [
    "report_security",
    "report_environment",
    "report_food_safety",
    "report_traffic",
    "report_infrastructure",
    "report_public_service",
    "report_urban_order",
]
SMALL_INTENTS = ["ask_status", "greet", "goodbye", "thank", "affirm", "deny", "inform"]
ENTITIES = {"location", "area", "ticket_id"}
STYLES = {"standard", "no_diacritics", "chat"}

MIN_TRAIN_PER_REPORT = 80
MIN_TRAIN_PER_SMALL = 15
MIN_HELDOUT = 240
MIN_HELDOUT_PER_REPORT = 25

# Chat abbreviations and teencode that standard and no-diacritics examples must not contain.
CHAT_MARKERS = set(
    "ko k hok hông dc đc j vs bn ng mn r cx ad ak z thui nhiu lun trc hs e dg đg nc qc dvc cf "
    "ok oke okela uk pp tks thanks hqua vp thg cs date".split()
)
EMOJI = re.compile("[\U0001f300-\U0001faff\u2600-\u27bf]")


def detect_style(text: str) -> str:
    """Classify a message as chat (abbreviations, emoji), no_diacritics (plain ASCII) or standard."""
    words = set(re.findall(r"\w+", text.lower()))
    if words & CHAT_MARKERS or EMOJI.search(text):
        return "chat"
    if text.isascii():
        return "no_diacritics"
    return "standard"


def fold(text: str) -> str:
    """Lower-case, strip diacritics and punctuation, so near-identical texts compare equal."""
    text = unicodedata.normalize("NFD", text.lower()).replace("đ", "d")
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    return " ".join(re.findall(r"\w+", text))


@pytest.fixture(scope="module")
def train():
    return load_data(str(TRAIN_DIR)).training_examples


@pytest.fixture(scope="module")
def heldout():
    return load_data(str(HELDOUT)).training_examples


def by_intent(examples) -> dict:
    groups: dict = {}
    for ex in examples:
        groups.setdefault(ex.get("intent"), []).append(ex)
    return groups


def shares(styles) -> dict:
    counts = Counter(styles)
    return {style: counts[style] / len(styles) for style in STYLES}


def test_training_intents_are_the_contract(train):
    intents = set(by_intent(train))
    assert set(REPORT_INTENTS + SMALL_INTENTS) <= intents
    assert len(by_intent(train)["out_of_scope"]) >= 30


def test_training_volume(train):
    groups = by_intent(train)
    for intent in REPORT_INTENTS:
        assert len(groups[intent]) >= MIN_TRAIN_PER_REPORT, intent
    for intent in SMALL_INTENTS:
        assert len(groups[intent]) >= MIN_TRAIN_PER_SMALL, intent


@pytest.mark.parametrize("intent", REPORT_INTENTS)
def test_training_style_mix_per_report_intent(train, intent):
    mix = shares([detect_style(ex.get("text")) for ex in by_intent(train)[intent]])
    assert 0.18 <= mix["no_diacritics"] <= 0.35, mix
    assert 0.15 <= mix["chat"] <= 0.35, mix


def test_training_style_mix_overall(train):
    mix = shares([detect_style(ex.get("text")) for ex in train])
    assert 0.2 <= mix["no_diacritics"] <= 0.35, mix
    assert 0.15 <= mix["chat"] <= 0.35, mix


def test_training_has_no_duplicates(train):
    counts = Counter(" ".join(ex.get("text").lower().split()) for ex in train)
    assert [text for text, n in counts.items() if n > 1] == []


def test_annotations_parse(train, heldout):
    for ex in train + heldout:
        text = ex.get("text")
        assert "](" not in text and "[" not in text, text
        for ent in ex.get("entities", []):
            assert text[ent["start"] : ent["end"]] == ent["value"].strip() != ""


def entity_names(examples) -> set:
    return {ent["entity"] for ex in examples for ent in ex.get("entities", [])}


def test_every_entity_is_trained_and_evaluated(train, heldout):
    assert entity_names(train) >= ENTITIES
    assert entity_names(heldout) == ENTITIES


def test_heldout_lives_outside_training_data():
    assert TRAIN_DIR.resolve() not in HELDOUT.resolve().parents
    assert not list((ROOT / "nlu_data").rglob(HELDOUT.name))


def test_heldout_volume_and_coverage(train, heldout):
    groups = by_intent(heldout)
    assert len(heldout) >= MIN_HELDOUT
    assert set(REPORT_INTENTS + SMALL_INTENTS) <= set(groups) <= set(by_intent(train))
    for intent in REPORT_INTENTS:
        assert len(groups[intent]) >= MIN_HELDOUT_PER_REPORT, intent


def test_heldout_style_labels_match_the_text(heldout):
    wrong = [
        (ex.get("metadata")["example"]["style"], ex.get("text"))
        for ex in heldout
        if ex.get("metadata")["example"]["style"] != detect_style(ex.get("text"))
    ]
    assert wrong == []


def test_heldout_style_mix(heldout):
    mix = shares([ex.get("metadata")["example"]["style"] for ex in heldout])
    assert 0.2 <= mix["no_diacritics"] <= 0.35, mix
    assert 0.15 <= mix["chat"] <= 0.35, mix
    for intent in REPORT_INTENTS:
        styles = {ex.get("metadata")["example"]["style"] for ex in by_intent(heldout)[intent]}
        assert styles == STYLES, intent


def test_heldout_does_not_overlap_training(train, heldout):
    trained = {fold(ex.get("text")) for ex in train}
    assert [ex.get("text") for ex in heldout if fold(ex.get("text")) in trained] == []
