"""Entity resolution (pure: no database): which operators are the same real-world party, and why.

Names are compared after normalisation (transliterated to ASCII with `anyascii`, lower case,
punctuation dropped, legal forms such as LLC, GmbH, Pvt Ltd, FZE left out); candidate pairs come
from blocking keys (the normalised name, its rarest words, its first letters, the address, the
registration and licence numbers), so that 10^5 operators resolve in seconds, not in 10^10
comparisons (bench/entities.py). Each pair that matches carries its reasons
(`same_registration_number`, `same_address`, `similar_name:0.93` …). Investigators' decisions
win over the scores: a confirmed pair is always one entity, a split pair never.
"""

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from anyascii import anyascii
from rapidfuzz import fuzz

# Legal forms and the words that come with them, in many jurisdictions (after normalisation).
LEGAL_FORMS = frozenset(
    [
        "llc",
        "lllc",
        "l",
        "l",
        "c",
        "gmbh",
        "mbh",
        "ltd",
        "limited",
        "pvt",
        "private",
        "plc",
        "inc",
        "incorporated",
        "corp",
        "corporation",
        "co",
        "company",
        "sa",
        "sas",
        "sarl",
        "srl",
        "spa",
        "sl",
        "sa",
        "de",
        "cv",
        "ag",
        "kg",
        "ohg",
        "ug",
        "bv",
        "nv",
        "oy",
        "ab",
        "as",
        "aps",
        "fze",
        "fzco",
        "fzc",
        "fzllc",
        "fz",
        "dmcc",
        "est",
        "establishment",
        "jsc",
        "ojsc",
        "pjsc",
        "cjsc",
        "ooo",
        "zao",
        "oao",
        "tov",
        "pte",
        "pty",
        "sdn",
        "bhd",
        "llp",
        "lp",
        "ltda",
        "eirl",
        "kk",
        "yk",
        "the",
        "and",
        "of",
        "et",
    ]
)
# Words too common in the trade's names to say anything about who is who (not blocking keys).
COMMON_WORDS = frozenset(
    [
        "chemical",
        "chemicals",
        "chem",
        "trading",
        "trade",
        "traders",
        "international",
        "intl",
        "industries",
        "industry",
        "industrial",
        "group",
        "import",
        "export",
        "imports",
        "exports",
        "pharma",
        "pharmaceutical",
        "pharmaceuticals",
        "enterprise",
        "enterprises",
        "global",
        "general",
        "services",
        "solutions",
        "products",
        "commercial",
        "holding",
        "holdings",
        "company",
    ]
)
# How alike two names must be (0..1): alone, or with the same address.
NAME_ALONE = 0.94
NAME_WITH_ADDRESS = 0.80
ADDRESS_ALIKE = 0.92
# A blocking key shared by more records than this says nothing (a street every forwarder uses).
MAX_BLOCK = 400

_DOTTED = re.compile(r"(?<=\b\w)\.(?=\w\b)|\.(?=\s|$)")
_NON_WORD = re.compile(r"[^a-z0-9]+")


def _words(text: str) -> list[str]:
    ascii_text = anyascii(text).lower()
    # "L.L.C." and "Pvt." lose their dots before punctuation becomes space.
    return [w for w in _NON_WORD.split(_DOTTED.sub("", ascii_text)) if w]


def normalise_name(name: str) -> str:
    """The name as compared: ASCII, lower case, no punctuation, no legal form."""
    words = [w for w in _words(name) if w not in LEGAL_FORMS]
    return " ".join(words) or " ".join(_words(name))


def normalise_address(address: str | None) -> str:
    return " ".join(sorted(_words(address or "")))


def normalise_identifier(value: str | None) -> str:
    return "".join(_words(value or "")).upper()


@dataclass(frozen=True)
class PartyRecord:
    """An operator as resolution sees it."""

    id: str
    name: str
    country: str
    address: str | None = None
    registration_number: str | None = None
    licence_number: str | None = None


@dataclass
class Prepared:
    record: PartyRecord
    name: str
    sorted_name: str
    compact: str
    address: str
    registration: str
    licence: str


def prepare(record: PartyRecord) -> Prepared:
    name = normalise_name(record.name)
    return Prepared(
        record=record,
        name=name,
        sorted_name=" ".join(sorted(name.split())),
        compact=name.replace(" ", ""),
        address=normalise_address(record.address),
        registration=normalise_identifier(record.registration_number),
        licence=normalise_identifier(record.licence_number),
    )


# Keys made from the name (the others: address, registration and licence numbers).
NAME_KEYS = frozenset("npst")


def blocking_keys(item: Prepared, rare_words: list[str]) -> list[str]:
    """The keys a record is filed under; two records are compared when they share one: the
    name, the first and the last letters of its telling words (a typo spoils one of the two),
    its rarest words, the address and the numbers."""
    telling = "".join(name_words(item)) or item.compact
    keys = [f"n:{item.compact}", f"p:{telling[:6]}", f"s:{telling[-6:]}"]
    keys += [f"t:{word}" for word in rare_words]
    if item.address:
        keys.append(f"a:{item.address}")
    if item.registration:
        keys.append(f"r:{item.registration}")
    if item.licence:
        keys.append(f"l:{item.licence}")
    return keys


def name_words(item: Prepared) -> list[str]:
    return [w for w in item.name.split() if len(w) >= 3 and w not in COMMON_WORDS]


def keys_of(items: list[Prepared]) -> list[list[str]]:
    """Each record's blocking keys, its two rarest words among these records included."""
    frequency = Counter(w for item in items for w in set(name_words(item)))
    keys = []
    for item in items:
        rare = sorted(set(name_words(item)), key=lambda w: (frequency[w], w))[:2]
        keys.append(blocking_keys(item, rare))
    return keys


