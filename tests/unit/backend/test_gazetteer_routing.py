"""Place names (old and new, any spelling) → unit in force → department, with fallbacks."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from backend.domain.gazetteer import Gazetteer, Place
from backend.domain.routing import RoutingRule, RoutingTable
from backend.services.reference_service import place_aliases

REFERENCE = Path(__file__).resolve().parents[3] / "reference"


def read(name: str) -> dict:  # type: ignore[type-arg]
    return yaml.safe_load((REFERENCE / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    aliases = place_aliases(read("units.yml"))
    return Gazetteer((a.alias, Place(a.town_code, a.unit_code)) for a in aliases)


@pytest.fixture(scope="module")
def table() -> RoutingTable:
    doc = read("routing.yml")
    rules = [RoutingRule(r["category"], r["department"], r.get("unit"), r.get("town")) for r in doc["rules"]]
    return RoutingTable(rules, doc["fallback_department"])


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("Cẩm Châu", "hoi_an_dong"),
        ("phường cẩm châu", "hoi_an_dong"),
        ("cam chau", "hoi_an_dong"),
        ("P. Minh An, Hội An", "hoi_an"),
        ("gần chợ, phuong son phong", "hoi_an"),
        ("xã Cẩm Thanh", "hoi_an_dong"),
        ("An Mỹ", "tam_ky"),
        ("đường Phan Châu Trinh, phường An Xuân, TP Tam Kỳ", "tam_ky"),
        ("Tam Thăng", "ban_thach"),
        ("Hội An Tây", "hoi_an_tay"),
        ("phuong hoi an dong", "hoi_an_dong"),
        ("Phường Bàn Thạch", "ban_thach"),
        ("Cù Lao Chàm, xã Tân Hiệp", "tan_hiep"),
    ],
)
def test_old_and_new_names_resolve_to_the_unit_in_force(gazetteer: Gazetteer, text: str, unit: str) -> None:
    place = gazetteer.resolve(text)
    assert place is not None and place.unit_code == unit


def test_every_old_ward_of_the_pilot_towns_resolves(gazetteer: Gazetteer) -> None:
    for unit in read("units.yml")["units"]:
        for old in unit["old_names"]:
            assert gazetteer.resolve(old["name"]) == Place(unit["town"], unit["code"]), old["name"]


def test_town_name_with_prefix_resolves_to_the_town_only(gazetteer: Gazetteer) -> None:
    assert gazetteer.resolve("ở thành phố Tam Kỳ") == Place("tam_ky", None)
    assert gazetteer.resolve("tp hoi an") == Place("hoi_an", None)


def test_unknown_place_and_later_texts(gazetteer: Gazetteer) -> None:
    assert gazetteer.resolve("ngoài bờ biển", None, "") is None
    assert gazetteer.resolve(None, "ngõ 5", "Cẩm Nam") == Place("hoi_an", "hoi_an")


def test_unit_rule_wins(table: RoutingTable) -> None:
    decision = table.route("urban_order", Place("hoi_an", "hoi_an_tay"))
    assert (decision.department, decision.matched) == ("ubnd_hoi_an_tay", "unit")


def test_town_rule_when_the_unit_has_none(table: RoutingTable) -> None:
    decision = table.route("security", Place("tam_ky", "huong_tra"))
    assert (decision.department, decision.matched) == ("tam_ky_police", "town")


def test_town_only_place_uses_the_town_rule(table: RoutingTable) -> None:
    assert table.route("traffic", Place("hoi_an", None)).department == "hoi_an_traffic_police"


def test_unknown_place_falls_back_to_the_dispatch_desk(table: RoutingTable) -> None:
    decision = table.route("environment", None)
    assert (decision.department, decision.matched) == ("ioc_dispatch", "fallback")
    assert table.route("environment", Place("da_nang", None)).department == "ioc_dispatch"


def test_every_category_and_unit_has_a_department(table: RoutingTable) -> None:
    categories = [c["code"] for c in read("categories.yml")["categories"]]
    for unit in read("units.yml")["units"]:
        for category in categories:
            decision = table.route(category, Place(unit["town"], unit["code"]))
            assert decision.matched in ("unit", "town"), (category, unit["code"])
