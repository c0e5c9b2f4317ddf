"""Stage 3, decide: from a `Query`, its `Scores` and the conversation's context → `Decision`.

The decision is a list of named rules (rules.py), tried in order; each is a pure function, unit-tested
with hand-built `Query` and `Scores`. No retrieval and no rendering happens here.
"""
