"""The follow-up rule: a message in a conversation about an item that keeps it, switches to another item it names in
part, or asks that item's guide for another place — however it is phrased."""

from __future__ import annotations

from dataclasses import replace

from knowledge.decide.item_clues import clue_switch
from knowledge.decide.item_decision import aspects_of, context_resolves, item_decision, within
from knowledge.decide.model import Decision
from knowledge.decide.region_guide import asks_for_the_guide, region_without_guide
from knowledge.decide.situation import Facts, Situation
from knowledge.decide.told_case import new_case_told
from knowledge.decide.topic import policy_sub_item
from knowledge.query.analyse import SUB_ITEM_HOW
from knowledge.schema import Aspect
from knowledge.text_normalise import char_bigrams


def _confidently_other_item(s: Situation, f: Facts) -> bool:
    """Retrieval confidently finds another item than the conversation's: the best item is not it, clears the
    no-answer threshold, and either the question names it at least in part (the names channel found words of
    its name) or the conversation's item is not even among the few best. Guide words alone ("多久能批下来"
    scores high on many items) do not take a conversation elsewhere."""
    ranked = s.scores.ranked
    if not ranked:
        return False
    code, top = ranked[0]
    if code == s.context.item_code or top < f.tuning.no_answer_below:
        return False
    return code in s.scores.named or context_resolves(s, f) is None


def _continues(s: Situation, f: Facts) -> bool:
    """A message naming no item that continues the conversation whatever its length: it asks something (an
    aspect, a question word or mark), names a place, or points back ("这个", "他们"), and retrieval does not
    confidently find another item — or, short, asks an aspect and names no item even in part (`_asks_only_a_field`)."""
    q = s.query
    if not (q.aspects or q.region or q.refers_back or q.asks):
        return False
    return _asks_only_a_field(s, f) or not _confidently_other_item(s, f)


def _asks_only_a_field(s: Situation, f: Facts) -> bool:
    """A short message (`followup_short_chars`) asking an aspect, no item named even in part — by the names channel,
    nor a word (two characters) of retrieval's best item's names in what the message says beyond its cues:
    "去的时候身上要揣哪几样证件" after 婚前医学检查, not "卫生许可证年审流程". Every item has papers, a place and a
    time limit, so which item retrieval ranks first for such words says nothing; the conversation's item is asked
    about."""
    q, t, ranked = s.query, f.tuning, s.scores.ranked
    if not q.aspects or s.scores.named or not within(q, t.followup_short_chars, t.followup_short_words):
        return False
    if not ranked:
        return True
    name_words = {b for n in f.names_of(ranked[0][0]) for b in char_bigrams(n)}
    return not (char_bigrams(q.residue) & name_words)


def _lists_common_papers(s: Situation, f: Facts) -> bool:
    """A materials question naming papers nearly every item asks for (lexicon `followup.common_papers`: 身份证, 户口本,
    结婚证 …) and no item: "身份证户口本结婚证这些肯定要 除了这些还要啥" asks what else the conversation's item needs,
    however far retrieval puts that item (the papers' words rank items asking for them too)."""
    q = s.query
    if Aspect.materials not in q.aspects or s.scores.named:
        return False
    return any(p in q.norm for p in f.selector.cues.lexicon.followup.common_papers)


def _elliptical_switch(s: Situation, f: Facts) -> bool:
    """A short message asking for no aspect of its own ("前面那个设置审批呢", "那母婴保健的呢") whose best item is
    another one, named at least in part and clearing the no-answer threshold: the same question about that item."""
    q, t = s.query, f.tuning
    if q.aspects or not within(q, t.followup_short_chars, t.followup_short_words) or not s.scores.ranked:
        return False
    code, top = s.scores.ranked[0]
    return code != s.context.item_code and code in s.scores.named and top >= t.no_answer_below


def _asks_whether_its_item_needs(s: Situation, f: Facts) -> bool:
    """A follow-up asking whether the conversation's item needs another procedure too (lexicon `followup.also_needed`
    or a need question: "那还得走设置审批吗", "是不是还得先走设置审批和登记那一套" after 医疗美容), asking no field but
    conditions or process, where retrieval's best item is that other one, named in part, and the conversation's item's
    guides hold the words it is named by (医疗美容: "办理设置审批和登记注册"): the conversation's own guide answers.
    "批了以后执业登记又要多久" asks a field of the other item and still switches."""
    q, ranked, ctx = s.query, s.scores.ranked, s.context.item_code
    if not ctx or not ranked or ranked[0][0] == ctx or ranked[0][0] not in s.scores.named:
        return False
    if not q.aspects or any(a not in (Aspect.conditions, Aspect.process) for a in q.aspects):
        return False
    followup_words = f.selector.cues.lexicon.followup
    if not any(w in q.norm for w in (*followup_words.also_needed, *followup_words.need_questions)):
        return False
    words = {n[i : i + 4] for n in f.names_of(ranked[0][0]) for i in range(len(n) - 3) if n[i : i + 4] in q.norm}
    return any(f.item_mentions(ctx, w) for w in words)


