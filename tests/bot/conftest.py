"""Shared fixtures for the bot components: a trained EntityValueNormalizer on the real gazetteer."""

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.loading import load_data

from bot.components.entity_normalizer import EntityValueNormalizer
from bot.components.text_normalization import REPO_ROOT

GAZETTEER = REPO_ROOT / "nlu_data" / "gazetteer" / "areas.yml"


@pytest.fixture(scope="session")
def gazetteer_data():
    return load_data(str(GAZETTEER))


@pytest.fixture(scope="session")
def entity_normalizer(tmp_path_factory, gazetteer_data):
    """Train, persist and load the normaliser the way Rasa does."""
    storage = LocalModelStorage(tmp_path_factory.mktemp("model"))
    resource = Resource("entity_value_normalizer")
    context = ExecutionContext(GraphSchema({}), "test")
    config = EntityValueNormalizer.get_default_config()
    EntityValueNormalizer.create(config, storage, resource, context).train(gazetteer_data)
    return EntityValueNormalizer.load(config, storage, resource, context)
