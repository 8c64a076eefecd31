from app.core.problems import Conflict, NotFound, Problem, UnknownReference


class ShipmentNotFound(NotFound):
    type = "shipment-not-found"
    title = "Shipment not found"


class NotOnRoute(Problem):
    status = 403
    type = "not-on-route"
    title = "Your country is not on this shipment's route"


class EventCountryNotOnRoute(Problem):
    type = "event-country-not-on-route"
    title = "Event country is not where this event can happen on the route"


class EventNotAllowed(Conflict):
    type = "event-not-allowed"
    title = "Event not allowed in the shipment's current status"


class EventInFuture(Problem):
    type = "event-in-future"
    title = "Event time is in the future"


class DuplicateCustomsReference(Conflict):
    type = "duplicate-customs-reference"
    title = "Customs reference already recorded"


class UnknownPenReference(UnknownReference):
    type = "unknown-pen-reference"
    title = "Unknown PEN reference"


class ControlledDeliveryNotAllowed(Problem):
    status = 403
    type = "controlled-delivery-not-allowed"
    title = "Only law enforcement of a route country runs a controlled delivery"


class ControlledDeliveryActive(Conflict):
    type = "controlled-delivery-active"
    title = "This shipment is under a controlled delivery already"


class NoControlledDelivery(NotFound):
    type = "controlled-delivery-not-found"
    title = "No controlled delivery you take part in"


class UnknownParticipant(UnknownReference):
    type = "unknown-participant"
    title = "Unknown participating authority"
