"""The checks of a knowledge-base validation, run in order by ``knowledge.validate``: schema, unique ids and
names, references, required text, time limits, freshness, vocabulary (lexicon, referrals, places), review list."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import defaultdict
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from knowledge.faq_check import faq_findings
from knowledge.loader import POLICIES_DIR, REFERRALS_FILE, KnowledgeDataError, ModelT, format_validation_error
from knowledge.places import PLACES_FILE, Places, load_places_file
from knowledge.query.lexicon import LEXICON_FILE, Lexicon, load_lexicon_file
from knowledge.query.not_held import NOT_HELD_FILE, load_not_held_file, not_held_clashes
from knowledge.schema import PolicyDocument, Referral, ServiceItem, Status
from knowledge.validate_report import Issue, Level, RawDocuments, ValidationReport, only_weak, stale_days


def _field_errors(exc: ValidationError) -> tuple[tuple[str, str], ...]:
    return tuple((".".join(str(part) for part in err["loc"]), err["msg"]) for err in exc.errors())


# A time limit names a number of days (digits or Chinese numerals) or says it is done on the spot.
_TIME_LIMIT = re.compile(r"[0-9０-９一二三四五六七八九十百]|即办|即时|当场|当日|当天")
TIME_LIMIT_FIELDS = ("statutory_time_limit", "promised_time_limit")


def normalise_name(text: str) -> str:
    """Key for comparing names and aliases: NFKC, case-folded, inner whitespace removed."""
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


class Checks:
    """The findings of each check accumulate in ``self.report``; ``knowledge.validate`` runs them in order."""

    def __init__(
        self, docs: RawDocuments, lexicon_root: Path, max_age_days: int, today: dt.date, stale_level: Level
    ) -> None:
        self.docs = docs
        self.root = lexicon_root
        self.stale_level = stale_level
        self.max_age = dt.timedelta(days=max_age_days)
        self.today = today
        self.report = ValidationReport()
        self.item_files: dict[str, str] = {}  # code -> relative path

    def add(self, level: Level, where: str, message: str, fields: tuple[tuple[str, str], ...] = ()) -> None:
        self.report.issues.append(Issue(level, where, message, fields))

    # --- loading -----------------------------------------------------------------------------

    def precheck_sources(self, where: str, raw: Any) -> None:
        """Name guides without a source before the schema error does (clearer for curators)."""
        if not isinstance(raw, dict):
            return
        for index, guide in enumerate(raw.get("guides") or []):
            if isinstance(guide, dict) and not guide.get("sources"):
                gid = guide.get("id") or f"guides[{index}]"
                self.add(
                    Level.error,
                    f"{where}#{gid}",
                    "指南没有来源 guide has no source",
                    ((f"guides.{index}.sources", "指南没有来源 guide has no source"),),
                )

    def parse(self, where: str, raw: Any, model: type[ModelT]) -> ModelT | None:
        if not isinstance(raw, dict):
            self.add(Level.error, where, "expected a mapping at the top level")
            return None
        try:
            return model.model_validate(raw)
        except ValidationError as exc:
            self.add(Level.error, where, "schema error: " + format_validation_error(exc), _field_errors(exc))
            return None

    def load(self) -> None:
        for where, why in self.docs.unreadable:
            self.add(Level.error, where, why)
        for where, raw in self.docs.items:
            self.precheck_sources(where, raw)
            item = self.parse(where, raw, ServiceItem)
            if item is None:
                continue
            if Path(where).stem != item.code:
                self.add(Level.error, where, f"文件名应为 file name must be {item.code}.yaml", (("code", "code"),))
            if item.code in self.item_files:
                self.add(Level.error, where, f"重复的事项代码 duplicate item code {item.code}", (("code", "重复"),))
                continue
            self.item_files[item.code] = where
            self.report.items.append(item)
        for where, raw in self.docs.policies:
            doc = self.parse(where, raw, PolicyDocument)
            if doc is not None:
                self.report.policies.append(doc)

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
            for n, alias in enumerate(item.aliases):
                key = normalise_name(alias)
                if not key:
                    self.add(Level.error, where, "空别名 empty alias", ((f"aliases.{n}", "空别名 empty alias"),))
                    continue
                if key in seen_here:
                    self.add(Level.warning, where, f"别名在本事项内重复或等于名称 alias repeated in item: {alias}")
                    continue
                seen_here.add(key)
                owner = names.get(key)
                if owner is not None and owner != item.code:
                    message = f"别名等于另一事项的名称 alias {alias!r} is the name of item {owner}"
                    self.add(Level.error, where, message, ((f"aliases.{n}", message),))
                owners[key].append((item.code, "alias", alias))
        for key, entries in owners.items():
            codes = sorted({code for code, _, _ in entries})
            if len(codes) > 1:
                text = entries[0][2]
                if all(kind == "alias" for _, kind, _ in entries):
                    message = f"别名属于多个事项 duplicate alias {text!r} in items {', '.join(codes)}"
                    for code in codes:  # each item's document names the alias at fault
                        item = next(i for i in self.report.items if i.code == code)
                        at = [f"aliases.{n}" for n, a in enumerate(item.aliases) if normalise_name(a) == key]
                        self.add(Level.error, self.item_files[code], message, tuple((p, message) for p in at))
                elif sum(kind == "name" for _, kind, _ in entries) > 1:
                    message = f"事项名称重复 duplicate item name {text!r} in items {', '.join(codes)}"
                    for code in codes:
                        self.add(Level.error, self.item_files[code], message, (("name", message),))

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

    def check_required_text(self) -> None:
        """Required text must say something: an empty name, region, material or source title is an error."""
        for item in self.report.items:
            where = self.item_files[item.code]
            blank = [(path, value) for path, value in (("name", item.name), ("category", item.category))]
            for n, guide in enumerate(item.guides):
                blank.append((f"guides.{n}.region", guide.region))
                blank += [(f"guides.{n}.materials.{m}.name", mat.name) for m, mat in enumerate(guide.materials or [])]
                blank += [(f"guides.{n}.sources.{m}.title", src.title) for m, src in enumerate(guide.sources)]
                blank += [(f"guides.{n}.conditions.{m}", text) for m, text in enumerate(guide.conditions or [])]
                for m, faq in enumerate(guide.faq):
                    blank += [
                        (f"guides.{n}.faq.{m}.question", faq.question),
                        (f"guides.{n}.faq.{m}.answer", faq.answer),
                    ]
            for path, value in blank:
                if not value.strip():
                    self.add(Level.error, where, f"必填项为空 required field is empty: {path}", ((path, "必填项为空"),))
        for doc in self.report.policies:
            where = f"{POLICIES_DIR}/{doc.id}.yaml"
            for n, point in enumerate(doc.points):
                if not point.text.strip() or not point.topic.strip():
                    self.add(
                        Level.error,
                        where,
                        f"必填项为空 required field is empty: points.{n}",
                        ((f"points.{n}.text", "必填项为空"),),
                    )

    def check_time_limits(self) -> None:
        """A time limit must name its days (or say 即办/当场): "很快" is not a time limit."""
        for item in self.report.items:
            for n, guide in enumerate(item.guides):
                for name in TIME_LIMIT_FIELDS:
                    value = getattr(guide, name)
                    if value is not None and not _TIME_LIMIT.search(value):
                        message = f"时限须写明天数（如“20个工作日”）或“即办” time limit must name its days: {value!r}"
                        self.add(
                            Level.error,
                            f"{self.item_files[item.code]}#{guide.id}",
                            message,
                            ((f"guides.{n}.{name}", message),),
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

    def check_faq(self) -> None:
        """FAQ entries: a known region stated; a `faq.jsonl fNNN` citation matches its record (faq_check.py)."""
        for level, where, message in faq_findings(self.report.items, self.item_files):
            self.add(Level.error if level == "error" else Level.warning, where, message)

    def check_vocabulary(self) -> None:
        """lexicon.yaml and referrals.yaml: their schemas, and clashes with the items' names."""
        if not (self.root / LEXICON_FILE).is_file():
            self.add(Level.error, LEXICON_FILE, "文件不存在 file missing")
        else:
            try:
                lexicon = load_lexicon_file(self.root / LEXICON_FILE)
            except KnowledgeDataError as exc:
                self.add(Level.error, LEXICON_FILE, exc.detail)
            else:
                self.check_item_clues(lexicon)
        self.check_places()
        self.check_not_held()
        try:
            referrals = [Referral.model_validate(entry) for entry in (self.docs.referrals or [])]
        except (ValidationError, TypeError) as exc:
            self.add(Level.error, REFERRALS_FILE, str(exc))
            return
        owner: dict[str, str] = {}
        names = {normalise_name(n): i.code for i in self.report.items for n in (i.name, *i.aliases)}
        for referral in referrals:
            for keyword in (*referral.keywords, *referral.agencies):
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

    def check_item_clues(self, lexicon: Lexicon) -> None:
        """Every item an item clue points to or shares its words with is an item of the catalog."""
        codes = {i.code for i in self.report.items}
        for clue in lexicon.item_clues:
            for code in (clue.item, *clue.shared_with):
                if code not in codes:
                    message = f"线索指向未知事项 item clue {clue.name!r} names unknown item {code!r}"
                    self.add(Level.error, LEXICON_FILE, message)

    def check_not_held(self) -> None:
        """not_held.yaml (when the folder has one): its schema, and no word naming a matter the knowledge base does hold
        (an item's name or alias, or a policy text)."""
        path = self.root / NOT_HELD_FILE
        if not path.is_file():
            return
        try:
            data = load_not_held_file(path)
        except KnowledgeDataError as exc:
            self.add(Level.error, NOT_HELD_FILE, exc.detail)
            return
        for clash in not_held_clashes(data, self.report.items, self.report.policies):
            self.add(Level.error, NOT_HELD_FILE, f"本库已有的事项 names something held: {clash}")

    def check_places(self) -> None:
        """places.yaml (when the folder has one): its schema, and every place a guide's region names resolving to
        the province that region names (a city listed under the wrong province would bring the wrong guide)."""
        path = self.root / PLACES_FILE
        if not path.is_file():
            return
        try:
            places = Places(load_places_file(path))
        except (ValidationError, OSError, ValueError) as exc:
            self.add(Level.error, PLACES_FILE, str(exc))
            return
        for item in self.report.items:
            for guide in item.guides:
                named = places.region_places(guide.region)
                if places.guide_place(guide.region) is None or not named:
                    continue
                if places.province_of(named[-1]) not in (None, named[0]):
                    self.add(
                        Level.error,
                        PLACES_FILE,
                        f"地区层级不符 {guide.id}: {guide.region} → {places.chain(named[-1])}",
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
