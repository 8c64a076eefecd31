"""Regions for the summaries' `region` filter: the region of concern and UN M49 regions (pure)."""

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

M49_FILE = Path(__file__).with_name("m49.csv")

# Afghanistan, which declared no licit need for acetic anhydride, and its neighbours: the
# destinations towards which INCB follows flows of AA.
CONCERN_CODE = "concern"
REGION_OF_CONCERN = frozenset({"AF", "PK", "IR", "TJ", "UZ", "TM", "CN"})


@dataclass(frozen=True)
class Region:
    code: str  # "concern", or a three-digit UN M49 code ("142" Asia, "034" Southern Asia)
    name: str
    level: str  # "concern", "region", "subregion" or "intermediate_region"
    countries: frozenset[str]


@cache
def regions() -> dict[str, Region]:
    """Every region by code, read once from the M49 table (Taiwan has no M49 region)."""
    members: dict[tuple[str, str, str], set[str]] = {}
    with M49_FILE.open(newline="", encoding="utf-8") as handle:
        lines = (line for line in handle if not line.startswith("#"))
        for row in csv.DictReader(lines):
            for level in ("region", "subregion", "intermediate_region"):
                code = row[f"{level}_code"]
                if code:
                    members.setdefault((code, row[level], level), set()).add(row["iso2"])
    found = {
        CONCERN_CODE: Region(
            CONCERN_CODE,
            "Afghanistan and neighbours (region of concern)",
            "concern",
            REGION_OF_CONCERN,
        )
    }
    for (code, name, level), countries in sorted(members.items()):
        found[code] = Region(code, name, level, frozenset(countries))
    return found


def get_region(code: str) -> Region | None:
    return regions().get(code.strip().lower())
