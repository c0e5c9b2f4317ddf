"""HTTP face of the knowledge engine."""
