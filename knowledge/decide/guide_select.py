"""Within an item: which guide answers (sub-item, region, states the field, trust), and whether the
item's sub-items differ in what was asked (then the engine asks which one)."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

from knowledge.decide.field_agreement import say_the_same
from knowledge.documents import field_text
from knowledge.places import Places, Relation
from knowledge.query.cues import CueMatcher
from knowledge.schema import Aspect, Guide, ServiceItem, Status, Trust

logger = logging.getLogger(__name__)

SUB_ITEM_ORDER = ("首次", "延续", "变更", "注销", "补发", "换发")
# A guide of the asked place itself, of a place above it (its province: it covers the place), or of a place
# inside it (a city's guide when a province is asked).
_LABEL = re.compile(r"【([^】]{1,8})】")  # an entry labelled by the sub-item it belongs to: 【变更】变更申请表
# ... or labelled at its end, in brackets: "…备案表》（首次备案）；原《…》（变更/注销，摘录截断）"
_END_LABEL = re.compile(r"（([^（）]{1,12})）(?=；|$)")
# A guide for the whole item when a sub-item is asked: below that sub-item's own guide of the same place, above it
# when the guide is of the asked place and the sub-item's own guide is not ("我在郴州苏仙区，那边呢" after a question
# about the first registration: 苏仙区's guide, not the national first-registration one).
GENERAL_GUIDE_FOR_SUB_ITEM = 6.0
# The guide the conversation's last answer quoted, asked again about the same item with no place named ("补证该找哪里"
# after 深圳's 补发 materials): it keeps answering while it has something to say for the asked field — above a guide of
# another place that merely states the field (2.5) and a trust difference, below a sub-item match (8).
CONTINUITY_BONUS = 5.0
REGION_BONUS = {Relation.same: 4.0, Relation.above: 3.0, Relation.below: 2.0, Relation.unrelated: 0.0}
# The national level asked for as a place ("国家规定审批时限是多少" after a question about 深圳): the national guides
NATIONAL = "全国"
NATIONAL_WORDS = (
    "国家规定",
    "国家层面",
    "国家的规定",
    "国家标准",
    "全国统一",
    "全国的",
    "国家法规",
    "national rule",
    "national regulation",
    "national level",
)


PLACE_STEP_WORDS = ("到", "向", "前往", "窗口", "大厅")
"""Words of a process step that says where to go ("到…街道办事处申请办理", "向…提出申请")."""


def process_says_where(guide: Guide) -> bool:
    """Whether a step of the guide's process says where to go."""
    return any(w in step for step in guide.process or [] for w in PLACE_STEP_WORDS)


def answers(guide: Guide, aspect: Aspect) -> bool:
    """Whether the guide has something of its own to say for the asked field: the field itself, the overview, or for
    the place its implementing body ("实施机关：原签发机构" answers "补证该找哪里" where no address is given) or a
    process step saying where to go."""
    if aspect is Aspect.overview or field_text(guide, aspect):
        return True
    return aspect is Aspect.location and (bool(guide.implementing_body) or process_says_where(guide))


def names_the_nation(norm: str) -> bool:
    """Whether a (normalised) question asks for the national rule rather than a place's."""
    return any(w in norm for w in NATIONAL_WORDS)