def _another_item_named_in_part(s: Situation, f: Facts) -> bool:
    """A follow-up asking something of another item it names in part ("批了以后执业登记又要多久" after 医疗机构设置审批:
    the names channel finds 执业登记 of 医疗机构执业登记), however little else it says: it asks an aspect, that item
    is retrieval's best, clears the no-answer threshold and is named at least in part, the conversation's item is not
    named at all, and no policy word could be what matched (a policy's alias stands in some items' names:
    "承诺时限呢"). The follow-up ends; the later rules answer it as a new question."""
    q, ranked = s.query, s.scores.ranked
    if not ranked or not q.aspects or q.policy_cues or s.context.item_code in s.scores.named:
        return False  # asking nothing of its own ("前面那个设置审批呢"): the elliptical switch keeps the aspect
    code, top = ranked[0]
    return code != s.context.item_code and code in s.scores.named and top >= f.tuning.no_answer_below


def _says_another_one(s: Situation, f: Facts) -> bool:
    """The message says it is about another thing (lexicon `followup.switch_words`: "另外一个", "换个问题") and
    retrieval's best item is another one than the conversation's, at or above the no-answer threshold
    ("孩子残疾了的那种扶助是另外一个吧，条件是啥" after 奖励扶助 → 计划生育家庭特别扶助): the follow-up ends; the later
    rules answer it."""
    ranked = s.scores.ranked
    if not ranked or not any(w in s.query.norm for w in f.selector.cues.lexicon.followup.switch_words):
        return False
    code, top = ranked[0]
    return code != s.context.item_code and top >= f.tuning.no_answer_below


def _a_document_it_asks_for(s: Situation, f: Facts) -> bool:
    """The words the message names another item by stand after a verb of handing a paper over (lexicon
    `document_verbs`: 带, 交, 提供 …) and the conversation item's guides use them: "要带执业许可证吗" after 医疗广告审查
    (whose materials list 《医疗机构执业许可证》副本) asks about a paper that item needs, not about 医疗机构执业登记."""
    q, code = s.query, s.context.item_code
    return bool(code and q.residue and f.named_as_document(q.norm, q.residue) and f.item_mentions(code, q.residue))


def _describes_another_item(s: Situation, f: Facts) -> str | None:
    """A message that describes another item at length ("那我们自己打井供水给周边用 要办啥" after 公共场所卫生许可 →
    供水单位卫生许可; "施工队催得紧，没批先开工会怎么样" → 放射诊疗建设项目): it says at least `switch_min_residue`
    characters beyond cue words, places and fillers, and retrieval's best item is another one, the dense channel's best
    as well, leading the conversation's item by `switch_lead` (fused) and `switch_dense_lead` (dense). Short follow-ups
    ("审批多少天，知道吗") often find another item first by its guide words; a long description found first by both
    the fused and the meaning channel, well ahead of the conversation's item, is about that item (or None)."""
    q, t, ranked = s.query, f.tuning, s.scores.ranked
    dense = s.scores.channels.get("dense")
    ctx = s.context.item_code
    if not ranked or dense is None or not dense.items or ctx is None or len(q.residue) < t.switch_min_residue:
        return None
    code, top = ranked[0]
    if code == ctx or max(dense.items, key=lambda c: dense.items[c]) != code:
        return None
    if top - s.scores.items.get(ctx, 0.0) < t.switch_lead:
        return None
    if dense.items[code] - dense.items.get(ctx, 0.0) < t.switch_dense_lead:
        return None
    return code


def _head_doubts_the_switch(s: Situation, f: Facts, code: str) -> bool:
    """The learned item head, reading the message alone, gives the item a description would switch to less than
    `switch_min_head_prob` (round 15): the retrieval channels found that item by the message's generic words
    ("我们是医院类的，找市里还是找区里" after 母婴保健技术服务执业许可 → 互联网医院设置, head 0.06, "none" first),
    not by what it describes, so the conversation's item stays. Without the head (no learned predictors): never."""
    probs = s.query.item_probs
    return bool(probs) and probs.get(code, 0.0) < f.tuning.switch_min_head_prob


def _describes_the_case(s: Situation, f: Facts) -> bool:
    """The message's aspect cues are words of its sub-item's own cues ("地点" of 换执业地点, "地址" of 改地址):
    "她们是从别的医院跳槽过来的，换了执业地点" states the citizen's case and asks nothing, so the conversation's
    question is asked for that case; "新办的材料清单发我一份" asks for materials in words of its own."""
    q = s.query
    if not q.sub_item or not q.aspect_cues:
        return False
    words = next((e.cues for e in f.selector.cues.lexicon.sub_items if e.canonical == q.sub_item), [])
    return all(any(cue in word for word in words) for cue in q.aspect_cues)


