"""The demo's world: authorities, places, trade lanes and what moves along them.

Companies are fictitious. Lanes follow the real pattern of the acetic anhydride (AA) trade:
producers in East Asia, Europe and North America; importers in South and Central Asia, Turkey
and the Gulf; re-export hubs (free zones) and the countries bordering Afghanistan.
"""

from dataclasses import dataclass

AA = "108-24-7"
KMNO4 = "7722-64-7"
EPHEDRINE = "299-42-3"
PSEUDOEPHEDRINE = "90-82-4"
NOREPHEDRINE = "14838-15-4"
PAA = "103-82-2"
PIPERONAL = "120-57-0"
P2P = "103-79-7"
ANTHRANILIC = "118-92-3"
ACETONE = "67-64-1"
TOLUENE = "108-88-3"
MEK = "78-93-3"
HCL = "7647-01-0"
H2SO4 = "7664-93-9"
ETHER = "60-29-7"
PIPERIDINE = "110-89-4"
ACETYL_CHLORIDE = "75-36-5"

# Country: (name, cities for addresses, company suffix, sea or land border point)
COUNTRIES: dict[str, tuple[str, tuple[str, ...], str, str]] = {
    "DE": ("Germany", ("Ludwigshafen", "Leverkusen", "Marl", "Hamburg"), "GmbH", "Hamburg Port"),
    "NL": ("Netherlands", ("Rotterdam", "Geleen", "Delfzijl"), "B.V.", "Port of Rotterdam"),
    "BE": ("Belgium", ("Antwerp", "Ghent", "Tertre"), "NV", "Port of Antwerp-Bruges"),
    "FR": ("France", ("Lyon", "Le Havre", "Roussillon"), "SAS", "Le Havre Port"),
    "GB": ("United Kingdom", ("Hull", "Runcorn", "Grangemouth"), "Ltd", "Felixstowe"),
    "CN": ("China", ("Shanghai", "Nanjing", "Zibo", "Tianjin"), "Co., Ltd.", "Shanghai Yangshan"),
    "IN": ("India", ("Mumbai", "Vadodara", "Ankleshwar", "Hyderabad"), "Pvt. Ltd.", "Nhava Sheva"),
    "KR": ("Republic of Korea", ("Ulsan", "Yeosu", "Incheon"), "Co., Ltd.", "Busan New Port"),
    "JP": ("Japan", ("Osaka", "Kawasaki", "Yokkaichi"), "K.K.", "Port of Yokohama"),
    "US": ("United States", ("Houston", "Kingsport", "Baton Rouge"), "Inc.", "Port of Houston"),
    "TR": ("Türkiye", ("Istanbul", "Izmir", "Kocaeli"), "A.Ş.", "Mersin Port"),
    "AE": ("United Arab Emirates", ("Jebel Ali Free Zone", "Sharjah", "Dubai"), "FZE", "Jebel Ali"),
    "PK": ("Pakistan", ("Karachi", "Lahore", "Faisalabad"), "(Pvt) Ltd", "Port Qasim"),
    "IR": ("Iran", ("Tehran", "Bandar Abbas", "Mashhad"), "Co.", "Bandar Abbas"),
    "AF": ("Afghanistan", ("Kabul", "Herat", "Kandahar"), "Trading Co.", "Torkham"),
    "TZ": ("Tanzania", ("Dar es Salaam", "Arusha"), "Ltd", "Port of Dar es Salaam"),
    "UZ": ("Uzbekistan", ("Tashkent", "Navoi", "Termez"), "LLC", "Tashkent rail terminal"),
    "TJ": ("Tajikistan", ("Dushanbe", "Khujand"), "LLC", "Dushanbe rail terminal"),
    "KZ": ("Kazakhstan", ("Almaty", "Shymkent", "Pavlodar"), "LLP", "Khorgos"),
}
DEMO_COUNTRIES = tuple(COUNTRIES)

INCB = "incb"


def regulator_id(country: str) -> str:
    return f"{country.lower()}-regulator"


def customs_id(country: str) -> str:
    return f"{country.lower()}-customs"


