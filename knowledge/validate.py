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
from collections.abc import Sequence
from pathlib import Path

from knowledge.loader import ITEMS_DIR, knowledge_root
from knowledge.validate_checks import TIME_LIMIT_FIELDS, Checks, normalise_name
from knowledge.validate_report import (
    DEFAULT_MAX_AGE_DAYS,
    Issue,
    Level,
    RawDocuments,
    ValidationReport,
    only_weak,
    read_documents,
    stale_days,
)

# The rules' names, importable from here as before (the console and the tests use them).
__all__ = [
    "DEFAULT_MAX_AGE_DAYS",
    "TIME_LIMIT_FIELDS",
    "Issue",
    "Level",
    "RawDocuments",
    "ValidationReport",
    "main",
    "normalise_name",
    "only_weak",
    "read_documents",
    "stale_days",
    "validate",
    "validate_documents",
]


class _Checker(Checks):
    """Runs the checks in order (a new check: a method on ``Checks``, called here)."""

    def run(self) -> ValidationReport:
        self.load()
        self.check_ids()
        self.check_names()
        self.check_references()
        self.check_time_limits()
        self.check_required_text()
        self.check_freshness()
        self.check_vocabulary()
        self.check_faq()
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
    report = validate_documents(
        read_documents(folder), lexicon_root=folder, max_age_days=max_age_days, today=today, stale_level=stale_level
    )
    if not (folder / ITEMS_DIR).is_dir():
        report.issues.insert(0, Issue(Level.error, ITEMS_DIR, "目录不存在 directory missing"))
    return report


def validate_documents(
    docs: RawDocuments,
    *,
    lexicon_root: Path | None = None,
    max_age_days: int = DEFAULT_MAX_AGE_DAYS,
    today: dt.date | None = None,
    stale_level: Level = Level.warning,
) -> ValidationReport:
    """The same checks on documents held anywhere (the console validates its drafts with this).

    ``lexicon_root`` is the folder holding ``lexicon.yaml`` (default: the knowledge root)."""
    folder = Path(lexicon_root) if lexicon_root is not None else knowledge_root()
    return _Checker(docs, folder, max_age_days, today or dt.date.today(), stale_level).run()


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
