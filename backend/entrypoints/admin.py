"""Reference-data admin (sqladmin) at /admin: categories, units, aliases, departments, routing,
calendar. It is mounted only with an authentication backend (the console provides one)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from sqladmin import Admin, ModelView
from sqladmin.authentication import AuthenticationBackend
from sqlalchemy import Engine

from backend.adapters.db.models import (
    CalendarDay,
    Category,
    Department,
    PlaceAlias,
    RoutingRuleRow,
    Town,
    Unit,
)


class CategoryAdmin(ModelView, model=Category):
    name_plural = "Categories"
    column_list = [
        Category.code,
        Category.name_vi,
        Category.sla_working_days,
        Category.intent,
        Category.confidential,
    ]
    can_delete = False


class TownAdmin(ModelView, model=Town):
    column_list = [Town.code, Town.name]
    can_delete = False


class UnitAdmin(ModelView, model=Unit):
    column_list = [Unit.code, Unit.name, Unit.kind, Unit.town_code, Unit.province]
    can_delete = False


class PlaceAliasAdmin(ModelView, model=PlaceAlias):
    name_plural = "Place aliases"
    column_list = [PlaceAlias.alias, PlaceAlias.unit_code, PlaceAlias.town_code, PlaceAlias.source]
    column_searchable_list = [PlaceAlias.alias]


class DepartmentAdmin(ModelView, model=Department):
    column_list = [
        Department.code,
        Department.name,
        Department.scope,
        Department.town_code,
        Department.active,
    ]
    column_searchable_list = [Department.name]
    can_delete = False


class RoutingRuleAdmin(ModelView, model=RoutingRuleRow):
    name = "Routing rule"
    column_list = [
        RoutingRuleRow.category_code,
        RoutingRuleRow.unit_code,
        RoutingRuleRow.town_code,
        RoutingRuleRow.department_code,
    ]
    form_columns = ["category_code", "unit_code", "town_code", "department_code"]


class CalendarDayAdmin(ModelView, model=CalendarDay):
    name = "Calendar day"
    column_list = [CalendarDay.day, CalendarDay.kind, CalendarDay.name]
    column_default_sort = [(CalendarDay.day, False)]


VIEWS: list[Any] = [
    CategoryAdmin,
    TownAdmin,
    UnitAdmin,
    PlaceAliasAdmin,
    DepartmentAdmin,
    RoutingRuleAdmin,
    CalendarDayAdmin,
]


def mount_admin(app: FastAPI, engine: Engine, authentication_backend: AuthenticationBackend) -> Admin:
    """Mount the reference-data admin at /admin behind the given authentication."""
    admin = Admin(
        app,
        engine,
        base_url="/admin",
        title="IOC – dữ liệu danh mục",
        authentication_backend=authentication_backend,
    )
    for view in VIEWS:
        admin.add_view(view)
    return admin
