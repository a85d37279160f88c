"""Runs one training or one evaluation in its own process, so time and peak memory are its own.

Usage: _worker.py train-rasa CONFIG DATA OUT_DIR RESULT_JSON
       _worker.py eval-rasa MODEL TEXTS_JSON RESULT_JSON WARMUP
       _worker.py train-tfidf EXAMPLES_JSON MODEL_PKL RESULT_JSON
       _worker.py eval-tfidf MODEL_PKL TEXTS_JSON RESULT_JSON WARMUP
"""

import asyncio
import json
import pickle
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # custom components: bot.components.*


def train_rasa(config: str, data: str, out_dir: str) -> dict:
    """Train a Rasa NLU model; returns the model path and the training seconds."""
    import rasa.nlu.classifiers.diet_classifier  # noqa: F401  (TensorFlow import is not training)
    from rasa.model_training import train_nlu

    start = time.perf_counter()
    model = train_nlu(config, data, out_dir, fixed_model_name="nlu")
    if not model:
        raise SystemExit("rasa produced no model")
    return {"model": str(model), "train_seconds": time.perf_counter() - start}


def eval_rasa(model: str, texts: list[str], warmup: int) -> dict:
    """Parse every text with the loaded model in this process, timing each parse."""
    from rasa.core.agent import Agent

    start = time.perf_counter()
    agent = Agent.load(model)
    load_seconds = time.perf_counter() - start
    loop = asyncio.new_event_loop()
    result = timed_predictions(
        lambda t: _rasa_prediction(loop.run_until_complete(agent.parse_message(t))), texts, warmup
    )
    return {**result, "load_seconds": load_seconds}


def _rasa_prediction(parsed: dict) -> dict:
    entities = [
        {"entity": e["entity"], "start": e["start"], "end": e["end"], "value": str(e.get("value", ""))}
        for e in parsed.get("entities", [])
    ]
    intent = parsed.get("intent") or {}
    return {"intent": intent.get("name"), "confidence": intent.get("confidence"), "entities": entities}


def train_tfidf(examples_json: str, model_pkl: str) -> dict:
    """Fit the TF-IDF + LinearSVC baseline and pickle it."""
    import _tfidf

    rows = json.loads(Path(examples_json).read_text(encoding="utf-8"))
    start = time.perf_counter()
    model = _tfidf.train([r["text"] for r in rows], [r["intent"] for r in rows])
    seconds = time.perf_counter() - start
    Path(model_pkl).write_bytes(pickle.dumps(model))
    return {"model": model_pkl, "train_seconds": seconds}


def eval_tfidf(model_pkl: str, texts: list[str], warmup: int) -> dict:
    """Classify every text one at a time, timing each call."""
    model = pickle.loads(Path(model_pkl).read_bytes())
    return timed_predictions(lambda t: {"intent": str(model.predict([t])[0]), "entities": []}, texts, warmup)


def timed_predictions(predict: Callable[[str], dict], texts: list[str], warmup: int) -> dict:
    """Warm up on the first texts, then predict each text once: wall and CPU milliseconds per call."""
    for text in texts[:warmup]:
        predict(text)
    predictions, latencies, cpu = [], [], []
    for text in texts:
        start, start_cpu = time.perf_counter(), time.process_time()
        predictions.append(predict(text))
        latencies.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return {"predictions": predictions, "latencies_ms": latencies, "cpu_ms": cpu}


def main(argv: list[str]) -> None:
    """Dispatch one job and write its JSON result."""
    command, args = argv[0], argv[1:]
    if command == "train-rasa":
        result, out = train_rasa(*args[:3]), args[3]
    elif command == "train-tfidf":
        result, out = train_tfidf(*args[:2]), args[2]
    else:
        texts = json.loads(Path(args[1]).read_text(encoding="utf-8"))
        evaluate = eval_rasa if command == "eval-rasa" else eval_tfidf
        result, out = evaluate(args[0], texts, int(args[3])), args[2]
    Path(out).write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
