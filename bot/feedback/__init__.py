"""Answer feedback: the citizen's 👍/👎 (with an optional reason) on an answer of the web widget."""
