"""The rules that turn a question away: another department's service by keyword (`referral`), a complaint about
another department (`complaint_about_department`), the learned
kind confidently another department's (`other_department`), or a question asking which department handles
something (`department_question`). Each returns the honest no-answer (naming the department where a keyword
did) or None; `rules.RULES` orders them among the others."""

from __future__ import annotations

import re

from knowledge.decide.followup_ties import agency_named, tied_to_the_item
from knowledge.decide.model import Decision
from knowledge.decide.referral_ask import keyword_of_our_question, keyword_words
from knowledge.decide.situation import Facts, Situation
from knowledge.query.model import Query
from knowledge.schema import Aspect

_CLAUSES = re.compile(r"[，,。；;！!？?\n]")
# Clauses as typed or spoken in a chat: punctuation, after 吗/呢, or a space between two Chinese characters
# ("我户口在云南禄丰 还能新办不", "开诊所要办营业执照吗 营业执照咋办")
_SPOKEN_CLAUSES = re.compile(r"[，,。；;！!？?\n]|(?<=[吗呢])|(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])")
_PREREQUISITE_ASPECTS = (Aspect.conditions, Aspect.materials)


def _other_department_confident(q: Query) -> bool:
    return "other_department" in q.confident_kinds


def _named_in_passing(s: Situation, f: Facts) -> bool:
    """The question's item names stand only in clauses that ask nothing, and the referral keyword stands in a clause
    that asks, without them ("婚前医学检查做完了，结婚登记去哪里办"). A keyword that only tells the citizen's story, as
    our item does, leaves the question ours ("要给娃上户口，出生医学证明找不到了，补一张要带啥")."""
    q = s.query
    if not q.question_clauses or not s.scores.exact or q.referral is None:
        return False
    if any(f.names_in(c, s.scores.exact) for c in q.question_clauses):
        return False
    if not any(q.referral.keyword in c for c in q.question_clauses):
        return False
    clauses = [c for c in _CLAUSES.split(q.norm) if c]
    return any(q.referral.keyword in c and not f.names_in(c, s.scores.exact) for c in clauses)


def _asked_without_our_names(s: Situation, f: Facts) -> bool:
    """Nothing of ours is named verbatim, and the referral keyword stands in a one-clause question or in a clause
    that asks something while our names (even fuzzy ones) stand elsewhere ("我开了个个体诊所，开发票要去哪申请")."""
    q = s.query
    if s.scores.exact or q.referral is None:
        return False
    if not q.question_clauses:  # one clause, our names only fuzzily, the keyword verbatim ("个体诊所每个月要报税吗")
        return True
    return any(q.referral.keyword in c and not f.names_in(c, tuple(s.scores.named)) for c in q.question_clauses)


def _asks_only_about_the_keyword(s: Situation, f: Facts) -> bool:
    """Every clause that asks (a question word or an aspect cue) carries the referral keyword, and one of them names
    nothing of ours: our item only says what the business is ("开诊所要办营业执照吗 营业执照咋办")."""
    q = s.query
    if not s.scores.exact or q.referral is None:
        return False
    cues = f.selector.cues
    words = cues.lexicon.question_words
    clauses = [c for c in _SPOKEN_CLAUSES.split(q.norm) if c and c.strip()]
    asking = [c for c in clauses if any(w in c for w in words) or cues.aspect_hits(c)]
    return (
        len(asking) >= 2
        and all(q.referral.keyword in c for c in asking)
        and any(not f.names_in(c, s.scores.exact) for c in asking)
    )


def _named_as_a_document(s: Situation, f: Facts) -> bool:
    """Our item is named only as a paper another department's service asks for ("上户口要带出生医学证明原件吗")."""
    q = s.query
    if not s.scores.exact or q.referral is None:
        return False
    names = [n for c in s.scores.exact for n in f.names_of(c) if n in q.norm]
    return bool(names) and all(f.named_as_document(q.norm, n) for n in names)


def _states_a_place(s: Situation) -> bool:
    """In a conversation about an item, a message that names a place and asks nothing tells where the citizen
    is ("我们公司注册在上海"): the follow-up rule switches the region, whatever service words it also uses."""
    q = s.query
    return bool(s.context.item_code and q.region and not q.asks and not q.aspects and not s.scores.exact)


def _narrated_beside_a_question(s: Situation, f: Facts) -> bool:
    """In a conversation about an item, the referral keyword stands only in clauses that ask nothing, beside a clause
    that asks ("我以前酒驾被判过刑，去年刚执行完，还能注册吗"): the citizen tells their story, the question is the
    item's. A space between Chinese words parts clauses as a comma does ("我户口在云南禄丰 还能新办不"); there, a
    message that asks something asks it beside the keyword's clause when that clause carries no question word. Not
    where the learned kind is confidently another department's ("补回来以后退休金能多算多少，是社保那边管吧": the
    confirmation in 吧 carries no question word, yet the pension is what is asked)."""
    q = s.query
    if not s.context.item_code or q.referral is None or _other_department_confident(q):
        return False  # the learned kind sure of another department's matter: no story beside our question
    if q.question_clauses:
        return all(q.referral.keyword not in c for c in q.question_clauses)
    clauses = [c for c in _SPOKEN_CLAUSES.split(q.norm) if c.strip()]
    if len(clauses) < 2 or not q.asks:
        return False
    words = f.selector.cues.lexicon.question_words
    told = [c for c in clauses if q.referral.keyword in c]
    return bool(told) and len(told) < len(clauses) and not any(w in c for c in told for w in words)


