"""An industry report as it leaves this node: the payload of `industry_report.filed`, which
reaches only the regulator of the reporting operator's country."""

from typing import Any

from app.industry.models import IndustryReport


def report_payload(report: IndustryReport, indicators: list[str]) -> dict[str, Any]:
    return {
        "id": report.id,
        "reference": report.reference,
        "country": report.country,
        "sector": report.sector,
        "kind": report.kind,
        "substance": report.cas_number,
        "substance_name": report.substance_name,
        "scheduled": report.scheduled,
        "quantity_kg": str(report.quantity_kg) if report.quantity_kg is not None else None,
        "customer_country": report.customer_country,
        "indicators": sorted(indicators),
    }
