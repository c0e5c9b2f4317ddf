"""Curated health-administration service guides and the retrieval library that answers from them."""
