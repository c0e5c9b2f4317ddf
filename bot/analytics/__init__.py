"""Chat-turn analytics: one row per chat turn, written by the gateway's recorder."""
