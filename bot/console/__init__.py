"""The knowledge console (issue 9)."""
