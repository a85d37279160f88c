"""Area gazetteer: old and new unit names, any spelling -> canonical name with diacritics."""

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.components import build_gazetteer
from bot.components.area_gazetteer import AreaGazetteer
from bot.components.area_names import matching_key, unit_name
from bot.components.text_normalization import REPO_ROOT

GAZETTEER = REPO_ROOT / "nlu_data" / "gazetteer" / "areas.yml"


def area_value(normalizer, text):
    message = Message(
        {"text": text, "entities": [{"entity": "area", "start": 0, "end": len(text), "value": text}]}
    )
    normalizer.process([message])
    entity = message.get("entities")[0]
    assert (entity["start"], entity["end"]) == (0, len(text))
    return entity["value"]


@pytest.mark.parametrize(
    "typed, canonical",
    [
        ("phuong cam chau", "Cẩm Châu"),
        ("Phường Cẩm Châu", "Cẩm Châu"),
        ("P.Cẩm Phô", "Cẩm Phô"),
        ("p cam pho", "Cẩm Phô"),
        ("hoi an", "Hội An"),
        ("TP Hội An", "Hội An"),
        ("tp tam ky", "Tam Kỳ"),
        ("T.P. Tam Kỳ", "Tam Kỳ"),
        ("phường quảng phú", "Quảng Phú"),
        ("thành phố Tam Kỳ", "Tam Kỳ"),
        ("thanh pho tam ky", "Tam Kỳ"),
        ("xa tam thang", "Tam Thăng"),
        ("xã Tam Thanh", "Tam Thanh"),
        ("Phường Hoà Thuận", "Hòa Thuận"),
        ("hoa thuan", "Hòa Thuận"),
        ("cua dai", "Cửa Đại"),
        ("  Minh   An ", "Minh An"),
        ("Ho\u0323\u0302i An", "Hội An"),
    ],
)
def test_old_unit_names_any_spelling(entity_normalizer, typed, canonical):
    assert area_value(entity_normalizer, typed) == canonical


@pytest.mark.parametrize(
    "typed, canonical",
    [
        ("phường Hội An Đông", "Hội An Đông"),
        ("hoi an tay", "Hội An Tây"),
        ("phuong ban thach", "Bàn Thạch"),
        ("Hương Trà", "Hương Trà"),
        ("quang phu", "Quảng Phú"),
        ("xã Tân Hiệp", "Tân Hiệp"),
        ("phuong tam ky", "Tam Kỳ"),
    ],
)
def test_units_in_force_since_july_2025(entity_normalizer, typed, canonical):
    assert area_value(entity_normalizer, typed) == canonical


def test_a_known_unit_inside_a_longer_span(entity_normalizer):
    assert area_value(entity_normalizer, "cam chau bi") == "Cẩm Châu"


def test_unknown_places_are_left_as_extracted(entity_normalizer):
    assert area_value(entity_normalizer, "Hà Nội") == "Hà Nội"


def test_other_entities_untouched(entity_normalizer):
    message = Message(
        {"text": "x", "entities": [{"entity": "location", "start": 0, "end": 1, "value": "hoi an"}]}
    )
    entity_normalizer.process([message])
    assert message.get("entities")[0]["value"] == "hoi an"


def test_matching_key_strips_prefixes_and_diacritics():
    assert matching_key("TP. Tam Kỳ") == "tam ky"
    assert matching_key("phường Quảng Phú") == "quang phu"  # "quan" is not a prefix of "quảng"
    assert matching_key("Phường  Hoà Thuận", keep_diacritics=True) == "hòa thuận"
    assert unit_name("Thành phố Hội An") == "Hội An"


def test_committed_gazetteer_matches_underthesea_mapping():
    records = build_gazetteer.load_records()
    build_gazetteer.validate(records)
    assert GAZETTEER.read_text(encoding="utf-8") == build_gazetteer.render(
        build_gazetteer.collect_units(records)
    )


def test_gazetteer_covers_both_pilot_towns_old_and_new(gazetteer_data):
    gazetteer = AreaGazetteer.from_training_data(gazetteer_data)
    names = set(gazetteer.aliases.values())
    assert {"Minh An", "Cẩm Châu", "Cẩm Thanh", "An Mỹ", "Tân Thạnh", "Tam Thăng"} <= names
    assert {"Hội An", "Hội An Đông", "Hội An Tây", "Tam Kỳ", "Bàn Thạch", "Hương Trà", "Quảng Phú"} <= names


def test_an_area_that_is_only_a_type_word_is_dropped(entity_normalizer):
    text = "rac o tp tam ky"
    found = [
        {"entity": "area", "start": 6, "end": 8, "value": "tp"},
        {"entity": "area", "start": 9, "end": 15, "value": "tam ky"},
    ]
    message = Message({"text": text, "entities": found})
    entity_normalizer.process([message])
    assert [e["value"] for e in message.get("entities")] == ["Tam Kỳ"]
