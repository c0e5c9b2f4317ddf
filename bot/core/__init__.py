"""Cross-cutting pieces of the app: secrets and HTTP hardening."""
