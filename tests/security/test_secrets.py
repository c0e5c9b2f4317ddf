"""Internal secrets: generated and kept for local development, never defaulted in production."""

from __future__ import annotations

import base64
import stat
from pathlib import Path

import pytest

from bot.core.secrets import APP_SECRETS, SECRETS, MissingSecretError, ensure_secrets, require


def test_generated_once_kept_private_and_stable(tmp_path: Path) -> None:
    folder = tmp_path / "secrets"
    first = ensure_secrets(folder, {})
    assert set(first) == set(SECRETS)
    assert all(len(v) >= 32 for v in first.values())
    assert len(set(first.values())) == len(first)  # no secret reused for another surface
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for name in SECRETS:
        assert stat.S_IMODE((folder / name).stat().st_mode) == 0o600
    assert ensure_secrets(folder, {}) == first  # a restart keeps them: desk sessions survive


def test_pii_key_is_a_valid_fernet_key(tmp_path: Path) -> None:
    key = ensure_secrets(tmp_path, {})["PII_ENCRYPTION_KEY"]
    assert len(base64.urlsafe_b64decode(key)) == 32
    cryptography = pytest.importorskip("cryptography.fernet")
    f = cryptography.Fernet(key.encode())
    assert f.decrypt(f.encrypt(b"13812348000")) == b"13812348000"


def test_explicit_environment_wins(tmp_path: Path) -> None:
    got = ensure_secrets(tmp_path, {"INTERNAL_API_TOKEN": "from-the-environment"})
    assert got["INTERNAL_API_TOKEN"] == "from-the-environment"
    assert not (tmp_path / "INTERNAL_API_TOKEN").exists()


def test_production_never_generates(tmp_path: Path) -> None:
    env = {"APP_ENV": "production", "INTERNAL_API_TOKEN": "x" * 40}
    with pytest.raises(MissingSecretError) as err:
        ensure_secrets(tmp_path / "secrets", env)
    assert "DESK_SECRET_KEY" in str(err.value) and "INTERNAL_API_TOKEN" not in str(err.value)
    assert not (tmp_path / "secrets").exists()
    full = {"APP_ENV": "production", **{n: "v" * 40 for n in SECRETS}}
    assert ensure_secrets(tmp_path / "secrets", full)["ACTION_SERVER_TOKEN"] == "v" * 40


def test_app_refuses_to_start_in_production_without_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.app import create_app

    monkeypatch.setenv("APP_ENV", "production")
    for name in APP_SECRETS:
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(MissingSecretError):
        create_app()
    require(APP_SECRETS, {"APP_ENV": "development"})  # local development: no error


def test_stack_children_get_every_secret(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from scripts.stack import StackConfig

    for name in SECRETS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("APP_ENV", raising=False)
    env = StackConfig(var_dir=tmp_path).env()
    assert all(env[name] for name in SECRETS)
    assert StackConfig(var_dir=tmp_path).env()["DESK_SECRET_KEY"] == env["DESK_SECRET_KEY"]
