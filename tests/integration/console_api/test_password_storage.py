"""Passwords are stored as argon2id hashes, never as given: for accounts an administrator creates
or resets through the API, and for the first administrator made by the `create-admin` command."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from argon2 import PasswordHasher
from console_testkit import login
from fastapi.testclient import TestClient
from sqlalchemy import select

from backend.adapters.db.user_models import User
from backend.bootstrap import Container

ROOT = Path(__file__).resolve().parents[3]


def stored_hash(container: Container, username: str) -> str:
    """The password column of an account, as the database holds it."""
    with container.session_factory() as session:
        return str(session.scalar(select(User.password_hash).where(User.username == username)))


def assert_argon2id_of(stored: str, password: str) -> None:
    """`stored` is an argon2id hash of `password`, and does not contain it."""
    assert stored.startswith("$argon2id$"), stored[:20]
    assert password not in stored
    assert PasswordHasher().verify(stored, password)


def test_accounts_created_and_reset_through_the_api_keep_only_an_argon2id_hash(
    client_as: Callable[[str], TestClient], anonymous: TestClient, backend_container: Container
) -> None:
    admin = client_as("administrator")
    first, second = "mat-khau-ban-dau-2026", "mat-khau-moi-2026"
    body = {"username": "bam.mat.khau", "password": first, "full_name": "Kiểm Tra Băm", "role": "leader"}
    assert admin.post("/api/v1/users", json=body).status_code == 201
    created = stored_hash(backend_container, "bam.mat.khau")
    assert_argon2id_of(created, first)
    assert admin.patch("/api/v1/users/bam.mat.khau", json={"password": second}).status_code == 200
    reset = stored_hash(backend_container, "bam.mat.khau")
    assert_argon2id_of(reset, second)
    assert reset != created
    assert login(anonymous, "bam.mat.khau", first).status_code == 401
    assert login(anonymous, "bam.mat.khau", second).status_code == 200


def test_the_create_admin_command_stores_a_hash_and_the_administrator_can_log_in(
    database_url: str, anonymous: TestClient, backend_container: Container
) -> None:
    password = "mat-khau-quan-tri-dau-tien"
    env = {**os.environ, "DATABASE_URL": database_url, "FIRST_ADMIN_PASSWORD": password}
    command = [sys.executable, "-m", "backend.entrypoints.cli", "create-admin", "--username", "Quan.Tri.Dau"]
    command += ["--password-env", "FIRST_ADMIN_PASSWORD", "--full-name", "Quản Trị Đầu Tiên"]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "administrator created: quan.tri.dau" in done.stdout
    assert password not in done.stdout + done.stderr
    assert_argon2id_of(stored_hash(backend_container, "quan.tri.dau"), password)
    response = login(anonymous, "quan.tri.dau", password)
    assert response.status_code == 200
    assert (response.json()["role"], response.json()["full_name"]) == ("administrator", "Quản Trị Đầu Tiên")
    assert anonymous.get("/api/v1/users").status_code == 200  # an administrator's page
