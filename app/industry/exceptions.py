from app.core.problems import Conflict, Forbidden, NotFound, Problem


class IndustryReportNotFound(NotFound):
    type = "industry-report-not-found"
    title = "Industry report not found"


class NotTheReportsRegulator(Forbidden):
    type = "not-the-reports-regulator"
    title = "The regulator of the reporting operator's country triages an industry report"


class TriageNotAllowed(Conflict):
    type = "industry-report-triage-not-allowed"
    title = "The report's status does not allow this"


class EscalationRequired(Problem):
    type = "escalation-required"
    title = "An escalation names a flag's subject or asks for an incident"


class EscalationNeedsQuantity(Problem):
    type = "escalation-needs-quantity"
    title = "An incident needs the quantity the report did not give"


class NotIndustry(Forbidden):
    type = "not-industry"
    title = "Industry reports are filed by industry users"
