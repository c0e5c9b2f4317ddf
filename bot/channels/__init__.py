"""Channel adapters: how a message reaches a citizen (web inbox now, WeChat later)."""
