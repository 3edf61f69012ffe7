"""Persistence: the only package that holds SQL. aiosqlite, WAL, ordered migrations, one repository per aggregate."""

from storage.db import Database

__all__ = ["Database"]
