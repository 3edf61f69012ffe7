"""Conversation flows. Transport-neutral: nothing here imports a messenger library."""