def _conversation_item_leads_in_language(s: Situation, f: Facts) -> bool:
    """The conversation's item is retrieval's best, at or above the no-answer threshold of the message's language."""
    ranked = s.scores.ranked
    threshold = f.tuning.no_answer_below_en if s.query.language == "en" else f.tuning.no_answer_below
    return bool(s.context.item_code and ranked and ranked[0][0] == s.context.item_code and ranked[0][1] >= threshold)


def _asked_as_a_prerequisite(s: Situation, f: Facts) -> bool:
    """In a conversation about an item, a question about whether something is needed (conditions, materials) whose
    referral keyword the item's own guides use, while retrieval finds the conversation's item best ("Does the doctor
    need a visa before applying?" after 外国医师来华短期行医许可, whose guides ask for 入境签证): a requirement of
    our item, not the other department's service. An English keyword counts through its department's Chinese ones
    ("visa" → 签证). A need asked A-not-A, or a message saying nothing but the keyword, needs no retrieval lead
    (`_asked_whether_needed`: "户口本要不要带"; `_says_only_the_keyword`: "残疾证要原件吗"). Where to
    get the other service done ("上户口去哪办") asks no prerequisite."""
    q, code = s.query, s.context.item_code
    if not code or q.referral is None or not q.aspects or q.aspects[0] not in _PREREQUISITE_ASPECTS:
        return False
    if not (_conversation_item_leads_in_language(s, f) or _asked_whether_needed(s, f) or _says_only_the_keyword(s, f)):
        return False
    return any(f.item_mentions(code, w) for w in keyword_words(s, f))


def _says_only_the_keyword(s: Situation, f: Facts) -> bool:
    """Beyond cue words, question words and filler the message says nothing but the referral keyword (every
    character of `Query.residue` is one of the keyword's, and no item of ours is named): "残疾证要原件吗" after
    特别扶助 asks about the paper the item requires, however low retrieval scores so short a message. "上户口要带什么
    材料" says 上 beside 户口: the errand, not the paper."""
    q = s.query
    if q.referral is None or s.scores.exact or not q.residue:
        return False
    return all(ch in q.referral.keyword for ch in q.residue)


def _asked_whether_needed(s: Situation, f: Facts) -> bool:
    """The clause holding the referral keyword asks A-not-A whether it is needed (lexicon
    `followup.need_questions`: "户口本要不要带", "材料呢？户口本要不要") and no item of ours is named: the thing the
    keyword names is asked for as a paper or condition of the conversation's item, however low retrieval scores a
    follow-up ("上户口要带出生医学证明吗" names our item as the paper another service asks for: not this)."""
    q = s.query
    if q.referral is None or s.scores.exact:
        return False
    needs = f.selector.cues.lexicon.followup.need_questions
    clauses = [c for c in _SPOKEN_CLAUSES.split(q.norm) if c and c.strip()]
    return any(q.referral.keyword in c and any(w in c for w in needs) for c in clauses)


def _conversation_item_leads(s: Situation, f: Facts) -> bool:
    """Retrieval finds the conversation's item best, at or above the no-answer threshold ("办好后凭卡去哪里买药"
    after a question about 印鉴卡): the message is about it, whatever the head makes of it alone."""
    ranked = s.scores.ranked
    return bool(
        s.context.item_code
        and ranked
        and ranked[0][0] == s.context.item_code
        and ranked[0][1] >= f.tuning.no_answer_below
    )


def _paper_of_our_policy(s: Situation, f: Facts) -> bool:
    """The question names no item of ours and a policy of ours about papers other departments issue ("政府自己发的营业
    执照这类证，还要我再复印一份交上去吗": 两个免于提交): the other department's paper is the policy's subject, and the
    policy rule answers. A policy that is not about such papers leaves the keyword's service theirs ("营业执照能告知
    承诺办吗")."""
    papers = f.selector.cues.lexicon.policy_cues.about_others_papers
    return not s.scores.exact and any(n in papers for n in s.query.policy_names)


