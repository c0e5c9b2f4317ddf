"""What ties a message to the conversation's item although it names none, and what says it is another department's.

The learned kind head reads one message without its conversation: an elliptical follow-up ("公园和体育馆呢",
"where's the office", "还要开孩子的死亡证明吗") looks to it like a question about something nobody named, and it
often gives it to another department. Mid-conversation, the head's verdict alone does not turn such a message
away; it needs the message to stand on its own (`turn_away.other_department`). These predicates say when it does
not:

    points_at_the_item      a demonstrative before a word of the item's name or a generic word for it
                            ("这审查" after 医疗广告审查, "这卡" after 印鉴卡, "该许可")
    elliptical_about        a short "X呢" / "X的话" asking nothing else: the conversation's question about X
                            ("公园和体育馆呢")
    short_english_aspect    a short English message asking an aspect by cue ("where's the office")
    shared_phrase           a short message using a phrase of four Chinese characters, none a function character,
                            that the item's guides use ("还要开孩子的死亡证明吗" → 子女死亡证明, "单位名称改了先去哪")

and `names_another_department` is the positive evidence that keeps the head's verdict however the message is
tied: it asks which department handles it, or names another department's office that the item's guides do not
("新开体检中心，企业名称…应向哪个部门办理登记").
"""

from __future__ import annotations

import re

from knowledge.decide.item_decision import within
from knowledge.decide.situation import Facts, Situation
from knowledge.query.model import Referral

PHRASE_CHARS = 4
"""A shared phrase this long (Chinese characters) is one of the guide's own words, not chance."""
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
_TRAILING = re.compile(r"[\s?？。!！,，~～]+$")


def _demonstratives(f: Facts) -> tuple[str, ...]:
    return tuple(f.selector.cues.lexicon.followup.demonstratives)


def points_at_the_item(s: Situation, f: Facts) -> bool:
    """A demonstrative (lexicon `followup.demonstratives`: 这, 那, 该, 此) right before whole words of the
    conversation item's name or alias, or a generic word for an item (证, 许可, 审查 … lexicon `generic_terms`):
    "客户法务问这审查是依据哪部法规规定的" after 医疗广告审查, "有了这卡是不是…" after 印鉴卡."""
    code, norm = s.context.item_code, s.query.norm
    if not code:
        return False
    generic = set(f.generic_terms)
    for word in _demonstratives(f):
        for match in re.finditer(re.escape(word), norm):
            after = norm[match.end() : match.end() + 6]
            for size in range(len(after), 0, -1):
                fragment = after[:size]
                if fragment in generic or code in f.items_naming(fragment):
                    return True
    return False


def elliptical_about(s: Situation, f: Facts) -> bool:
    """A short message ending in an elliptical suffix (lexicon `followup.elliptical_suffixes`: 呢, 的话), asking
    no aspect by a cue and carrying no question word before that suffix ("公园和体育馆呢", "那民营的呢"): it asks
    the conversation's question about what it names. Another department's service named so is the referral rule's
    (a keyword), another item of ours the follow-up rule's."""
    q, t = s.query, f.tuning
    if not s.context.item_code or q.aspect_cues or not within(q, t.followup_short_chars, t.followup_short_words):
        return False
    text = _TRAILING.sub("", q.norm)
    suffix = next((x for x in f.selector.cues.lexicon.followup.elliptical_suffixes if text.endswith(x)), None)
    if suffix is None:
        return False
    rest = text[: -len(suffix)]
    return bool(rest) and not any(w in rest for w in f.selector.cues.lexicon.question_words)


def short_english_aspect(s: Situation, f: Facts) -> bool:
    """A short English message (at most `followup_short_words` words) asking an aspect by a cue ("where's the
    office", "how much is it"): an English follow-up's residue is counted in letters, so the short-residue test
    never holds for it."""
    q, t = s.query, f.tuning
    return bool(
        s.context.item_code and q.language == "en" and q.aspect_cues and len(q.norm.split()) <= t.followup_short_words
    )


def _short(s: Situation, f: Facts) -> bool:
    return within(s.query, f.tuning.followup_short_chars, f.tuning.followup_short_words)


def shared_phrase(s: Situation, f: Facts) -> str | None:
    """In a short message (`followup_short_chars`), the first phrase of `PHRASE_CHARS` Chinese characters, none of
    them a function character (lexicon `filler.chars`), that the message and the conversation item's guides both use
    ("死亡证明" of "还要开孩子的死亡证明吗" in 计划生育家庭特别扶助's 子女死亡证明), or None. A longer message tells a
    story of its own, where one shared phrase is chance ("…住院期间手机被偷了…我想报案")."""
    code = s.context.item_code
    if not code or not _short(s, f):
        return None
    filler = set(f.selector.cues.lexicon.filler.chars)
    for run in _CJK_RUN.findall(s.query.norm):
        for start in range(len(run) - PHRASE_CHARS + 1):
            phrase = run[start : start + PHRASE_CHARS]
            if not any(ch in filler for ch in phrase) and f.item_mentions(code, phrase):
                return phrase
    return None


def names_another_department(s: Situation, f: Facts) -> bool:
    """Positive evidence that a message is another department's however it is tied to the conversation: it asks
    which department handles something (lexicon `department_cues`, `followup.department_words`: "应向哪个部门申请"), or
    names another department's office or staff (`referrals.yaml` `agencies`: 车管所, 人社局 …) that the conversation
    item's guides do not use."""
    q = s.query
    if q.asks_department or any(w in q.norm for w in f.selector.cues.lexicon.followup.department_words):
        return True
    return agency_named(s, f) is not None


def agency_named(s: Situation, f: Facts) -> Referral | None:
    """The first office or staff of another department (`referrals.yaml` `agencies`: 车管所, 药店, 人社局 …) the message
    names and the conversation item's guides do not use, as a referral to its department; None if there is none."""
    q, code = s.query, s.context.item_code
    for referral in f.catalog.referrals:
        for agency in referral.agencies:
            if agency in q.norm and not (code and f.item_mentions(code, agency)):
                return Referral(agency, referral.department)
    return None


def tied_to_the_item(s: Situation, f: Facts) -> bool:
    """Any of the ties above, and no positive evidence of another department."""
    if names_another_department(s, f):
        return False
    return (
        points_at_the_item(s, f)
        or elliptical_about(s, f)
        or short_english_aspect(s, f)
        or shared_phrase(s, f) is not None
    )
