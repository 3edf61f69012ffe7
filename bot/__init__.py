"""Vecinos: a neighbourhood rapid-response bot (reports, rights FAQ, nearby alerts)."""

__version__ = "0.1.0"
