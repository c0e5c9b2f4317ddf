"""Learned predictors on the shipped e5 embeddings: the question kind and the asked aspects."""