def referral(s: Situation, f: Facts) -> Decision | None:
    """A referral keyword (`referrals.yaml`) and no item of ours named, or an item named only in passing
    (in a clause that asks nothing, as a paper the other service asks for, or as the business in a message whose every
    asking clause is about the keyword's service) or while the learned kind is confidently another department's.
    Mid-conversation, a message only stating a place, telling a story with the keyword beside a question of its own,
    or asking whether the item needs what the keyword names, is the follow-up rule's. Where the learned views say
    the question is ours — kind, item head and ranking agree on an item, or, in a conversation, the learned kind is
    sure of an in-domain question whose keyword the item's guides use (`referral_ask.keyword_of_our_question`) — the
    keyword is a purpose or a circumstance, and the other rules decide."""
    q = s.query
    if q.referral and (_states_a_place(s) or _narrated_beside_a_question(s, f) or _asked_as_a_prerequisite(s, f)):
        return None
    if q.referral and _paper_of_our_policy(s, f):
        return None
    if q.referral and keyword_of_our_question(s, f):
        return None  # the keyword is a purpose or a circumstance of a question about our item (decide/referral_ask.py)
    if q.referral and (
        not s.scores.named
        or _other_department_confident(q)
        or _named_in_passing(s, f)
        or _asked_without_our_names(s, f)
        or _named_as_a_document(s, f)
        or _asks_only_about_the_keyword(s, f)
    ):
        return Decision(kind="no_answer", rule="referral", referral=q.referral)
    return None


def complaint_about_department(s: Situation, f: Facts) -> Decision | None:
    """A complaint whose target is another department's office, staff or service (`Query.complaint_target`: "…我要
    投诉公积金中心", "…应急局来查…罚得太重了，我想申诉") and that names no item of ours verbatim → the no-answer naming
    that department: its service, its staff, its delay are its own matter. A complaint about a hospital, a clinic,
    a vaccination, a health permit or the commission has no such target (the complaint intake takes it)."""
    q = s.query
    if q.complaint_target is None or s.scores.exact:
        return None
    return Decision(kind="no_answer", rule="complaint_about_department", referral=q.complaint_target)


def department_subject(s: Situation, f: Facts) -> Decision | None:
    """Asks which department handles something, in any words (`knowledge/query/department_question.py`: "…医闹这种事
    应该找谁处理", "是不是应该直接找警察", "Which department oversees rental housing disputes?"), naming no item of ours
    verbatim, and what it asks about is another department's — the office or service named in the asking clause (or the
    one before it) with no health word there (`Query.department_subject`), or a service of another department named
    anywhere (`Query.referral`: "…医院门口…想申请划禁停标志，该向哪个部门提") in a first question → the no-answer naming
    that department. In a conversation about an item, a keyword elsewhere is left to `referral`'s own checks (a story
    told beside a question about the item)."""
    q = s.query
    if s.scores.exact or not q.asks_which_department:
        return None
    subject = q.department_subject or (q.referral if not s.context.item_code else None)
    if subject is None:
        return None
    return Decision(kind="no_answer", rule="department_subject", referral=subject)


def other_department(s: Situation, f: Facts) -> Decision | None:
    """The learned kind is confidently another department's (its calibrated threshold), no referral keyword
    named it, and the question names no item of ours verbatim and no policy → the no-answer with 12345.
    This is the one place the learned kind turns a question away. The head reads one message without its
    conversation: in a conversation about an item, a message saying little beyond cue words ("要带身份证吗"),
    naming a place ("我人在韶山 走县里窗口"), pointing back ("办这个的时候需要本人到场吗"), using the item's
    own words or finding the conversation's item best ("办好后凭卡去哪里买药"), or otherwise tied to the item
    (`followup_ties.tied_to_the_item`: "这审查…", "公园和体育馆呢", "where's the office", a phrase of its guides) with
    no word of another department's is left to the follow-up rule. A message naming another department's office or
    staff that the item's guides never use (`followup_ties.agency_named`: "那我们药店卖的药想打广告，也是你们审吗" after
    医疗广告审查) is turned away however it is tied, and the no-answer names that office's department."""
    q, t, ctx = s.query, f.tuning, s.context
    if not _other_department_confident(q) or s.scores.exact or q.policy_names:
        return None
    agency = agency_named(s, f)
    if agency is not None:  # another department's office its guides never name: the head's verdict stands
        return Decision(kind="no_answer", rule="other_department", referral=agency)
    if ctx.item_code and (
        len(q.residue) <= t.followup_max_residue
        or q.region
        or q.refers_back
        or f.item_mentions(ctx.item_code, q.residue)
        or _conversation_item_leads(s, f)
        or tied_to_the_item(s, f)
    ):
        return None  # cue words, a place, a word pointing back or the item's own words: the follow-up rule's
    return Decision(kind="no_answer", rule="other_department")


def department_question(s: Situation, f: Facts) -> Decision | None:
    """Asks which department handles something or where to complain ("施工噪音找哪个部门") and names no
    item of ours, not even in part: no guide fits — the honest no-answer with the helpline. Where to complain
    about the conversation's item names none verbatim either ("要是办不下来该找谁反映")."""
    q = s.query
    if (q.asks_department and not s.scores.named) or (
        q.asks_complaint_route and s.context.item_code and not s.scores.exact
    ):
        return Decision(kind="no_answer", rule="department_question")
    return None
