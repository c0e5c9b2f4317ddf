"""Publishing swaps the engine of a running process: the poll sees the new version, rebuilds the engine
(re-embedding only changed chunks) and swaps it; a newly published alias is understood at once."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from bot.console import drafts, live, review, versions
from knowledge import service
from knowledge.config import get_settings
from tests.console.conftest import EDITOR, REVIEWER

NURSE = "nurse-practice-registration"
NEW_ALIAS = "白衣天使上岗证"  # in no item, no lexicon, no Rasa data


@pytest.fixture
def hashing_engine(console_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    index_dir = tmp_path / "index"
    monkeypatch.setenv("KNOWLEDGE_EMBEDDER", "hashing")
    monkeypatch.setenv("KNOWLEDGE_LEARNED", "false")
    monkeypatch.setenv("KNOWLEDGE_INDEX_DIR", str(index_dir))
    get_settings.cache_clear()
    service.reset()
    service.set_catalog_source(live.database_source)
    yield index_dir
    service.reset()
    get_settings.cache_clear()


def _publish_alias(session: Session, alias: str) -> int:
    doc = copy.deepcopy(versions.item_document(session, NURSE)[0])
    doc["aliases"].append(alias)
    draft = drafts.save_draft(session, NURSE, doc, author=EDITOR.username, base_revision=None)
    review.approve_draft(session, draft.id, actor=REVIEWER)
    return review.publish(session, actor=REVIEWER).number


def test_a_published_alias_is_answered_after_the_poll_without_restart(hashing_engine: Path, session: Session) -> None:
    first = service.current()
    assert first.version == 1
    before = first.engine.ask(f"{NEW_ALIAS}要什么材料")
    assert before.item is None or before.item.code != NURSE or before.kind != "answer"

    version = _publish_alias(session, NEW_ALIAS)
    assert service.live_version() == 1  # nothing changes until the poll
    assert live.refresh_once(set()) == version
    assert service.live_version() == version
    answer = service.get_engine().ask(f"{NEW_ALIAS}要什么材料")
    assert answer.item is not None and answer.item.code == NURSE
    assert first.engine.ask(f"{NEW_ALIAS}要什么材料").item == before.item  # the old engine is untouched

    manifest = json.loads((hashing_engine / "hashing-256" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["knowledge_version"] == version  # the index on disk names what it was built from
    assert manifest["content_hash"]


def test_only_changed_chunks_are_embedded_again(hashing_engine: Path, session: Session) -> None:
    service.current()
    embedder = service._shared_embedder()
    assert embedder.embedded_last > 100  # the first build embeds everything
    _publish_alias(session, NEW_ALIAS)
    live.refresh_once(set())
    assert embedder.embedded_last == 1  # the item's names chunk is the only new text


def test_a_version_that_fails_to_build_keeps_the_old_engine(
    hashing_engine: Path, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    service.current()
    version = _publish_alias(session, NEW_ALIAS)

    def broken(*_args: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(service, "build_engine", broken)
    failed: set[int] = set()
    assert live.refresh_once(failed) == 1
    assert failed == {version} and service.live_version() == 1
