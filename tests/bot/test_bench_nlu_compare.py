"""bench/nlu_compare.py and its scoring, on small data written here (no Rasa training)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sklearn.metrics import f1_score

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

from _metrics import entity_scores, intent_scores, percentile, value_key  # noqa: E402
from _nludata import Entity, load_rasa_nlu  # noqa: E402

TRAIN = """version: "3.1"
nlu:
- intent: report_environment
  examples: |
    - rác thải đổ đầy ở [đường Phan Châu Trinh](location)
    - có người đổ rác trộm gần chợ
    - rac thai do bay ra duong
    - rác ko ai dọn mấy hôm r
- intent: report_traffic
  examples: |
    - đèn giao thông ở ngã tư hỏng rồi
    - xe tải chở quá tải chạy ầm ầm
    - den giao thong khong hoat dong
    - bọn nó đua xe ầm ĩ vs nẹt pô
"""

HELDOUT = """version: "3.1"
nlu:
- intent: report_environment
  examples:
  - text: |
      rác vứt bừa bãi ở [đường Trần Phú](location)
    metadata: {style: standard}
  - text: |
      rac thai do bay ra duong
    metadata: {style: no_diacritics}
- intent: report_traffic
  examples:
  - text: |
      xe tải chạy ầm ầm k ngủ dc
    metadata: {style: chat}
"""


@pytest.fixture
def data(tmp_path: Path) -> tuple[Path, Path]:
    (tmp_path / "nlu").mkdir()
    (tmp_path / "nlu" / "report.yml").write_text(TRAIN, encoding="utf-8")
    (tmp_path / "nlu" / "abbreviations.yml").write_text("ko: không\ndc: được\n", encoding="utf-8")
    (tmp_path / "heldout.yml").write_text(HELDOUT, encoding="utf-8")
    return tmp_path / "nlu", tmp_path / "heldout.yml"


def test_heldout_examples_carry_their_style_and_entities(data: tuple[Path, Path]) -> None:
    examples = load_rasa_nlu(data[1])
    assert [ex.style for ex in examples] == ["standard", "no_diacritics", "chat"]
    assert examples[0].entities == [Entity("location", 18, 32, "đường Trần Phú")]


def test_training_folder_skips_files_that_are_not_nlu_data(data: tuple[Path, Path]) -> None:
    assert len(load_rasa_nlu(data[0])) == 8


def test_macro_f1_averages_over_gold_intents_like_scikit_learn() -> None:
    gold = ["a", "a", "b", "c", "c", "c"]
    predicted = ["a", "b", "b", "c", "a", "d"]
    scores = intent_scores(gold, predicted)
    assert scores["accuracy"] == pytest.approx(3 / 6)
    assert scores["macro_f1"] == pytest.approx(
        f1_score(gold, predicted, labels=["a", "b", "c"], average="macro")
    )


def test_entity_scores_count_exact_spans_and_values() -> None:
    gold = [[Entity("area", 0, 6, "Hội An"), Entity("location", 10, 20, "đường Lê Lợi")]]
    predicted = [[Entity("area", 0, 6, "hội an"), Entity("location", 10, 15, "đường")]]
    spans = entity_scores(gold, predicted)
    assert spans["micro"]["f1"] == pytest.approx(0.5)
    assert spans["per_entity"]["area"]["f1"] == 1.0
    assert spans["per_entity"]["location"]["f1"] == 0.0
    assert entity_scores(gold, predicted, key=value_key)["per_entity"]["area"]["f1"] == 1.0


def test_percentile_interpolates() -> None:
    assert percentile([4.0, 1.0, 3.0, 2.0], 50) == pytest.approx(2.5)
    assert percentile([], 95) is None


def test_script_reports_by_style_and_flags_heldout_texts_seen_in_training(
    data: tuple[Path, Path], tmp_path: Path
) -> None:
    out = tmp_path / "result.json"
    args = ["--data", str(data[0]), "--heldout", str(data[1]), "--systems", "tfidf", "--json", str(out)]
    done = subprocess.run(
        [sys.executable, str(BENCH / "nlu_compare.py"), *args], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert "| tfidf |" in done.stdout
    assert "1 held-out texts also occur in the training data" in done.stdout
    payload = json.loads(out.read_text(encoding="utf-8"))
    by_style = payload["results"][0]["intent"]["by_style"]
    assert {style: scores["n"] for style, scores in by_style.items()} == {
        "standard": 1,
        "no_diacritics": 1,
        "chat": 1,
    }
    assert payload["heldout_in_training"] == ["rac thai do bay ra duong"]
