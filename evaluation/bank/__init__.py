"""A labelled question bank generated from the knowledge base, split into a tuning and a blind part."""
