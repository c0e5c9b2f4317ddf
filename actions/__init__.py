"""Custom actions for the Rasa assistant: thin HTTP clients of the app (see docs/ARCHITECTURE.md).

The action server imports every module here: nothing may load, open or read anything at import.
"""
