"""Stage 2, retrieve: score every item and policy point for a `Query` → `Scores`.

Each channel (dense, bm25, names) is one file behind the `Channel` protocol; `fuse.py` combines them.
"""