class GuideSelector:
    def __init__(self, cues: CueMatcher, deployment_region: str | None = None, places: Places | None = None) -> None:
        self.cues = cues
        self.deployment_region = deployment_region
        self.places = places

    def region_relation(self, guide_region: str, asked: str | None) -> Relation:
        """How a guide's region stands to the asked place (through the place hierarchy when there is one)."""
        if not asked:
            return Relation.unrelated
        if asked == NATIONAL:
            return Relation.same if NATIONAL in guide_region else Relation.unrelated
        if self.places is None:
            return Relation.same if asked in guide_region else Relation.unrelated
        return self.places.relation(guide_region, asked)

    def region_covers(self, guide_region: str, asked: str | None) -> bool:
        """Whether a guide of this region applies to the asked place (the place itself or its province…)."""
        return self.region_relation(guide_region, asked) >= Relation.above

    def _continues(self, guide: Guide, aspect: Aspect, sub_item: str | None) -> bool:
        """Whether the conversation's guide may answer again: it answers the field, and it is the asked sub-item's (or
        the whole item's; with none asked, the first registration's as `choose` prefers it anyway) — a FAQ answer's
        guide written for renewal does not make a later question about renewal."""
        if not answers(guide, aspect):
            return False
        wanted = sub_item or "首次"
        return self.covers_all(guide) or self.cues.sub_item_matches(guide.sub_item, wanted)

    def choose(
        self,
        item: ServiceItem,
        aspect: Aspect,
        sub_item: str | None,
        region: str | None,
        prefer: str | None = None,
        region_named: bool = False,
    ) -> Guide:
        """The guide answering the asked field of the item: the asked sub-item's, the asked place's, stating the field,
        national, active, official — and the conversation's guide (`prefer`, the one its last answer quoted) while it
        answers the field (`answers`)."""

        def rank(guide: Guide) -> float:
            score = 0.0
            if prefer is not None and guide.id == prefer and self._continues(guide, aspect, sub_item):
                score += CONTINUITY_BONUS
            if sub_item and self.cues.sub_item_matches(guide.sub_item, sub_item):
                score += 8
            elif sub_item and self.covers_all(guide):
                score += GENERAL_GUIDE_FOR_SUB_ITEM
            elif not sub_item and self.cues.sub_item_matches(guide.sub_item, "首次"):
                score += 1.5
            score += REGION_BONUS[self.region_relation(guide.region, region)]
            if self.deployment_region and self.deployment_region in guide.region:
                score += 3
            if aspect is not Aspect.overview and field_text(guide, aspect):
                score += 2.5
            if guide.national:
                score += 1
            score += 1 if guide.status is Status.active else -3
            if any(s.trust is Trust.official for s in guide.sources):
                score += 0.5
            elif all(s.trust is Trust.weak for s in guide.sources):
                score -= 0.5
            return score

        best = max(item.guides, key=rank)
        if aspect is Aspect.overview or field_text(best, aspect) or not region:
            return best
        # The asked place's guide states nothing of the asked field ("多久校验一次" of 深圳's 执业登记): the national
        # rule, which applies there too, answers when it states it (for the asked sub-item or the whole item).
        national = [
            g
            for g in item.guides
            if g.national
            and g.status is Status.active
            and field_text(g, aspect)
            and (not sub_item or self.covers_all(g) or self.cues.sub_item_matches(g.sub_item, sub_item))
        ]
        if national:
            return max(national, key=rank)
        # No national rule states it either, and the place was named earlier in the conversation, not in this message:
        # the asked sub-item's own guide of another place that has something to say for it (禄丰's 补办 notice states
        # no materials; the 补办 guide does) — its place is shown with it.
        elsewhere = [
            g
            for g in item.guides
            if sub_item
            and not region_named  # a place named in this very message: its guide, saying what it leaves out
            and g.status is Status.active
            and self.cues.sub_item_matches(g.sub_item, sub_item)
            and answers(g, aspect)
        ]
        return max(elsewhere, key=rank) if elsewhere else best

    def has_guide_for(self, item: ServiceItem, region: str) -> bool:
        """Whether one of the item's active guides applies to the place (its own, or its province's)."""
        return any(g.status is Status.active and self.region_covers(g.region, region) for g in item.guides)

    def covers_all(self, guide: Guide) -> bool:
        """A guide written for the whole item, naming no sub-item (a county's "（县级）护士执业注册", "法规层面")."""
        return not any(self.cues.sub_item_matches(guide.sub_item, c) for c in SUB_ITEM_ORDER)

    def sub_items(self, item: ServiceItem) -> list[str]:
        """The canonical sub-items this item's guides cover, in the usual order."""
        return [c for c in SUB_ITEM_ORDER if any(self.cues.sub_item_matches(g.sub_item, c) for g in item.guides)]

    def differing_sub_items(
        self, item: ServiceItem, aspects: tuple[Aspect, ...], region: str | None
    ) -> list[tuple[str, Guide]]:
        """The sub-items (with the guide for each) whose guides state an asked aspect differently; [] when
        they agree, when only one sub-item is covered, or when the question asks for the overview (which
        lists the sub-items itself). Only guides of one region are compared: two regions' guides differ
        for reasons that have nothing to do with the sub-item."""
        asked = [a for a in aspects if a is not Aspect.overview]
        if not asked:
            return []
        if region and any(
            g.status is Status.active and self.covers_all(g) and self.region_covers(g.region, region)
            for g in item.guides
        ):
            return []  # the asked place's guide is written for the whole item (韶山's 护士执业注册): it answers
        by_region: dict[str, dict[str, Guide]] = {}
        for guide in item.guides:
            if guide.status is not Status.active:
                continue
            for canonical in SUB_ITEM_ORDER:
                if self.cues.sub_item_matches(guide.sub_item, canonical):
                    by_region.setdefault(guide.region, {}).setdefault(canonical, guide)
        wanted = [r for r in (region, self.deployment_region) if r]
        groups = [g for r, g in by_region.items() if any(self.region_covers(r, w) for w in wanted) and len(g) >= 2]
        if not groups:
            # The national rule when it covers two sub-items or more, else the region that covers most.
            groups = sorted(
                by_region.values(), key=lambda g: (not (next(iter(g.values())).national and len(g) >= 2), -len(g))
            )[:1]
        if not groups or len(groups[0]) < 2:
            return self._across_regions(item, asked, region) or self._labelled_sub_items(item, asked, region)
        chosen = groups[0]
        ordered = [(c, chosen[c]) for c in SUB_ITEM_ORDER if c in chosen]
        for aspect in asked:
            stated = {field_text(g, aspect) for _, g in ordered} - {None}
            if len(stated) >= 2 and not say_the_same(stated, aspect):  # "有效期为5年" twice in other words: one answer
                return ordered
        if len({g.id for _, g in ordered}) >= 2:
            return []  # the sub-items' own guides agree
        # one guide covering several sub-items: its labelled entries, else the sub-items' guides elsewhere
        return self._labelled_sub_items(item, asked, region) or self._across_regions(item, asked, region)

    def _across_regions(
        self, item: ServiceItem, asked: Sequence[Aspect], region: str | None
    ) -> list[tuple[str, Guide]]:
        """No one region's guides cover two sub-items, but the item's guides do between them (光荣证: 办证 in one
        province, 补办 in another): each sub-item's own guide (the one `choose` would answer with), when they are
        different guides and list different materials. Only materials: two regions' conditions or time limits
        differ for reasons of their own. A place asked about that has guides of its own limits the comparison to
        them ("安徽…光荣证": only 办证 there, nothing to ask)."""
        if Aspect.materials not in asked:
            return []
        active = [g for g in item.guides if g.status is Status.active]
        wanted = [r for r in (region, self.deployment_region) if r]
        local = [g for g in active if any(self.region_covers(g.region, w) for w in wanted)]
        candidates = local or active
        chosen: list[tuple[str, Guide]] = []
        for canonical in SUB_ITEM_ORDER:
            if not any(self.cues.sub_item_matches(g.sub_item, canonical) for g in candidates):
                continue
            guide = self.choose(item, asked[0], canonical, region)
            if self.cues.sub_item_matches(guide.sub_item, canonical):
                chosen.append((canonical, guide))
        chosen = [(c, g) for c, g in chosen if g in candidates]
        if len({g.id for _, g in chosen}) < 2:
            return []
        if len({field_text(g, Aspect.materials) for _, g in chosen} - {None}) >= 2:
            return chosen
        return []

    def _labelled_sub_items(
        self, item: ServiceItem, asked: Sequence[Aspect], region: str | None
    ) -> list[tuple[str, Guide]]:
        """One guide covering several sub-items ("初次/延续/变更") whose asked field labels its entries by
        sub-item ("【变更】变更申请表", "…备案表（首次备案）"): those sub-items differ in it (each pair carries that
        guide)."""
        wanted = [r for r in (region, self.deployment_region) if r]
        guides = [g for g in item.guides if g.status is Status.active and g.sub_item]
        if wanted:  # the asked place's guides first, when it has one
            guides.sort(key=lambda g: not any(self.region_covers(g.region, w) for w in wanted))
        for guide in guides:
            covered = [c for c in SUB_ITEM_ORDER if self.cues.sub_item_matches(guide.sub_item, c)]
            if len(covered) < 2:
                continue
            for aspect in asked:
                text = field_text(guide, aspect) or ""
                labels = set(_LABEL.findall(text)) | set(_END_LABEL.findall(text))
                labelled = [c for c in covered if any(self.cues.sub_item_matches(label, c) for label in labels)]
                if len(labelled) >= 2:
                    return [(c, guide) for c in labelled]
        return []

    def other_sub_items(self, item: ServiceItem, chosen: Guide) -> list[tuple[str, str]]:
        """Other sub-item kinds of this item (label, canonical), for choices."""
        out: list[tuple[str, str]] = []
        for canonical in SUB_ITEM_ORDER:
            if self.cues.sub_item_matches(chosen.sub_item, canonical):
                continue
            for guide in item.guides:
                if guide.sub_item and self.cues.sub_item_matches(guide.sub_item, canonical):
                    label = re.sub(r"（[^）]*）", "", guide.sub_item).strip() or canonical
                    out.append((label if len(label) <= 8 else canonical, canonical))
                    break
        return out
