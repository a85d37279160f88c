"""The intent classifier of config.yml: linear SVMs over the featurizers' sentence features.

DIET learnt the intents well but was often confidently wrong on neighbouring topics, and its
held-out accuracy moved by up to three points per style between two trainings of the same data.
Linear SVMs over the same sparse features are deterministic, train in seconds and are strong on
short texts. Each featurizer's sentence features are a block of their own, TF-IDF weighted and
L2-normalised separately (as in a union of TF-IDF vectorizers), so the many character n-grams do
not drown the words. Used alone; after another intent classifier its ranking is averaged with
that one's (`own_weight`). docs/benchmarks/nlu.md, "Component log", has the measurements.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import (
    FEATURE_TYPE_SENTENCE,
    INTENT,
    INTENT_NAME_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.svm import LinearSVC

logger = logging.getLogger(__name__)

INTENT_RANKING = "intent_ranking"
WEIGHTS_FILE = "linear_intent_classifier.npz"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearIntentClassifier(GraphComponent, IntentClassifier):
    """Linear SVMs on TF-IDF-weighted sentence features, averaged with earlier rankings."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Returns the component's default config."""
        return {
            "C": 1.0,  # inverse regularisation strength of the SVMs
            "own_weight": 0.5,  # share of this model in the blend; the rest is the earlier ranking
            "ranking_length": 10,
            "calibration_folds": 3,
            "random_seed": 42,
        }

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: LinearModel | None = None,
    ) -> None:
        self.config = config
        self._model_storage = model_storage
        self._resource = resource
        self.model = model

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LinearIntentClassifier:
        """Creates an untrained component."""
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LinearIntentClassifier:
        """Loads the trained weights (a plain .npz: no pickled code)."""
        try:
            with model_storage.read_from(resource) as directory:
                model = LinearModel.read(directory / WEIGHTS_FILE)
        except (ValueError, FileNotFoundError):
            logger.warning("LinearIntentClassifier has no trained weights; it passes messages on.")
            model = None
        return cls(config, model_storage, resource, model)

    def train(self, training_data: TrainingData) -> Resource:
        """Fit the linear model on the intent examples' sentence features."""
        examples = [(e, _sentence_blocks(e)) for e in training_data.intent_examples]
        examples = [(e, blocks) for e, blocks in examples if blocks]
        labels = sorted({e.get(INTENT) for e, _ in examples})
        if len(labels) < 2:
            logger.warning("LinearIntentClassifier needs two intents or more; not trained.")
            return self._resource
        origins = sorted(examples[0][1])
        counts = {o: scipy.sparse.vstack([blocks[o] for _, blocks in examples]).tocsr() for o in origins}
        self.model = LinearModel.fit(counts, [e.get(INTENT) for e, _ in examples], self.config)
        with self._model_storage.write_to(self._resource) as directory:
            self.model.write(directory / WEIGHTS_FILE)
        return self._resource

    def process(self, messages: list[Message]) -> list[Message]:
        """Set intent and intent_ranking from the blended probabilities."""
        for message in messages:
            blocks = _sentence_blocks(message)
            if self.model is None or not blocks:
                continue
            own = self.model.probabilities(blocks)
            if not own:
                continue
            ranking = _blend(own, _ranking(message), self.config["own_weight"])
            ranking = ranking[: self.config["ranking_length"]]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING, ranking, add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Training data passes through unchanged."""
        return training_data


class LinearModel:
    """Per-block TF-IDF weighting, a linear SVM per intent, and a softmax whose temperature is calibrated.

    The temperature is the one that minimises the log loss of cross-validated decision values on
    the training data, so the probabilities mean roughly what they say (FallbackClassifier's
    threshold reads them) without tuning anything on the evaluation set.
    """

    def __init__(
        self,
        labels: list[str],
        blocks: list[tuple[str, int]],
        idf: np.ndarray,
        coef: np.ndarray,
        bias: np.ndarray,
        scale: float,
    ):
        self.labels = labels
        self.blocks = blocks  # (featurizer, width) in column order
        self.idf = idf
        self.coef = coef
        self.bias = bias
        self.scale = scale

    @classmethod
    def fit(
        cls, counts: dict[str, scipy.sparse.csr_matrix], intents: list[str], config: dict[str, Any]
    ) -> LinearModel:
        """Learn IDF weights, the SVMs and the softmax temperature from each featurizer's counts."""
        blocks = [(origin, matrix.shape[1]) for origin, matrix in counts.items()]
        idfs = [_idf(matrix) for matrix in counts.values()]
        features = scipy.sparse.hstack(
            [_weigh(m, idf) for m, idf in zip(counts.values(), idfs, strict=True)]
        ).tocsr()
        labels = np.asarray(intents)
        svm = LinearSVC(C=config["C"], random_state=config["random_seed"]).fit(features, labels)
        scale = _calibrated_scale(features, labels, config)
        return cls(
            [str(x) for x in svm.classes_], blocks, np.concatenate(idfs), svm.coef_, svm.intercept_, scale
        )

    def probabilities(self, counts: dict[str, scipy.sparse.spmatrix]) -> dict[str, float]:
        """Intent name → probability for one message's count features (featurizer → one row)."""
        if [(o, counts[o].shape[1]) for o, _ in self.blocks if o in counts] != self.blocks:
            return {}
        scores, offset = self.bias.copy(), 0
        for origin, width in self.blocks:
            row = scipy.sparse.csr_matrix(counts[origin])  # weigh the few non-zero columns directly
            columns = row.indices + offset
            weights = (1.0 + np.log(np.maximum(row.data, 1e-12))) * self.idf[columns]
            norm = np.sqrt(weights @ weights) or 1.0
            scores = scores + self.coef[:, columns] @ (weights / norm)
            offset += width
        return dict(zip(self.labels, _softmax(self.scale * _per_class(scores)).tolist(), strict=True))

    def write(self, path: Any) -> None:
        """Save as .npz."""
        arrays = {"idf": self.idf, "coef": self.coef, "bias": self.bias, "scale": np.array(self.scale)}
        origins, widths = np.array([o for o, _ in self.blocks]), np.array([w for _, w in self.blocks])
        np.savez(path, labels=np.array(self.labels), origins=origins, widths=widths, **arrays)

    @classmethod
    def read(cls, path: Any) -> LinearModel:
        """Load from .npz written by `write`."""
        with np.load(path, allow_pickle=False) as data:
            labels = [str(x) for x in data["labels"]]
            blocks = [(str(o), int(w)) for o, w in zip(data["origins"], data["widths"], strict=True)]
            return cls(labels, blocks, data["idf"], data["coef"], data["bias"], float(data["scale"]))


