"""The PhoATIS converter and benchmark script, on a tiny synthetic folder in PhoATIS's format.

The real dataset may not be redistributed, so these sentences are written for the test.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

from _nludata import Entity, load_rasa_nlu, write_rasa_nlu  # noqa: E402
from _phoatis_format import bio_entities, read_split, resolve_root  # noqa: E402

# (syllables, BIO tags, intent)
SENTENCES = [
    (
        "tôi muốn bay từ hà nội đến đà nẵng",
        "O O O O B-fromloc.city_name I-fromloc.city_name O B-toloc.city_name I-toloc.city_name",
        "flight",
    ),
    (
        "giá vé từ hồ chí minh đi huế là bao nhiêu",
        "O O O B-fromloc.city_name I-fromloc.city_name I-fromloc.city_name O B-toloc.city_name O O O",
        "airfare",
    ),
    (
        "chuyến bay và giá vé đi đà lạt sáng mai",
        "O O O O O O B-toloc.city_name I-toloc.city_name B-depart_time.period_of_day"
        " I-depart_date.today_relative",
        "flight#airfare",
    ),
    (
        "cho tôi xem các chuyến bay của vietnam airlines",
        "O O O O O O O B-airline_name I-airline_name",
        "flight",
    ),
    (
        "vé khứ hồi đi nha trang giá bao nhiêu",
        "O B-round_trip I-round_trip O B-toloc.city_name I-toloc.city_name O O O",
        "airfare",
    ),
    ("hãng nào bay đến phú quốc", "O O O O B-toloc.city_name I-toloc.city_name", "airline"),
]


def write_phoatis(root: Path) -> Path:
    """Write the sentences as train/dev/test split folders under root/syllable-level."""
    base = root / "syllable-level"
    for split in ("train", "dev", "test"):
        folder = base / split
        folder.mkdir(parents=True)
        rows = SENTENCES * 3 if split == "train" else SENTENCES
        for name, column in (("seq.in", 0), ("seq.out", 1), ("label", 2)):
            (folder / name).write_text("".join(row[column] + "\n" for row in rows), encoding="utf-8")
    return root


@pytest.fixture
def phoatis_dir(tmp_path: Path) -> Path:
    return write_phoatis(tmp_path / "PhoATIS")


def test_converter_gives_character_offsets_of_each_slot(phoatis_dir: Path) -> None:
    examples = read_split(resolve_root(phoatis_dir) / "test")
    first = examples[0]
    assert first.text == "tôi muốn bay từ hà nội đến đà nẵng"
    assert first.intent == "flight"
    assert first.entities == [
        Entity("fromloc.city_name", 16, 22, "hà nội"),
        Entity("toloc.city_name", 27, 34, "đà nẵng"),
    ]
    assert all(ex.text[e.start : e.end] == e.value for ex in examples for e in ex.entities)


def test_converter_keeps_multi_intent_labels_and_splits_i_tags_of_another_type(phoatis_dir: Path) -> None:
    third = read_split(resolve_root(phoatis_dir) / "test")[2]
    assert third.intent == "flight#airfare"
    assert [(e.entity, e.value) for e in third.entities] == [
        ("toloc.city_name", "đà lạt"),
        ("depart_time.period_of_day", "sáng"),
        ("depart_date.today_relative", "mai"),
    ]


def test_bio_tags_without_b_start_a_span() -> None:
    assert bio_entities(["bay", "huế", "nhé"], ["O", "I-toloc.city_name", "O"]) == [
        Entity("toloc.city_name", 4, 7, "huế")
    ]


def test_misaligned_line_is_rejected(tmp_path: Path) -> None:
    folder = tmp_path / "train"
    folder.mkdir()
    (folder / "seq.in").write_text("bay đi huế\n", encoding="utf-8")
    (folder / "seq.out").write_text("O O\n", encoding="utf-8")
    (folder / "label").write_text("flight\n", encoding="utf-8")
    with pytest.raises(ValueError, match="line 1"):
        read_split(folder)


def test_converted_data_round_trips_through_rasa_yaml(phoatis_dir: Path, tmp_path: Path) -> None:
    examples = read_split(resolve_root(phoatis_dir) / "test")
    write_rasa_nlu(examples, tmp_path / "train.yml")
    loaded = load_rasa_nlu(tmp_path / "train.yml")
    as_key = sorted((ex.text, ex.intent, tuple(ex.entities)) for ex in examples)
    assert sorted((ex.text, ex.intent, tuple(ex.entities)) for ex in loaded) == as_key


def test_script_runs_end_to_end_with_the_tfidf_baseline(phoatis_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "phoatis.json"
    command = [sys.executable, str(BENCH / "phoatis.py"), "--phoatis", str(phoatis_dir)]
    done = subprocess.run(
        command + ["--quick", "--systems", "tfidf", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "| tfidf |" in done.stdout
    result = json.loads(out.read_text(encoding="utf-8"))["intents"][0]
    assert result["system"] == "tfidf"
    assert result["intent"]["overall"]["n"] == len(SENTENCES)
    assert result["intent"]["overall"]["accuracy"] == 1.0  # test sentences are in train
    assert result["latency_ms"]["p50"] > 0


@pytest.mark.parametrize(("flags", "has_fallback"), [([], False), (["--keep-fallback"], True)])
def test_rasa_configs_drop_the_fallback_unless_asked(tmp_path: Path, flags, has_fallback) -> None:
    import phoatis

    args = phoatis.parse_args(["--phoatis", str(tmp_path), *flags])
    systems = phoatis.systems_for(args, tmp_path, epochs=1, entities=False)
    for system in (s for s in systems if s.kind == "rasa"):
        assert ("FallbackClassifier" in system.config.read_text(encoding="utf-8")) == has_fallback


CRF_PIPELINE = """
pipeline:
  - name: WhitespaceTokenizer
  - name: CountVectorsFeaturizer
  - name: DIETClassifier
    epochs: 60
    entity_recognition: false
  - name: CRFEntityExtractor
"""


@pytest.mark.parametrize(
    ("entities", "has_crf", "diet_entities"), [(False, False, False), (True, True, False)]
)
def test_a_separate_entity_tagger_keeps_diet_to_intents(
    tmp_path: Path, entities, has_crf, diet_entities
) -> None:
    from _rasa_config import read_config, write_effective

    src = tmp_path / "crf.yml"
    src.write_text(CRF_PIPELINE, encoding="utf-8")
    pipeline = read_config(write_effective(src, tmp_path / "out.yml", epochs=3, entities=entities))[
        "pipeline"
    ]
    names = [c["name"] for c in pipeline]
    diet = pipeline[names.index("DIETClassifier")]
    assert ("CRFEntityExtractor" in names) == has_crf
    assert diet["entity_recognition"] is diet_entities and diet["epochs"] == 3


def test_without_a_separate_tagger_diet_learns_the_slots(tmp_path: Path) -> None:
    from _rasa_config import read_config, write_effective

    src = tmp_path / "diet.yml"
    src.write_text(CRF_PIPELINE.replace("  - name: CRFEntityExtractor\n", ""), encoding="utf-8")
    pipeline = read_config(write_effective(src, tmp_path / "out.yml", entities=True))["pipeline"]
    assert pipeline[-1]["entity_recognition"] is True
