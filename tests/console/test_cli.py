"""YAML export/import: a round trip keeps the content; an import creates drafts or, with --publish, a version;
a folder that breaks a rule is refused and changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.console import cli, versions
from bot.console.documents import KnowledgeSnapshot, read_folder
from bot.db import session_scope
from knowledge.validate import validate

NURSE = "nurse-practice-registration"


def published() -> KnowledgeSnapshot:
    with session_scope() as session:  # a short transaction: SQLite has one writer at a time
        return versions.published_snapshot(session)


def test_export_is_valid_yaml_equal_to_the_published_version(console_env: str, tmp_path: Path) -> None:
    assert cli.main(["export", str(tmp_path / "kb")]) == 0
    exported = read_folder(tmp_path / "kb")
    assert exported.content_hash == published().content_hash
    assert validate(tmp_path / "kb").ok  # the same rules as make validate


def test_import_as_drafts_then_with_publish(console_env: str, tmp_path: Path) -> None:
    folder = tmp_path / "kb"
    cli.main(["export", str(folder)])
    path = folder / "items" / f"{NURSE}.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["aliases"].append("护士证件注册")
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")

    assert cli.main(["import", str(folder), "--as", "git-sync"]) == 0
    with session_scope() as session:
        draft = versions.open_draft(session, "item", NURSE)
        assert draft is not None and draft.author == "git-sync" and "护士证件注册" in draft.body["aliases"]
    assert published().version == 1  # drafts only

    assert cli.main(["import", str(folder), "--publish"]) == 0
    assert published().version == 2
    assert "护士证件注册" in published().items[NURSE]["aliases"]


def test_an_invalid_folder_is_refused(console_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "kb"
    cli.main(["export", str(folder)])
    path = folder / "items" / f"{NURSE}.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["guides"][0]["statutory_time_limit"] = "很快"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert cli.main(["import", str(folder), "--publish"]) == 1
    assert "statutory_time_limit" in capsys.readouterr().err
    assert published().version == 1
