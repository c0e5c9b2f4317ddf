"""Citizen chat gateway: input limits, PII masking, the Rasa REST channel, health."""