STEMS = (
    "Rhein",
    "Nordsee",
    "Meridian",
    "Kestrel",
    "Indus",
    "Sapphire",
    "Orion",
    "Delta",
    "Lotus",
    "Crescent",
    "Harbour",
    "Pioneer",
    "Summit",
    "Everest",
    "Golden Gate",
    "Silk Road",
    "Anatolia",
    "Caspian",
    "Oxus",
    "Pamir",
    "Tian Shan",
    "Kilimanjaro",
    "Zagros",
    "Hindu Kush",
    "Sakura",
    "Hanbit",
    "Evergreen",
    "Atlas",
    "Polaris",
    "Vega",
    "Altair",
    "Cobalt",
    "Amber",
    "Jade",
)
ACTIVITIES = {
    "manufacturer": ("Chemicals", "Chemical Industries", "Petrochemicals", "Fine Chemicals"),
    "distributor": ("Chemical Distribution", "Chemie Handel", "Solvents"),
    "trader": ("General Trading", "Import Export", "Commodities"),
    "end_user": ("Textiles", "Cellulose", "Pharma", "Dyes and Pigments", "Laboratories"),
    "forwarder": ("Freight Forwarders", "Logistics", "Shipping Agency"),
    "broker": ("Customs Brokers", "Trade Services"),
}

# Where each country's operators sit in the trade (exporting side, importing side).
EXPORTER_KINDS = ("manufacturer", "manufacturer", "distributor")
IMPORTER_KINDS = ("end_user", "end_user", "distributor", "trader")
INTERMEDIARY_KINDS = ("forwarder", "broker")


@dataclass(frozen=True)
class Lane:
    exporting: str
    importing: str
    transit: tuple[str, ...]
    mode: str
    weight: int
    substances: tuple[tuple[str, int], ...]  # (CAS, weight)
    risky: bool = False
    # Named on the PEN when the goods go beyond the importing country.
    final_destination: str | None = None


_AA_MOSTLY = ((AA, 8), (KMNO4, 1), (PAA, 1))
_PHARMA = ((PSEUDOEPHEDRINE, 4), (EPHEDRINE, 3), (NOREPHEDRINE, 1), (AA, 2))
_MIXED = ((AA, 6), (KMNO4, 2), (PIPERONAL, 1), (PAA, 1))
_TABLE_II = ((ACETONE, 4), (TOLUENE, 3), (MEK, 2), (HCL, 2), (H2SO4, 3), (ETHER, 1))

LANES: tuple[Lane, ...] = (
    Lane("CN", "IN", (), "sea", 14, _AA_MOSTLY),
    Lane("CN", "PK", (), "sea", 8, _AA_MOSTLY),
    Lane("KR", "IN", (), "sea", 7, _AA_MOSTLY),
    Lane("BE", "IN", (), "sea", 4, _MIXED),
    Lane("DE", "TR", (), "sea", 6, _MIXED),
    Lane("NL", "TR", (), "sea", 4, _AA_MOSTLY),
    Lane("US", "IN", (), "sea", 3, _AA_MOSTLY),
    Lane("JP", "KR", (), "sea", 3, _MIXED),
    Lane("GB", "US", (), "sea", 2, _MIXED),
    Lane("FR", "GB", (), "road", 2, _MIXED),
    Lane("DE", "US", (), "sea", 2, _PHARMA),
    Lane("IN", "AE", (), "sea", 5, _PHARMA),
    Lane("IN", "TZ", (), "sea", 3, _PHARMA),
    Lane("CN", "AE", (), "sea", 6, _AA_MOSTLY),
    Lane("AE", "PK", (), "sea", 3, _AA_MOSTLY),
    Lane("AE", "IR", (), "sea", 3, _AA_MOSTLY),
    Lane("CN", "KZ", (), "rail", 4, _MIXED),
    Lane("CN", "UZ", ("KZ",), "rail", 4, _AA_MOSTLY),
    Lane("KR", "UZ", ("CN", "KZ"), "multimodal", 2, _AA_MOSTLY),
    Lane("CN", "TJ", (), "road", 2, _AA_MOSTLY),
    Lane("DE", "KZ", (), "rail", 2, _PHARMA),
    Lane("TR", "IR", (), "road", 2, _MIXED),
    Lane("IN", "IR", (), "sea", 2, _PHARMA),
    # Lanes of concern (the planted diversion patterns). No legitimate exporter addresses a PEN
    # to Afghanistan, which declared no licit need for acetic anhydride: the goods go to a
    # neighbour and onward (the final destination), through the neighbours on the way, or as
    # acetyl chloride, the unscheduled substitute (TARCET 2008: 16 t seized in Iran).
    Lane("CN", "TJ", (), "road", 1, ((AA, 1),), risky=True, final_destination="AF"),
    Lane("AE", "TJ", ("IR", "TM", "UZ"), "road", 1, ((AA, 1),), risky=True),
    Lane("IN", "UZ", ("IR", "TM"), "multimodal", 1, ((AA, 1),), risky=True),
    Lane("KR", "UZ", ("KZ",), "rail", 1, ((ACETYL_CHLORIDE, 1),), risky=True),
)