def _calibrated_scale(features: scipy.sparse.csr_matrix, labels: np.ndarray, config: dict[str, Any]) -> float:
    """The softmax scale with the lowest cross-validated log loss (default 1 if too few examples)."""
    folds = min(config["calibration_folds"], int(np.unique(labels, return_counts=True)[1].min()))
    if folds < 2:
        return 1.0
    splitter = StratifiedKFold(folds, shuffle=True, random_state=config["random_seed"])
    svm = LinearSVC(C=config["C"], random_state=config["random_seed"])
    decisions = cross_val_predict(svm, features, labels, cv=splitter, method="decision_function")
    decisions = _per_class(decisions.reshape(len(labels), -1))
    truth = np.searchsorted(np.unique(labels), labels)
    candidates = np.geomspace(0.5, 50.0, 60)
    losses = [_log_loss(scale * decisions, truth) for scale in candidates]
    return float(candidates[int(np.argmin(losses))])


def _per_class(scores: np.ndarray) -> np.ndarray:
    """Binary SVMs give one score (for the second class); make it one score per class."""
    return np.concatenate([-scores, scores], axis=-1) if scores.shape[-1] == 1 else scores


def _softmax(scores: np.ndarray) -> np.ndarray:
    exp = np.exp(scores - scores.max(axis=-1, keepdims=True))
    return exp / exp.sum(axis=-1, keepdims=True)


def _log_loss(scores: np.ndarray, truth: np.ndarray) -> float:
    return float(-np.log(_softmax(scores)[np.arange(len(truth)), truth] + 1e-12).mean())


def _idf(counts: scipy.sparse.csr_matrix) -> np.ndarray:
    """Smoothed inverse document frequency of each column (as scikit-learn's TfidfTransformer)."""
    document_frequency = np.asarray((counts > 0).sum(axis=0)).ravel()
    return np.log((1 + counts.shape[0]) / (1 + document_frequency)) + 1.0


def _weigh(counts: scipy.sparse.csr_matrix, idf: np.ndarray) -> scipy.sparse.csr_matrix:
    """Sublinear term frequency times IDF, rows scaled to unit length."""
    weighted = counts.astype(np.float64).tocsr(copy=True)
    weighted.data = 1.0 + np.log(np.maximum(weighted.data, 1e-12))
    weighted = weighted.multiply(idf.reshape(1, -1)).tocsr()
    norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return scipy.sparse.diags(1.0 / norms) @ weighted


def _sentence_blocks(message: Message) -> dict[str, scipy.sparse.spmatrix]:
    """Each featurizer's sparse sentence features of the text (featurizer name → one row)."""
    return {
        str(f.origin): f.features
        for f in message.features
        if f.attribute == TEXT and f.type == FEATURE_TYPE_SENTENCE and f.is_sparse()
    }


def _ranking(message: Message) -> dict[str, float]:
    return {
        r[INTENT_NAME_KEY]: float(r[PREDICTED_CONFIDENCE_KEY])
        for r in message.get(INTENT_RANKING) or []
        if r.get(INTENT_NAME_KEY)
    }


def _blend(own: dict[str, float], earlier: dict[str, float], own_weight: float) -> list[dict[str, Any]]:
    """Weighted average of two probability maps, as a ranking (highest first)."""
    if not earlier:
        own_weight = 1.0
    names = set(own) | set(earlier)
    blended = {n: own_weight * own.get(n, 0.0) + (1 - own_weight) * earlier.get(n, 0.0) for n in names}
    order = sorted(blended.items(), key=lambda item: item[1], reverse=True)
    return [{INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: conf} for name, conf in order]
