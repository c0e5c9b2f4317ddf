"""Validate the curated knowledge base and print a curator's review list.

    python -m knowledge.validate [--root DIR] [--max-age-days 365] [--today YYYY-MM-DD] [--errors-only]
                                 [--stale-as warning|error]

Errors (exit 1): schema errors per file, guides without a source,
duplicate codes/ids, an alias or name shared by two items, an alias equal to another item's name,
unknown item codes in `related` / `related_items`.
Errors also cover the vocabulary: `lexicon.yaml` (schema, distinct priorities, a cue given to two
aspects) and `referrals.yaml` (schema, a keyword listed for two departments).
Warnings (exit 0): stale `last_verified` (older than --max-age-days on the reference date), curator
flags, draft and superseded guides, guides resting only on weak sources, aliases repeated inside one item,
a referral keyword that also names one of our items.

Staleness depends on the day the check runs, so by default it is a warning: CI (`make validate`,
`scripts/test.sh`) must not start failing on some future day with no change to the data. The stale
guides still head the curators' review list; ``--stale-as error`` makes them fail the run (for a
curator's own pre-publication check).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from knowledge.loader import (
    ITEMS_DIR,
    POLICIES_DIR,
    REFERRALS_FILE,
    KnowledgeDataError,
    knowledge_root,
    load_referrals,
    parse_file,
    read_yaml,
)
from knowledge.query.lexicon import LEXICON_FILE, load_lexicon_file
from knowledge.schema import PolicyDocument, ServiceItem, Status, Trust

DEFAULT_MAX_AGE_DAYS = 365
"""`last_verified` older than this many days is stale (here and in the console's review list)."""


def stale_days(last_verified: dt.date, today: dt.date, max_age_days: int = DEFAULT_MAX_AGE_DAYS) -> int | None:
    """How many days old a verification is, when that is past the limit; None while it is fresh."""
    age = (today - last_verified).days
    return age if age > max_age_days else None


def only_weak(trusts: Sequence[str]) -> bool:
    """A guide resting only on weak sources (third-party agents, low-credibility mirrors)."""
    return bool(trusts) and all(Trust(t) is Trust.weak for t in trusts)


class Level(StrEnum):
    error = "ERROR"
    warning = "WARN"


@dataclass(frozen=True)
class Issue:
    level: Level
    where: str  # relative file path, optionally with "#guide-id"
    message: str

    def line(self) -> str:
        return f"{self.level.value:<5} {self.where}: {self.message}"


@dataclass
class ValidationReport:
    items: list[ServiceItem] = field(default_factory=list)
    policies: list[PolicyDocument] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.level is Level.error]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.level is Level.warning]

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        guides = sum(len(i.guides) for i in self.items)
        points = sum(len(p.points) for p in self.policies)
        verdict = "OK" if self.ok else "FAILED"
        return (
            f"知识库校验 {verdict}: {len(self.items)} 个事项 items, {guides} 份指南 guides, "
            f"{len(self.policies)} 份政策文件 policies ({points} 个要点 points); "
            f"错误 errors {len(self.errors)}, 警告 warnings {len(self.warnings)}"
        )


def normalise_name(text: str) -> str:
    """Key for comparing names and aliases: NFKC, case-folded, inner whitespace removed."""
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


