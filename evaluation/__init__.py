"""Conversation evaluation harness (format: ../shared/eval/FORMAT.md)."""
