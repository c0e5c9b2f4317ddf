"""YAML export and import of the knowledge store, so a deployment can keep its knowledge in git.

    python -m bot.console.cli export DIR [--version N]       the published (or given) version as YAML files
    python -m bot.console.cli import DIR [--as NAME]         every changed document becomes a draft (reviewed
                                                             and published in the console as usual)
    python -m bot.console.cli import DIR --publish [--as NAME]   publish the folder as a new version at once

DIR has the layout of ``knowledge/data`` (``items/``, ``policies/``, ``referrals.yaml``; ``lexicon.yaml`` is
copied on export so the folder passes ``python -m knowledge.validate --root DIR``). The database is the
app's (``DATABASE_URL``). Every import is validated with the rules of ``make validate`` first.
"""

from __future__ import annotations

import argparse
import logging
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

import yaml

from bot.console import drafts, errors, versions
from bot.console.documents import KnowledgeSnapshot, body_hash, read_folder
from bot.db import get_engine, init_db, session_scope
from bot.db_startup import startup_lock
from knowledge.loader import ITEMS_DIR, POLICIES_DIR, REFERRALS_FILE, knowledge_root
from knowledge.query.lexicon import LEXICON_FILE

logger = logging.getLogger(__name__)


def _dump(path: Path, body: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(body, allow_unicode=True, sort_keys=False, width=110), encoding="utf-8")


def export_snapshot(snapshot: KnowledgeSnapshot, folder: Path) -> int:
    """Write the snapshot's documents as YAML files; returns how many files were written."""
    for sub in (ITEMS_DIR, POLICIES_DIR):
        shutil.rmtree(folder / sub, ignore_errors=True)
    for code, body in snapshot.items.items():
        _dump(folder / ITEMS_DIR / f"{code}.yaml", body)
    for doc_id, body in snapshot.policies.items():
        _dump(folder / POLICIES_DIR / f"{doc_id}.yaml", body)
    _dump(folder / REFERRALS_FILE, snapshot.referrals)
    lexicon = knowledge_root() / LEXICON_FILE
    if lexicon.is_file() and lexicon.resolve() != (folder / LEXICON_FILE).resolve():
        shutil.copyfile(lexicon, folder / LEXICON_FILE)
    return len(snapshot.items) + len(snapshot.policies) + 1


def import_as_drafts(folder: Path, *, author: str) -> list[str]:
    """Each document of the folder that differs from the published one becomes (a revision of) a draft."""
    incoming = read_folder(folder)
    changed: list[str] = []
    with session_scope() as session:
        published = versions.published_snapshot(session)
        for kind, key, body in incoming.documents():
            current = published.document(kind, key)
            if current is not None and body_hash(current) == body_hash(body):
                continue
            draft = versions.open_draft(session, kind, key)
            drafts.save_document_draft(
                session,
                kind,
                key,
                body,
                author=author,
                base_revision=draft.revision if draft is not None else None,
                note=f"从 {folder.name} 导入",
            )
            changed.append(f"{kind}/{key}")
    return changed


def import_and_publish(folder: Path, *, author: str) -> int:
    with session_scope() as session:
        return versions.import_snapshot(
            session, read_folder(folder), actor=author, note=f"从 {folder.name} 导入"
        ).number


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.console.cli", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    exp = sub.add_parser("export", help="write a version as YAML files")
    exp.add_argument("folder", type=Path)
    exp.add_argument("--version", type=int, default=None, help="default: the published version")
    imp = sub.add_parser("import", help="read YAML files as drafts (or, with --publish, as a new version)")
    imp.add_argument("folder", type=Path)
    imp.add_argument("--publish", action="store_true", help="publish at once instead of creating drafts")
    imp.add_argument("--as", dest="author", default="yaml-import", help="the name recorded as editor/publisher")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")

    engine = get_engine()
    with startup_lock(engine):
        init_db(engine)
    try:
        if args.command == "export":
            with session_scope() as session:
                version = args.version or versions.current_version(session)
                if version is None:
                    print("知识库尚未导入：先启动一次应用（make run）", file=sys.stderr)
                    return 1
                count = export_snapshot(versions.snapshot_of(session, version), args.folder)
            print(f"已导出版本 {version}：{count} 个文件 → {args.folder}")
        elif args.publish:
            print(f"已发布为版本 {import_and_publish(args.folder, author=args.author)}")
        else:
            changed = import_as_drafts(args.folder, author=args.author)
            print(f"已导入为草稿：{len(changed)} 个文档" + ("（" + "、".join(changed) + "）" if changed else ""))
    except errors.DraftInvalid as exc:
        for error in exc.errors:
            print(f"ERROR {error.path or '(文档)'}: {error.message}", file=sys.stderr)
        return 1
    except (errors.StoreError, ValueError) as exc:
        print(f"ERROR {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