class _Checker:
    def __init__(self, root: Path, max_age_days: int, today: dt.date, stale_level: Level) -> None:
        self.root = root
        self.stale_level = stale_level
        self.max_age = dt.timedelta(days=max_age_days)
        self.today = today
        self.report = ValidationReport()
        self.item_files: dict[str, str] = {}  # code -> relative path

    def rel(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    def add(self, level: Level, where: str, message: str) -> None:
        self.report.issues.append(Issue(level, where, message))

    # --- loading -----------------------------------------------------------------------------

    def precheck_sources(self, path: Path, raw: Any) -> None:
        """Name guides without a source before the schema error does (clearer for curators)."""
        if not isinstance(raw, dict):
            return
        for index, guide in enumerate(raw.get("guides") or []):
            if isinstance(guide, dict) and not guide.get("sources"):
                gid = guide.get("id") or f"guides[{index}]"
                self.add(Level.error, f"{self.rel(path)}#{gid}", "指南没有来源 guide has no source")

    def load(self) -> None:
        items_dir = self.root / ITEMS_DIR
        if not items_dir.is_dir():
            self.add(Level.error, ITEMS_DIR, "目录不存在 directory missing")
        for path in sorted(items_dir.glob("*.yaml")):
            try:
                self.precheck_sources(path, read_yaml(path))
                item = parse_file(path, ServiceItem)
            except KnowledgeDataError as exc:
                self.add(Level.error, self.rel(path), exc.detail)
                continue
            if path.stem != item.code:
                self.add(Level.error, self.rel(path), f"文件名应为 file name must be {item.code}.yaml")
            if item.code in self.item_files:
                self.add(Level.error, self.rel(path), f"重复的事项代码 duplicate item code {item.code}")
                continue
            self.item_files[item.code] = self.rel(path)
            self.report.items.append(item)
        for path in sorted((self.root / POLICIES_DIR).glob("*.yaml")):
            try:
                self.report.policies.append(parse_file(path, PolicyDocument))
            except KnowledgeDataError as exc:
                self.add(Level.error, self.rel(path), exc.detail)

    # --- checks ------------------------------------------------------------------------------

    def check_ids(self) -> None:
        seen: dict[str, str] = {}
        for item in self.report.items:
            for guide in item.guides:
                if guide.id in seen:
                    self.add(
                        Level.error,
                        self.item_files[item.code],
                        f"重复的指南 id duplicate guide id {guide.id} (also in {seen[guide.id]})",
                    )
                seen[guide.id] = self.item_files[item.code]
        policy_ids: set[str] = set()
        point_ids: set[str] = set()
        for doc in self.report.policies:
            where = f"{POLICIES_DIR}/{doc.id}.yaml"
            if doc.id in policy_ids:
                self.add(Level.error, where, f"重复的政策文件 id duplicate policy id {doc.id}")
            policy_ids.add(doc.id)
            for point in doc.points:
                if point.id in point_ids:
                    self.add(Level.error, where, f"重复的要点 id duplicate point id {point.id}")
                point_ids.add(point.id)

    def check_names(self) -> None:
        owners: dict[str, list[tuple[str, str, str]]] = defaultdict(list)  # key -> [(code, kind, text)]
        names = {normalise_name(item.name): item.code for item in self.report.items}
        for item in self.report.items:
            where = self.item_files[item.code]
            owners[normalise_name(item.name)].append((item.code, "name", item.name))
            seen_here: set[str] = {normalise_name(item.name)}
            for alias in item.aliases:
                key = normalise_name(alias)
                if not key:
                    self.add(Level.error, where, "空别名 empty alias")
                    continue
                if key in seen_here:
                    self.add(Level.warning, where, f"别名在本事项内重复或等于名称 alias repeated in item: {alias}")
                    continue
                seen_here.add(key)
                owner = names.get(key)
                if owner is not None and owner != item.code:
                    self.add(Level.error, where, f"别名等于另一事项的名称 alias {alias!r} is the name of item {owner}")
                owners[key].append((item.code, "alias", alias))
        for entries in owners.values():
            codes = sorted({code for code, _, _ in entries})
            if len(codes) > 1:
                text = entries[0][2]
                if all(kind == "alias" for _, kind, _ in entries):
                    self.add(
                        Level.error,
                        self.item_files[codes[0]],
                        f"别名属于多个事项 duplicate alias {text!r} in items {', '.join(codes)}",
                    )
                elif sum(kind == "name" for _, kind, _ in entries) > 1:
                    self.add(
                        Level.error,
                        self.item_files[codes[0]],
                        f"事项名称重复 duplicate item name {text!r} in items {', '.join(codes)}",
                    )

    def check_references(self) -> None:
        codes = set(self.item_files)
        for item in self.report.items:
            where = self.item_files[item.code]
            for code in item.related:
                if code == item.code:
                    self.add(Level.warning, where, "related 指向自身 related lists the item itself")
                elif code not in codes:
                    self.add(Level.error, where, f"related 中的未知事项代码 unknown item code {code!r}")
        for doc in self.report.policies:
            for point in doc.points:
                for code in point.related_items:
                    if code not in codes:
                        self.add(
                            Level.error,
                            f"{POLICIES_DIR}/{doc.id}.yaml#{point.id}",
                            f"related_items 中的未知事项代码 unknown item code {code!r}",
                        )

    def check_freshness(self) -> None:
        for item in self.report.items:
            for guide in item.guides:
                days = stale_days(guide.last_verified, self.today, self.max_age.days)
                if days is not None:
                    self.add(
                        self.stale_level,
                        f"{self.item_files[item.code]}#{guide.id}",
                        f"核验过期 stale: last_verified {guide.last_verified.isoformat()} "
                        f"is {days} days old (max {self.max_age.days})",
                    )
        for doc in self.report.policies:
            days = stale_days(doc.last_verified, self.today, self.max_age.days)
            if days is not None:
                self.add(
                    self.stale_level,
                    f"{POLICIES_DIR}/{doc.id}.yaml",
                    f"核验过期 stale: last_verified {doc.last_verified.isoformat()} is {days} days old",
                )

    def check_vocabulary(self) -> None:
        """lexicon.yaml and referrals.yaml: their schemas, and clashes with the items' names."""
        if not (self.root / LEXICON_FILE).is_file():
            self.add(Level.error, LEXICON_FILE, "文件不存在 file missing")
        else:
            try:
                load_lexicon_file(self.root / LEXICON_FILE)
            except KnowledgeDataError as exc:
                self.add(Level.error, LEXICON_FILE, exc.detail)
        try:
            referrals = load_referrals(self.root)
        except KnowledgeDataError as exc:
            self.add(Level.error, REFERRALS_FILE, exc.detail)
            return
        owner: dict[str, str] = {}
        names = {normalise_name(n): i.code for i in self.report.items for n in (i.name, *i.aliases)}
        for referral in referrals:
            for keyword in referral.keywords:
                key = normalise_name(keyword)
                if key in owner and owner[key] != referral.department:
                    self.add(
                        Level.error,
                        REFERRALS_FILE,
                        f"关键词属于两个部门 keyword {keyword!r} listed for {owner[key]} and {referral.department}",
                    )
                owner[key] = referral.department
                if key in names:
                    self.add(
                        Level.warning,
                        REFERRALS_FILE,
                        f"关键词是本部门事项名称 keyword {keyword!r} names our item {names[key]}",
                    )

    def review_list(self) -> None:
        for item in self.report.items:
            for guide in item.guides:
                where = f"{self.item_files[item.code]}#{guide.id}"
                if guide.status is Status.draft:
                    self.add(Level.warning, where, "草案 draft: 不得直接作为答复依据 not in force")
                elif guide.status is Status.superseded:
                    self.add(Level.warning, where, "已被取代 superseded: 仅作历史参考 historical only")
                if only_weak([source.trust for source in guide.sources]):
                    self.add(Level.warning, where, "仅有低可信来源 only weak sources")
                for flag in guide.curator_flags:
                    self.add(Level.warning, where, f"标记 flag: {flag}")

    def run(self) -> ValidationReport:
        self.load()
        self.check_ids()
        self.check_names()
        self.check_references()
        self.check_freshness()
        self.check_vocabulary()
        self.review_list()
        return self.report


def validate(
    root: Path | None = None,
    *,
    max_age_days: int = DEFAULT_MAX_AGE_DAYS,
    today: dt.date | None = None,
    stale_level: Level = Level.warning,
) -> ValidationReport:
    """Check every data file under `root` (default: the knowledge root) and return the findings."""
    folder = Path(root) if root is not None else knowledge_root()
    return _Checker(folder, max_age_days, today or dt.date.today(), stale_level).run()


def main(argv: Sequence[str] | None = None, *, today: dt.date | None = None) -> int:
    """The command line; ``today`` is the reference date when ``--today`` is not given (tests inject it)."""
    parser = argparse.ArgumentParser(
        prog="python -m knowledge.validate", description="Validate the curated knowledge base."
    )
    parser.add_argument(
        "--root", type=Path, default=None, help="data folder (default: KNOWLEDGE_DATA_DIR or the package data)"
    )
    parser.add_argument(
        "--max-age-days",
        type=int,
        default=DEFAULT_MAX_AGE_DAYS,
        help="last_verified older than this is stale (default 365)",
    )
    parser.add_argument(
        "--stale-as",
        choices=[Level.warning.name, Level.error.name],
        default=Level.warning.name,
        help="report stale guides as a warning (default; what CI runs) or as an error",
    )
    parser.add_argument("--today", type=dt.date.fromisoformat, default=None, help="reference date, YYYY-MM-DD")
    parser.add_argument("--errors-only", action="store_true", help="do not print warnings")
    args = parser.parse_args(argv)
    report = validate(
        args.root, max_age_days=args.max_age_days, today=args.today or today, stale_level=Level[args.stale_as]
    )
    shown = report.errors if args.errors_only else report.errors + report.warnings
    for issue in shown:
        print(issue.line())
    print(report.summary())
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
