"""Roles, and which may act where (pure: no database)."""

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    REGULATOR = "regulator"
    CUSTOMS = "customs"
    ANALYST = "analyst"
    LAW_ENFORCEMENT = "law_enforcement"
    # A user of an operator (a chemical company): files industry reports and reads its own
    # reports and reference data, nothing else (app/auth/deps.py, INDUSTRY_TAGS).
    INDUSTRY = "industry"


# Roles that must belong to an authority (and so to a country).
COUNTRY_ROLES = frozenset({Role.REGULATOR, Role.CUSTOMS, Role.LAW_ENFORCEMENT})
# Roles whose authority must be of the same kind (a law-enforcement officer works for a
# law-enforcement authority; regulators and customs predate this check).
ROLE_AUTHORITY_KIND = {Role.LAW_ENFORCEMENT: "law_enforcement"}
# Officers on the ground: they record incidents and raise and triage flags.
OFFICERS = frozenset({Role.REGULATOR, Role.CUSTOMS, Role.LAW_ENFORCEMENT})
# Roles that read every country's records (INCB-style oversight and configuration).
GLOBAL_READERS = frozenset({Role.ADMIN, Role.ANALYST})