def followup(s: Situation, f: Facts) -> Decision | None:
    q, ctx, t = s.query, s.context, f.tuning
    if not ctx.item_code or ctx.item_code not in f.catalog.item_by_code:
        return None
    if q.policy_names:  # "告知承诺是怎么回事" mid-conversation: the policy rule (item + policy when related)
        return None
    if q.asks_complaint_route and not s.scores.exact:  # "要是办不下来该找谁反映": the complaint route, not the window
        return None
    exact = s.scores.exact
    described: str | None = None
    if not exact and _says_another_one(s, f):  # "…是另外一个吧": not the conversation's item
        return None
    if not exact and q.region and asks_for_the_guide(q.norm, bool(q.aspect_cues)):
        # "我是广州的诊所，广州那边的指南有吗": the conversation's item there; none there → say so
        missing = region_without_guide(s, f, ctx.item_code)
        if missing is not None:
            return missing
        code = ctx.item_code
    elif exact:
        if ctx.item_code in exact:
            code = ctx.item_code
        elif len(q.norm) <= 14 and not q.aspects:  # "医师执业注册呢": the same question about another item
            code = max(exact, key=lambda c: (s.scores.named.get(c, 0.0), s.scores.items.get(c, 0.0)))
        else:
            return None  # a new question that names its item
    elif len(q.residue) <= 1:  # "那要多久？", "那重庆江津呢？", "在哪里办"
        code = ctx.item_code
    elif (clued := clue_switch(s, f)) is not None:  # "另外我们医院请了个日本专家来做三个月手术" after 多机构执业
        code = described = clued
    else:
        named = [] if q.policy_cues else f.items_naming(q.residue)  # "承诺时限呢": a policy word, not a name
        if named:  # "医师呢": a fragment of an item's name switches the item and keeps the aspect
            if ctx.item_code in named or _a_document_it_asks_for(s, f):  # "要带执业许可证吗": a paper this item needs
                code = ctx.item_code
            else:
                code = max(named, key=lambda c: s.scores.items.get(c, 0.0))
        elif _asks_whether_its_item_needs(s, f):  # "那还得走设置审批吗" after 医疗美容: its own guide says
            code = ctx.item_code
        elif _another_item_named_in_part(s, f):  # "批了以后执业登记又要多久": a question about that item
            return None
        elif f.item_mentions(ctx.item_code, q.residue):  # "要带身份证吗": words this item's guides use
            code = ctx.item_code
        elif (q.aspects or q.region) and len(q.residue) <= t.followup_max_residue:
            code = ctx.item_code  # asks only for an aspect (or a region), in words of its own
        elif _lists_common_papers(s, f):  # "身份证户口本结婚证这些肯定要 除了这些还要啥"
            code = ctx.item_code
        elif (described := _describes_another_item(s, f)) is not None:  # "那我们自己打井供水给周边用 要办啥"
            code = ctx.item_code if _head_doubts_the_switch(s, f, described) else described
        elif _continues(s, f):  # asks about it in words of its own ("他们多少天内给审核结果")
            code = ctx.item_code
        elif _elliptical_switch(s, f):  # "前面那个设置审批呢": the same question about an item named in part
            code = s.scores.ranked[0][0]
        elif (
            within(q, t.followup_short_chars, t.followup_short_words)
            and max(s.scores.items.values(), default=0.0) < t.no_answer_below
        ):
            code = ctx.item_code  # says little, and on its own finds no item: this one
        else:
            return None
    # a switch by description is a new question about another item: its own aspect (or the overview), not the last one
    # asked of the conversation's item ("开业以后想在抖音投广告，又要审什么" after a process answer of 医疗美容)
    switched = described is not None and code == described != ctx.item_code
    aspects = aspects_of(q, None if switched else ctx)
    if q.region and (q.vague_aspect or not q.aspect_cues) and ctx.aspect and code == ctx.item_code:
        # "我是山东的，那边怎么办", "上海那边是什么情况", "我人在上海，一样吗": the same thing there; the learned head
        # reads the message without its conversation, so its guess does not replace the conversation's aspect
        aspects = (ctx.aspect,)
    elif not q.asks and ctx.aspect and code == ctx.item_code and _describes_the_case(s, f):
        aspects = (ctx.aspect,)
    elif new_case_told(s, f, code):  # "…就满五年了 到时候又是什么手续": what the renewal needs, then how it goes
        aspects = SUB_ITEM_HOW
    decision = item_decision(s, f, code, "followup", 0.9, aspects)
    if code == ctx.item_code and not decision.sub_item:  # after a policy answer: the item's guide for that policy
        decision = replace(decision, sub_item=policy_sub_item(f, code, ctx.policy_id, aspects))
    return decision
