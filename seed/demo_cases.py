"""Real acetic anhydride cases from the public record, as shipments with their border events.

What is public: place, month, substance, quantity, the mis-declaration or concealment. What is
not (exact days, companies, some routes) is filled in and said to be illustrative in the note.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from app.operators.models import Operator
from app.shipments.states import EventType as E
from seed.demo_common import Context, Party
from seed.demo_shipments import Event, ShipmentPlan, write_shipment
from seed.demo_world import AA, ACETYL_CHLORIDE

PORT_QASIM = (
    "Historical case: 21.7 t of acetic anhydride in a 20-foot container from Dar es Salaam, "
    "declared as acetic acid glacial, landed at Port Qasim in November 2015 for a consignee in "
    "Sialkot and found on 9 January 2016 (Tanzania does not produce it). Pakistan Customs "
    "statement, The News, 13 January 2016. Companies and the days of the voyage are "
    "illustrative; the final destination was never established."
)
BANDAR_ABBAS = (
    "Historical case (July 2016): about 2,380 kg of acetic anhydride hidden in fuel tanks among "
    "auto parts, in transit at Bandar Abbas. Origin, day and companies are illustrative "
    "(unverified)."
)
TARCET = (
    "Operation TARCET (2008): over 19 t of acetic anhydride seized, 14 t in Pakistan, 5 t in "
    "Iran and 500 kg in Afghanistan, and 16 t of acetyl chloride in Iran (UNODC Regional Office "
    "for Central Asia, May 2009; UNODC, July 2008: 14 t in Karachi, 5 t in Bandar Abbas). One "
    "record per published seizure; days, routes and companies are illustrative."
)


def _at(year: int, month: int, day: int, hour: int = 10) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


@dataclass(frozen=True)
class CaseParty:
    key: str
    name: str
    country: str
    kind: str
    address: str


PARTIES = (
    CaseParty(
        "tz-exporter", "Msasani Chemical Traders Ltd", "TZ", "trader", "Kurasini, Dar es Salaam"
    ),
    CaseParty(
        "pk-forwarder",
        "Qasim Transit Forwarders (Pvt) Ltd",
        "PK",
        "forwarder",
        "Bin Qasim, Karachi",
    ),
    CaseParty(
        "pk-sialkot",
        "Sialkot Leather Chemicals (Pvt) Ltd",
        "PK",
        "trader",
        "Small Industrial Estate, Sialkot",
    ),
    CaseParty(
        "af-importer", "Hindu Kush Industrial Supplies", "AF", "trader", "Pul-e-Khishti, Kabul"
    ),
    CaseParty("ae-exporter", "Gulf Auto Spares FZE", "AE", "trader", "Jebel Ali Free Zone, Dubai"),
    CaseParty(
        "af-motors", "Herat Motor Parts Trading Co.", "AF", "trader", "Industrial Park, Herat"
    ),
    CaseParty(
        "pk-trader", "Khyber General Trading (Pvt) Ltd", "PK", "trader", "Hayatabad, Peshawar"
    ),
)


def write_cases(ctx: Context) -> int:
    """Write the operators and shipments of the real cases; returns how many shipments."""
    created = _at(2015, 6, 1)
    parties: dict[str, Party] = {}
    for p in PARTIES:
        party = Party(ctx.ids(created), p.country, p.kind, None)
        parties[p.key] = party
        ctx.writer.add(
            Operator,
            {
                "id": party.id,
                "name": p.name,
                "country": p.country,
                "address": p.address,
                "kind": p.kind,
                "created_at": created,
            },
        )
    plans = [
        _port_qasim(parties),
        _bandar_abbas(parties),
        *_tarcet(parties),
    ]
    cases = ("Port Qasim 2016", "Bandar Abbas 2016", *["TARCET 2008"] * (len(plans) - 2))
    for plan, case in zip(plans, cases, strict=True):
        plan.planted = case
        write_shipment(ctx, plan)
    return len(plans)


def _case(
    parties: dict[str, Party], exporter: str, importer: str, **fields: object
) -> ShipmentPlan:
    events: list[Event] = fields.pop("events")  # type: ignore[assignment]
    plan = ShipmentPlan(
        exporter=parties[exporter],
        importer=parties[importer],
        consignee=parties.get(str(fields.pop("consignee", ""))),
        cas=str(fields.pop("cas", AA)),
        means_of_payment=None,
        events=events,
        created_at=events[0].at - timedelta(days=2),
        **fields,  # type: ignore[arg-type]
    )
    return plan


def _port_qasim(parties: dict[str, Party]) -> ShipmentPlan:
    kg = Decimal(21700)
    return _case(
        parties,
        "tz-exporter",
        "pk-sialkot",
        consignee="pk-forwarder",
        exporting="TZ",
        importing="PK",
        transit=(),
        quantity=kg,
        unit="kg",
        mode="sea",
        departure=date(2015, 10, 27),
        declared_hs_code="2915.21",
        declared_description="Acetic acid glacial",
        recorded_country="PK",
        customs_reference="PK-QASIM-2016-0117",
        events=[
            Event(E.EXPORT_CLEARED, "TZ", _at(2015, 10, 26), "Port of Dar es Salaam"),
            Event(E.DEPARTED, "TZ", _at(2015, 10, 27), "Port of Dar es Salaam"),
            Event(E.ARRIVED, "PK", _at(2015, 11, 18), "Port Qasim"),
            Event(E.STOPPED, "PK", _at(2016, 1, 9), "Port Qasim", kg, PORT_QASIM),
            Event(E.SEIZED, "PK", _at(2016, 1, 12), "Port Qasim", kg, PORT_QASIM),
        ],
    )


def _bandar_abbas(parties: dict[str, Party]) -> ShipmentPlan:
    kg = Decimal(2380)
    return _case(
        parties,
        "ae-exporter",
        "af-motors",
        exporting="AE",
        importing="AF",
        transit=("IR",),
        quantity=kg,
        unit="kg",
        mode="multimodal",
        departure=date(2016, 7, 3),
        declared_hs_code="8708.99",
        declared_description="Auto spare parts",
        recorded_country="IR",
        customs_reference="IR-BND-2016-2380",
        events=[
            Event(E.EXPORT_CLEARED, "AE", _at(2016, 7, 2), "Jebel Ali"),
            Event(E.DEPARTED, "AE", _at(2016, 7, 3), "Jebel Ali"),
            Event(E.TRANSIT_ENTERED, "IR", _at(2016, 7, 6), "Bandar Abbas"),
            Event(E.STOPPED, "IR", _at(2016, 7, 7), "Bandar Abbas", kg, BANDAR_ABBAS),
            Event(E.SEIZED, "IR", _at(2016, 7, 9), "Bandar Abbas", kg, BANDAR_ABBAS),
        ],
    )


def _tarcet(parties: dict[str, Party]) -> list[ShipmentPlan]:
    """The four published TARCET seizures of 2008, one record each."""
    pk, ir, af, acetyl_chloride = Decimal(14000), Decimal(5000), Decimal(500), Decimal(16000)
    return [
        _case(
            parties,
            "ae-exporter",
            "af-importer",
            exporting="AE",
            importing="AF",
            transit=("PK",),
            quantity=pk,
            unit="kg",
            mode="multimodal",
            departure=date(2008, 5, 20),
            declared_hs_code="2915.21",
            declared_description="Acetic acid",
            recorded_country="PK",
            customs_reference="PK-TARCET-2008-01",
            events=[
                Event(E.TRANSIT_ENTERED, "PK", _at(2008, 6, 2), "Karachi Port"),
                Event(E.SEIZED, "PK", _at(2008, 6, 3), "Karachi Port", pk, TARCET),
            ],
        ),
        _case(
            parties,
            "ae-exporter",
            "af-motors",
            exporting="AE",
            importing="AF",
            transit=("IR",),
            quantity=ir,
            unit="kg",
            mode="multimodal",
            departure=date(2008, 6, 10),
            declared_hs_code="3824.99",
            declared_description="Industrial chemicals",
            recorded_country="IR",
            customs_reference="IR-TARCET-2008-01",
            events=[
                Event(E.TRANSIT_ENTERED, "IR", _at(2008, 6, 14), "Bandar Abbas"),
                Event(E.SEIZED, "IR", _at(2008, 6, 15), "Bandar Abbas", ir, TARCET),
            ],
        ),
        _case(
            parties,
            "pk-trader",
            "af-importer",
            exporting="PK",
            importing="AF",
            transit=(),
            quantity=af,
            unit="kg",
            mode="road",
            departure=date(2008, 8, 20),
            declared_hs_code="2915.21",
            declared_description="Acetic acid",
            recorded_country="AF",
            customs_reference="AF-TARCET-2008-01",
            events=[
                Event(E.ARRIVED, "AF", _at(2008, 8, 24), "Torkham"),
                Event(E.STOPPED, "AF", _at(2008, 8, 24, 15), "Torkham", af, TARCET),
                Event(E.SEIZED, "AF", _at(2008, 8, 25), "Torkham", af, TARCET),
            ],
        ),
        _case(
            parties,
            "ae-exporter",
            "af-motors",
            cas=ACETYL_CHLORIDE,
            exporting="AE",
            importing="AF",
            transit=("IR",),
            quantity=acetyl_chloride,
            unit="kg",
            mode="road",
            departure=date(2008, 9, 1),
            declared_hs_code="2915.90",
            declared_description="Acetyl chloride",
            recorded_country="IR",
            customs_reference="IR-TARCET-2008-02",
            events=[
                Event(E.TRANSIT_ENTERED, "IR", _at(2008, 9, 5), "Dogharoun border crossing"),
                Event(
                    E.SEIZED,
                    "IR",
                    _at(2008, 9, 6),
                    "Dogharoun border crossing",
                    acetyl_chloride,
                    TARCET,
                ),
            ],
        ),
    ]
