"""The unanswered-questions loop: capture (masked), grouping by similarity, office assignment, resolution
through knowledge drafts, and re-testing resolved groups against each published version."""