TABLE_II = _TABLE_II
# Ordinary trade, also carrying Table II solvents and acids (PENs where the importer asks).
TRADE_LANES = tuple(lane for lane in LANES if not lane.risky)

INTENDED_USE = {
    AA: (
        "Manufacture of cellulose acetate",
        "Acetylation in paracetamol manufacture",
        "Manufacture of acetylsalicylic acid",
        "Dyes and pigments",
        "Pharmaceutical intermediates",
    ),
    KMNO4: ("Water treatment", "Oxidising agent in organic synthesis"),
    EPHEDRINE: ("Pharmaceutical preparations (bronchodilators)",),
    PSEUDOEPHEDRINE: ("Pharmaceutical preparations (decongestants)",),
    NOREPHEDRINE: ("Veterinary pharmaceutical preparations",),
    PAA: ("Penicillin G manufacture", "Fragrance ingredients"),
    PIPERONAL: ("Fragrance and flavour compounding",),
    P2P: ("Reference standard for forensic laboratories",),
}
INTENDED_USE.update(
    {
        ACETONE: ("Solvent for paints and coatings", "Solvent in pharmaceutical manufacture"),
        TOLUENE: ("Solvent for paints and adhesives", "Feedstock for chemical synthesis"),
        MEK: ("Solvent for coatings and adhesives",),
        ETHER: ("Extraction solvent in pharmaceutical manufacture",),
        HCL: ("Steel pickling", "pH control in water treatment"),
        H2SO4: ("Fertiliser manufacture", "Battery electrolyte"),
        ACETYL_CHLORIDE: ("Acetylation in pharmaceutical manufacture",),
    }
)
DEFAULT_USE = ("Laboratory reagent", "Chemical synthesis")

OBJECTION_REASONS = (
    "The importer is not known to this authority and holds no import licence.",
    "The quantity exceeds the importer's declared annual requirement several times over.",
    "The consignee is a freight forwarder with no licence for this substance.",
    "The importer's licence expired before the expected date of dispatch.",
    "The end-user declaration could not be verified at the stated address.",
)
INFORMATION_REQUESTS = (
    "Please provide the end-user declaration and the consignee's licence.",
    "Please confirm the intended use and the importer's annual requirement.",
    "Please state the means of payment and the bank of the payer.",
    "Please explain the transit through a free zone.",
)
ANSWERS = (
    "End-user declaration and licence attached.",
    "Payment by letter of credit, issuing bank confirmed.",
    "Transit is for consolidation only; the seal numbers are attached.",
)
WITHDRAWAL_REASONS = (
    "Order cancelled by the importer.",
    "Drafted in error; replaced by a new notification.",
    "Export licence not granted.",
    "Withdrawn after the importing authority's objection.",
)

CARRIERS = (
    "Blue Meridian Line",
    "Kestrel Container Lines",
    "Orient Star Shipping",
    "Caspian Rail Freight",
    "Silk Road Express",
    "Northbound Road Haulage",
    "Gulf Feeder Services",
)
# Fictitious owner prefixes (ISO 6346 owner code + category U).
CONTAINER_OWNERS = ("BMLU", "KCLU", "OSSU", "CRFU", "SREU", "GFSU")

BORDER_POINTS = {
    "PK": "Port Qasim",
    "IR": "Bandar Abbas",
    "AE": "Jebel Ali",
    "KZ": "Khorgos",
    "CN": "Alashankou",
    "TR": "Mersin Port",
    "UZ": "Termez",
}
