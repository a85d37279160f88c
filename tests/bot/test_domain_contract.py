"""The bot's domain against the shared category contract, the NLU data and the action server."""

import ast
import re
from pathlib import Path

import yaml
from rasa.shared.core.domain import Domain
from rasa.shared.nlu.training_data.loading import load_data
from rasa_sdk.executor import ActionExecutor

REPO_ROOT = Path(__file__).resolve().parents[2]
DOMAIN = Domain.load(str(REPO_ROOT / "bot" / "domain"))
CATEGORIES = yaml.safe_load((REPO_ROOT / "reference" / "categories.yml").read_text(encoding="utf-8"))[
    "categories"
]
RASA_DEFAULT_INTENTS = {"restart", "back", "out_of_scope", "session_start", "nlu_fallback"}


def test_every_category_has_its_report_intent_and_vice_versa():
    contract = {row["intent"] for row in CATEGORIES}
    assert {row["intent"] for row in CATEGORIES} == {f"report_{row['code']}" for row in CATEGORIES}
    assert {intent for intent in DOMAIN.intents if intent.startswith("report_")} == contract


def test_the_category_buttons_offer_every_category():
    payloads = {button["payload"] for button in DOMAIN.responses["utter_ask_category"][0]["buttons"]}
    assert payloads == {f"/{row['intent']}" for row in CATEGORIES}


def test_every_domain_intent_has_training_examples():
    examples = load_data(str(REPO_ROOT / "nlu_data" / "intents")).intents
    assert set(DOMAIN.intents) - RASA_DEFAULT_INTENTS <= examples


def test_the_action_server_serves_every_custom_action_of_the_domain():
    executor = ActionExecutor()
    executor.register_package("actions")
    custom = {name for name in DOMAIN.user_actions if not name.startswith("utter_")}
    assert custom <= set(executor.actions)


def test_every_response_the_actions_use_exists():
    used = set()
    for module in (REPO_ROOT / "actions").glob("*.py"):
        used |= set(re.findall(r"\"(utter_[a-z_]+)\"", module.read_text(encoding="utf-8")))
    assert used <= set(DOMAIN.responses)


def test_the_form_asks_for_every_required_slot():
    for slot in DOMAIN.required_slots_for_form("report_form"):
        assert f"utter_ask_{slot}" in DOMAIN.responses, slot


def test_responses_speak_vietnamese_politely():
    for name, variations in DOMAIN.responses.items():
        for variation in variations:
            assert re.search(r"[ạảãáàâăêôơưđ]", variation["text"]), name


def test_actions_talk_to_the_backend_over_http_only():
    for module in (REPO_ROOT / "actions").glob("*.py"):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        imported = {
            name.split(".")[0]
            for node in ast.walk(tree)
            if isinstance(node, ast.Import | ast.ImportFrom)
            for name in (
                [alias.name for alias in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            )
        }
        assert not imported & {"backend", "channels", "bot"}, module.name
