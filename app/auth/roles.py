"""Roles, and which may act where (pure: no database)."""

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    REGULATOR = "regulator"
    CUSTOMS = "customs"
    ANALYST = "analyst"


# Roles that must belong to an authority (and so to a country).
COUNTRY_ROLES = frozenset({Role.REGULATOR, Role.CUSTOMS})
# Roles that read every country's records (INCB-style oversight and configuration).
GLOBAL_READERS = frozenset({Role.ADMIN, Role.ANALYST})
