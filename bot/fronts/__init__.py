"""Messenger fronts: each parses its messenger's updates into neutral events and renders neutral replies."""
