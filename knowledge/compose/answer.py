"""Turns a `Decision` into the `Answer`: the guide's own words, sources, and choices as data."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from knowledge import texts
from knowledge.answer import Answer, Candidate, Choice, ItemRef
from knowledge.catalog import Catalog
from knowledge.compose.level_lines import asks_level, level_lines
from knowledge.compose.related import Meaning, RareWords, follows_up, related
from knowledge.compose.render import (
    common_materials,
    faq_sources,
    guide_sources,
    policy_sources,
    render_faq,
    render_guide,
    render_policy,
    render_side_by_side,
)
from knowledge.compose.sentences import SentenceTable, Thresholds, load_thresholds
from knowledge.decide.guide_select import GuideSelector
from knowledge.decide.model import Decision
from knowledge.embedding.embedders import Embedder
from knowledge.faq import FaqEntry, faq_entries
from knowledge.query.detail_words import DetailWords
from knowledge.query.lexicon import LevelWords
from knowledge.query.model import Query
from knowledge.retrieve.protocol import Scores
from knowledge.schema import Aspect, Guide

logger = logging.getLogger(__name__)


class Composer:
    def __init__(
        self,
        catalog: Catalog,
        selector: GuideSelector,
        *,
        helpline: str,
        deployment_region: str | None,
        question_words: Sequence[str] = (),
        embedder: Embedder | None = None,
        thresholds: Thresholds | None = None,
        levels: LevelWords | None = None,
        details: Sequence[DetailWords] = (),
    ) -> None:
        self.catalog = catalog
        self.details = tuple(details)
        self.question_words = tuple(question_words)
        self.levels = levels
        self.selector = selector
        self.helpline = helpline
        self.deployment_region = deployment_region
        self.faqs: dict[str, FaqEntry] = {e.id: e for e in faq_entries(catalog.items)}
        self.rare_words = RareWords.of(catalog)
        self.meaning = self._meaning(embedder, thresholds)

    def _meaning(self, embedder: Embedder | None, thresholds: Thresholds | None) -> Meaning | None:
        """The guides' sentences, embedded, when the meaning rule applies: thresholds given, else the calibrated
        ones when they were calibrated for this embedder (`knowledge/data/related_sentences.yaml`)."""
        if embedder is None:
            return None
        if thresholds is None:
            thresholds = load_thresholds()
            if thresholds is None or thresholds.model != embedder.name:
                return None
        return Meaning(SentenceTable.build(self.catalog.items, embedder, helpline=self.helpline), thresholds)

    def compose(self, decision: Decision, query: Query, scores: Scores) -> Answer:
        answer = self._compose(decision, query, scores)
        if query.region and decision.kind != "no_answer":  # the dialogue remembers the place the user named
            answer = answer.model_copy(update={"region_asked": query.region})
        return answer

    def _compose(self, decision: Decision, query: Query, scores: Scores) -> Answer:
        if decision.kind == "no_answer":
            return self._no_answer(decision, query, scores)
        if decision.kind == "clarify" and decision.clarify_sub_items and decision.item_code:
            return self._clarify_sub_item(decision)
        if decision.kind == "clarify":
            return self._clarify_items(decision, scores)
        if decision.item_code is None and decision.policy_id:
            return self._policy(decision)
        if decision.faq_id in self.faqs:
            return self._faq(decision)
        answer = self._item(decision, query, scores)
        if decision.policy_id:
            policy = self._policy(decision)
            answer = answer.model_copy(
                update={
                    "text": f"{policy.text}\n\n{answer.text}",
                    "policy_id": decision.policy_id,
                    "sources": policy.sources + answer.sources,
                }
            )
        return answer

    # ---- pieces --------------------------------------------------------------------------------

    def _ref(self, code: str) -> ItemRef:
        item = self.catalog.item_by_code[code]
        return ItemRef(code=item.code, name=item.name)

    def _candidates(self, codes_scores: list[tuple[str, float]]) -> list[Candidate]:
        return [Candidate(code=c, name=self.catalog.item_by_code[c].name, score=round(s, 4)) for c, s in codes_scores]

    def _no_answer(self, decision: Decision, query: Query, scores: Scores) -> Answer:
        item = self.catalog.item_by_code.get(decision.item_code or "")
        if item is not None and (decision.unstated or decision.region):
            # asked what none of the item's guides states (decide/unknown_subject.py), or a place the item has no guide
            # for (decide/region_guide.py): the item kept
            head = (
                texts.UNSTATED.format(name=item.name, what=decision.unstated)
                if decision.unstated
                else texts.REGION_NO_GUIDE.format(region=decision.region, name=item.name)
            )
            return Answer(
                kind="no_answer",
                item=ItemRef(code=item.code, name=item.name),
                text=head + texts.NO_ANSWER_HINT.format(helpline=self.helpline),
                aspect=query.aspect,
                aspects=list(query.aspects),
                rule=decision.rule,
                candidates=self._candidates(scores.ranked[:3]),
            )
        text = texts.NO_ANSWER.format(question=query.text.strip()[:30])
        if decision.referral and decision.rule == "complaint_about_department":
            text += texts.COMPLAINT_REFERRAL.format(
                keyword=decision.referral.keyword, department=decision.referral.department
            )
        elif decision.referral:
            text += texts.REFERRAL.format(keyword=decision.referral.keyword, department=decision.referral.department)
        elif decision.matter:
            text += texts.NOT_HELD.format(matter=decision.matter)
        elif decision.rule == "other_department":
            text += texts.OTHER_DEPARTMENT
        text += texts.NO_ANSWER_HINT.format(helpline=self.helpline)
        return Answer(
            kind="no_answer",
            text=text,
            aspect=query.aspect,
            aspects=list(query.aspects),
            rule=decision.rule,
            candidates=self._candidates(scores.ranked[:3]),
        )

    def _clarify_items(self, decision: Decision, scores: Scores) -> Answer:
        fused = scores.items
        return Answer(
            kind="clarify",
            aspect=decision.aspects[0] if decision.aspects else None,
            aspects=list(decision.aspects),
            rule=decision.rule,
            text=texts.CLARIFY,
            choices=[Choice(title=self.catalog.item_by_code[c].name, item_code=c) for c in decision.clarify_items],
            candidates=self._candidates([(c, fused.get(c, 0.0)) for c in decision.clarify_items]),
        )

    def _clarify_sub_item(self, decision: Decision) -> Answer:
        assert decision.item_code is not None
        item = self.catalog.item_by_code[decision.item_code]
        guides = dict(self.selector.differing_sub_items(item, decision.aspects, decision.region))
        lines = [texts.CLARIFY_SUB_ITEM.format(name=item.name)]
        one_guide = len({g.id for g in guides.values()}) == 1  # a guide labelling its entries by sub-item
        if Aspect.materials in decision.aspects and not one_guide:
            common = common_materials(list(guides.values()))
            if common:
                lines.append(texts.COMMON_PART)
                lines += [f"{n}. {name}" for n, name in enumerate(common, 1)]
        choices = []
        for canonical in decision.clarify_sub_items:
            guide = guides.get(canonical)
            own = guide is not None and guide.sub_item and len(guide.sub_item) <= 8 and not one_guide
            label = guide.sub_item if own and guide is not None else canonical
            choices.append(Choice(title=f"{item.name}（{label}）", item_code=item.code, sub_item=canonical))
        return Answer(
            kind="clarify",
            item=ItemRef(code=item.code, name=item.name),
            aspect=decision.aspects[0] if decision.aspects else None,
            aspects=list(decision.aspects),
            rule=decision.rule,
            text="\n".join(lines),
            choices=choices,
            guide_ids=[g.id for g in guides.values()],
        )

    def _policy(self, decision: Decision) -> Answer:
        assert decision.policy_id is not None
        doc, point = self.catalog.point_by_id[decision.policy_id]
        item = (
            self._ref(point.related_items[0])
            if point.related_items
            else ItemRef(code=f"policy:{point.id}", name=point.topic)
        )
        return Answer(
            kind="answer",
            item=item,
            policy_id=point.id,
            aspect=Aspect.overview,
            aspects=[Aspect.overview],
            rule=decision.rule,
            confidence=decision.confidence,
            text=render_policy(doc, point),
            sources=policy_sources(doc),
            region=doc.region,
            last_verified=doc.last_verified.isoformat(),
        )

    def _faq(self, decision: Decision) -> Answer:
        assert decision.item_code is not None and decision.faq_id is not None
        item, entry = self.catalog.item_by_code[decision.item_code], self.faqs[decision.faq_id]
        aspects = decision.aspects or (Aspect.overview,)
        return Answer(
            kind="answer",
            item=ItemRef(code=item.code, name=item.name),
            guide_id=entry.guide.id,
            guide_ids=[entry.guide.id],
            faq_id=entry.id,
            aspect=aspects[0],
            aspects=list(aspects),
            rule=decision.rule,
            confidence=decision.confidence,
            text=render_faq(item, entry),
            sources=faq_sources(entry),
            region=entry.region,
            last_verified=entry.guide.last_verified.isoformat(),
        )

    def _answered_sub_item(self, guide: Guide, asked: str | None) -> str | None:
        """The sub-item the answer stands for (`CueMatcher.answered_sub_item`)."""
        return self.selector.cues.answered_sub_item(guide.sub_item, asked)

    def _item(self, decision: Decision, query: Query | None = None, scores: Scores | None = None) -> Answer:
        assert decision.item_code is not None
        item = self.catalog.item_by_code[decision.item_code]
        aspects = decision.aspects or (Aspect.overview,)
        aspect = aspects[0]
        # Shown side by side: each sub-item's own value with the choices to pick one — the issue's "common part
        # plus the choices", a clarifying reply (kind `clarify`), the conversation keeping the item.
        if decision.clarify_sub_items and not decision.sub_item:
            pairs = self.selector.differing_sub_items(item, aspects, decision.region)
            text = render_side_by_side(item, pairs, aspect, helpline=self.helpline)
            guides = [g for _, g in pairs]
            covered = self.selector.region_covers(guides[0].region, decision.region)
            if decision.region_named and decision.region and not covered:
                notice = texts.REGION_MISSING.format(
                    region=decision.region, name=item.name, guide_region=guides[0].region
                )
                text = f"{notice}\n{text}"
            return Answer(
                kind="clarify",
                item=ItemRef(code=item.code, name=item.name),
                guide_id=guides[0].id,
                guide_ids=[g.id for g in guides],
                aspect=aspect,
                aspects=[aspect],
                rule=decision.rule,
                confidence=decision.confidence,
                text=text,
                choices=[
                    Choice(title=f"{item.name}（{g.sub_item or c}）", item_code=item.code, sub_item=c) for c, g in pairs
                ],
                sources=[s for g in guides for s in guide_sources(g)],
                region=guides[0].region,
                last_verified=min(g.last_verified for g in guides).isoformat(),
            )
        guide = self.selector.choose(
            item, aspect, decision.sub_item, decision.region, decision.guide_hint, decision.region_named
        )
        others = self.selector.other_sub_items(item, guide)
        dense = scores.channels.get("dense") if scores is not None else None
        line = (
            related(
                item,
                guide,
                aspects,
                query.residue,
                self.rare_words,
                helpline=self.helpline,
                skip=self.question_words,
                vector=dense.vector if dense is not None else None,
                meaning=self.meaning,
                followup=follows_up(decision.rule),
                message=query.norm,
                details=self.details,
            )
            if query is not None
            else None
        )
        level = (
            level_lines(guide, aspects, self.levels.words, helpline=self.helpline)
            if self.levels is not None and query is not None and asks_level(query.norm, self.levels.questions)
            else []
        )
        text = render_guide(
            item,
            guide,
            aspect,
            helpline=self.helpline,
            deployment_region=self.deployment_region,
            other_sub_items=[name for name, _ in others],
            more_aspects=aspects[1:],
            related=line,
            level=level,
        )
        if (
            decision.region_named
            and decision.region
            and not self.selector.region_covers(guide.region, decision.region)
            and not (guide.national and self.selector.has_guide_for(item, decision.region))
        ):
            notice = texts.REGION_MISSING.format(region=decision.region, name=item.name, guide_region=guide.region)
            text = f"{notice}\n{text}"
        return Answer(
            kind="answer",
            item=ItemRef(code=item.code, name=item.name),
            guide_id=guide.id,
            guide_ids=[guide.id],
            sub_item=self._answered_sub_item(guide, decision.sub_item),
            aspect=aspect,
            aspects=list(aspects),
            rule=decision.rule,
            confidence=decision.confidence,
            text=text,
            choices=[Choice(title=f"{item.name}（{name}）", item_code=item.code, sub_item=c) for name, c in others],
            sources=guide_sources(guide),
            region=guide.region,
            last_verified=guide.last_verified.isoformat(),
        )
