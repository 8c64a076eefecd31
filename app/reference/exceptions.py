from app.core.problems import Conflict, NotFound, UnknownReference


class CountryNotFound(NotFound):
    type = "country-not-found"
    title = "Country not found"


class SubstanceNotFound(NotFound):
    type = "substance-not-found"
    title = "Substance not found"


class PenRequirementNotFound(NotFound):
    type = "pen-requirement-not-found"
    title = "PEN requirement not found"


class UnknownCountry(UnknownReference):
    type = "unknown-country"
    title = "Unknown country"


class UnknownSubstance(UnknownReference):
    type = "unknown-substance"
    title = "Unknown substance"


class DuplicatePenRequirement(Conflict):
    type = "duplicate-pen-requirement"
    title = "PEN requirement already recorded"


class UnitNotApplicable(UnknownReference):
    type = "unit-not-applicable"
    title = "Unit not applicable to this substance"


class LegitimateRequirementNotFound(NotFound):
    type = "legitimate-requirement-not-found"
    title = "Legitimate requirement not found"


class DuplicateLegitimateRequirement(Conflict):
    type = "duplicate-legitimate-requirement"
    title = "Legitimate requirement already recorded"


class DuplicateSubstance(Conflict):
    type = "duplicate-substance"
    title = "Substance already in the reference data"
