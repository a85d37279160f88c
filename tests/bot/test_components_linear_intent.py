"""LinearIntentClassifier: trained, stored and loaded the way Rasa does, then used on new messages."""

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.accentless_featurizer import AccentlessCountVectorsFeaturizer
from bot.components.linear_intent_classifier import LinearIntentClassifier
from bot.components.text_normalization import REPO_ROOT
from bot.components.vietnamese_tokenizer import VietnameseTokenizer

EXAMPLES = {
    "report_environment": [
        "rác thải đổ trộm đầy đầu hẻm",
        "bãi rác bốc mùi hôi thối",
        "có người đốt rác khói mù mịt",
        "nước thải chảy ra mương hôi quá",
    ],
    "report_traffic": [
        "đèn giao thông ở ngã tư bị hỏng",
        "xe tải chở quá tải chạy ầm ầm",
        "ô tô đỗ sai quy định chắn lối đi",
        "thanh niên đua xe lạng lách ban đêm",
    ],
    "greet": ["xin chào", "chào bạn", "alo ad ơi", "chào buổi sáng"],
}


def _context() -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), "test")


def _component(cls, storage, name, **config):
    return cls.create({**cls.get_default_config(), **config}, storage, Resource(name), _context())


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory):
    """Tokenizer and accentless featurizer trained on EXAMPLES, classifier trained and reloaded."""
    storage = LocalModelStorage(tmp_path_factory.mktemp("model"))
    tokenizer = _component(
        VietnameseTokenizer,
        storage,
        "tokenizer",
        abbreviations_file=str(REPO_ROOT / "nlu_data" / "normalization" / "abbreviations.yml"),
        lemma_joiner=" ",
    )
    featurizers = [  # two blocks, weighted and normalised each on its own
        _component(
            AccentlessCountVectorsFeaturizer, storage, "chars", analyzer="char_wb", min_ngram=2, max_ngram=4
        ),
        _component(
            AccentlessCountVectorsFeaturizer, storage, "words", analyzer="word", min_ngram=1, max_ngram=2
        ),
    ]
    data = TrainingData([Message.build(text, intent) for intent, texts in EXAMPLES.items() for text in texts])
    data = tokenizer.process_training_data(data)
    for featurizer in featurizers:
        featurizer.train(data)
        data = featurizer.process_training_data(data)
    config = LinearIntentClassifier.get_default_config()
    LinearIntentClassifier.create(config, storage, Resource("linear"), _context()).train(data)

    def retrain(folder):
        """A new classifier trained on the same features in another model storage."""
        storage = LocalModelStorage(folder)
        classifier = LinearIntentClassifier.create(config, storage, Resource("x"), _context())
        classifier.train(data)
        return classifier.model

    def load(**overrides):
        merged = {**config, **overrides}
        return LinearIntentClassifier.load(merged, storage, Resource("linear"), _context())

    def featurize(text: str, ranking=None, blocks: int | None = None) -> Message:
        message = Message(data={"text": text})
        if ranking is not None:
            message.set("intent_ranking", ranking)
        tokenizer.process([message])
        for featurizer in featurizers[:blocks]:
            featurizer.process([message])
        return message

    return load, featurize, retrain


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("đổ rác trộm ở đầu hẻm", "report_environment"),
        ("do rac trom o dau hem", "report_environment"),
        ("den giao thong hong roi", "report_traffic"),
        ("chào ad", "greet"),
    ],
)
def test_loaded_model_classifies_new_messages_with_and_without_diacritics(pipeline, text, intent):
    load, featurize, _ = pipeline
    message = load().process([featurize(text)])[0]
    ranking = message.get("intent_ranking")
    assert message.get("intent")["name"] == intent
    assert [r["name"] for r in ranking][0] == intent
    assert [r["confidence"] for r in ranking] == sorted((r["confidence"] for r in ranking), reverse=True)
    assert sum(r["confidence"] for r in ranking) == pytest.approx(1.0)


def test_blends_with_the_ranking_of_an_earlier_classifier(pipeline):
    load, featurize, _ = pipeline
    earlier = [{"name": "greet", "confidence": 0.9}, {"name": "report_traffic", "confidence": 0.1}]
    own = _confidences(load(own_weight=1.0).process([featurize("rác thải đổ trộm", earlier)])[0])
    blended = _confidences(load(own_weight=0.5).process([featurize("rác thải đổ trộm", earlier)])[0])
    prior = {r["name"]: r["confidence"] for r in earlier}
    for name, confidence in blended.items():
        assert confidence == pytest.approx(0.5 * own[name] + 0.5 * prior.get(name, 0.0))


def test_ranking_length_limits_the_ranking(pipeline):
    load, featurize, _ = pipeline
    message = load(ranking_length=2).process([featurize("xe tải chạy quá tải")])[0]
    assert len(message.get("intent_ranking")) == 2


def test_untrained_component_leaves_the_message_alone(tmp_path, pipeline):
    _, featurize, _ = pipeline
    storage = LocalModelStorage(tmp_path)
    config = LinearIntentClassifier.get_default_config()
    component = LinearIntentClassifier.load(config, storage, Resource("never_trained"), _context())
    message = featurize("xin chào", [{"name": "greet", "confidence": 0.7}])
    message.set("intent", {"name": "greet", "confidence": 0.7})
    component.process([message])
    assert message.get("intent") == {"name": "greet", "confidence": 0.7}


def test_features_unlike_the_training_ones_leave_the_message_alone(pipeline):
    load, featurize, _ = pipeline
    message = featurize("đèn giao thông hỏng", blocks=1)  # the word block is missing
    load().process([message])
    assert message.get("intent") is None


def test_training_twice_gives_the_same_model(tmp_path, pipeline):
    """config.yml's only intent model: the same data must give the same bot, bit for bit."""
    _, _, retrain = pipeline
    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir()
    first, second = retrain(tmp_path / "a"), retrain(tmp_path / "b")
    assert first.labels == second.labels and first.scale == second.scale
    assert (first.coef == second.coef).all() and (first.bias == second.bias).all()


def _confidences(message: Message) -> dict[str, float]:
    return {r["name"]: r["confidence"] for r in message.get("intent_ranking")}