def _alike(a: list[str], b: list[str]) -> float:
    """How alike two word lists are, in their own order or sorted, with or without spaces."""
    return (
        max(
            fuzz.ratio(" ".join(a), " ".join(b)),
            fuzz.ratio(" ".join(sorted(a)), " ".join(sorted(b))),
            fuzz.ratio("".join(a), "".join(b)),
        )
        / 100
    )


def name_similarity(a: Prepared, b: Prepared) -> float:
    """Word order and spacing do not matter ("Al-Noor" is "Alnoor", "Noor Al" is "Al Noor");
    the words that tell companies apart must be alike too ("Oxus Chemical Distribution" is not
    "Lotus Chemical Distribution")."""
    whole = _alike(a.name.split(), b.name.split())
    words_a, words_b = name_words(a), name_words(b)
    if not words_a or not words_b:
        return whole
    return min(whole, _alike(words_a, words_b))


def match_reasons(a: Prepared, b: Prepared) -> list[str] | None:
    """Why `a` and `b` are one party, or None when they are not."""
    reasons = []
    if a.registration and a.registration == b.registration:
        reasons.append("same_registration_number")
    if a.licence and a.licence == b.licence:
        reasons.append("same_licence_number")
    same_address = bool(a.address) and (
        a.address == b.address or fuzz.ratio(a.address, b.address) / 100 >= ADDRESS_ALIKE
    )
    if same_address:
        reasons.append("same_address")
    similarity = name_similarity(a, b)
    if similarity >= NAME_WITH_ADDRESS:
        reasons.append("same_name" if a.name == b.name else f"similar_name:{similarity:.2f}")
    identified = reasons[:1] in (["same_registration_number"], ["same_licence_number"])
    # A registration number is unique in its country; abroad, the name must look alike too.
    if identified and (a.record.country == b.record.country or similarity >= 0.6):
        return reasons
    # The same name alone makes one party within a country; abroad it is often another
    # company (or a subsidiary): there an address or a number must say so too.
    alone = similarity >= NAME_ALONE and a.record.country == b.record.country
    if alone or (same_address and similarity >= NAME_WITH_ADDRESS):
        return reasons
    return None


Pair = tuple[str, str]


def pair(a: str, b: str) -> Pair:
    return (a, b) if a < b else (b, a)


# A name block's pair is worth scoring only if the names are this alike (0..100, cheap).
PREFILTER = 70


def _names_may_match(a: Prepared, b: Prepared) -> bool:
    return bool(
        fuzz.ratio(a.compact, b.compact, score_cutoff=PREFILTER)
        or fuzz.ratio(a.sorted_name, b.sorted_name, score_cutoff=PREFILTER)
    )


def candidate_pairs(items: list[Prepared]) -> set[tuple[int, int]]:
    """Index pairs sharing a blocking key (blocks larger than MAX_BLOCK skipped); pairs that
    share only a name key and whose names are far apart are dropped before scoring."""
    blocks: dict[str, list[int]] = {}
    for index, keys in enumerate(keys_of(items)):
        for key in keys:
            blocks.setdefault(key, []).append(index)
    pairs: set[tuple[int, int]] = set()
    for key, members in blocks.items():
        if len(members) < 2 or len(members) > MAX_BLOCK:
            continue
        by_name = key[0] in NAME_KEYS
        for position, i in enumerate(members):
            for j in members[position + 1 :]:
                if by_name and not _names_may_match(items[i], items[j]):
                    continue
                pairs.add((i, j) if i < j else (j, i))
    return pairs


@dataclass
class Resolution:
    """Clusters of record ids (each sorted), and each record's reasons for joining its cluster."""

    clusters: list[list[str]]
    reasons: dict[str, list[str]] = field(default_factory=dict)


class _Clusters:
    def __init__(self, ids: Iterable[str], different: set[Pair]) -> None:
        self.parent = {i: i for i in ids}
        self.members = {i: {i} for i in self.parent}
        self.different = different

    def find(self, i: str) -> str:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def may_join(self, a: str, b: str) -> bool:
        left, right = self.members[self.find(a)], self.members[self.find(b)]
        return not any(
            (x in left and y in right) or (y in left and x in right) for x, y in self.different
        )

    def join(self, a: str, b: str) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb or not self.may_join(a, b):
            return False
        if len(self.members[ra]) < len(self.members[rb]):
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.members[ra] |= self.members.pop(rb)
        return True


CONFIRMED = "confirmed_by_investigator"


def resolve(
    records: Iterable[PartyRecord],
    same: Iterable[Pair] = (),
    different: Iterable[Pair] = (),
) -> Resolution:
    """Cluster the records: investigators' confirmed pairs first, then every matching candidate
    pair, strongest first, unless it would join a pair an investigator split."""
    items = [prepare(r) for r in records]
    ids = {item.record.id for item in items}
    clusters = _Clusters(ids, {p for p in different if p[0] in ids and p[1] in ids})
    reasons: dict[str, list[str]] = {}
    for a, b in same:
        if a in ids and b in ids and clusters.join(a, b):
            reasons.setdefault(a, [CONFIRMED])
            reasons.setdefault(b, [CONFIRMED])
    matches = []
    for i, j in candidate_pairs(items):
        found = match_reasons(items[i], items[j])
        if found is not None:
            matches.append((len(found), items[i].record.id, items[j].record.id, found))
    matches.sort(key=lambda m: (-m[0], m[1], m[2]))
    for _, a, b, found in matches:
        if clusters.join(a, b):
            reasons.setdefault(a, found)
            reasons.setdefault(b, found)
    grouped = sorted(sorted(members) for members in clusters.members.values())
    return Resolution(grouped, {i: reasons.get(i, []) for i in ids})
