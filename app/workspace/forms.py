"""HTML forms into the API's own request models, with a message beside each field."""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from fastapi import Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, ValidationError
from sqlmodel import Session

from app.core.problems import Forbidden, NotFound, Problem
from app.i18n import N_, Language

Model = TypeVar("Model", bound=BaseModel)

# A form sent back with its messages is a page like any other: 200, so that browsers log no
# failed load in the console (the messages, aria-invalid and role=alert carry the refusal).
NOT_SAVED = 200

# Pydantic's error types a person meets in a form, in words that translate.
MESSAGES = {
    "missing": N_("Required."),
    "string_too_short": N_("Required."),
    "greater_than": N_("Must be more than zero."),
    "decimal_parsing": N_("Write a number, e.g. 1200.5."),
    "float_parsing": N_("Write a number, e.g. 1200.5."),
    "date_from_datetime_parsing": N_("Write a date as YYYY-MM-DD."),
    "date_parsing": N_("Write a date as YYYY-MM-DD."),
    "datetime_from_date_parsing": N_("Write a date and time."),
    "datetime_parsing": N_("Write a date and time."),
    "enum": N_("Choose one of the options."),
    "string_pattern_mismatch": N_("Not in the expected form."),
    "too_short": N_("Choose at least one."),
}


@dataclass
class Checked(Generic[Model]):
    """A valid model, or the messages: field name → message, and those of the whole form."""

    model: Model | None = None
    errors: dict[str, str] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)


def _named(model: type[BaseModel], message: str) -> str:
    """The field a whole-model message is about, when it names one ("a reason is required")."""
    words = set(re.findall(r"[a-z_]+", message))
    for name in sorted(model.model_fields, key=len, reverse=True):
        if name in words:
            return name
    return ""


async def form_of(request: Request) -> dict[str, str]:
    """The posted fields (the last value of each), stripped."""
    form = await request.form()
    return {key: str(value).strip() for key, value in form.items() if isinstance(value, str)}


def as_list(text: str | None, *, upper: bool = True) -> list[str]:
    """ "AE, IR" or "AE IR" as ["AE", "IR"] (ids as written, with `upper=False`)."""
    parts = [part for part in (text or "").replace(",", " ").split() if part]
    return [part.upper() for part in parts] if upper else parts


def checked(model: type[Model], data: dict[str, Any], language: Language) -> "Checked[Model]":
    """Validate `data` (empty fields left out) as the API would."""
    cleaned = {key: value for key, value in data.items() if value not in ("", None)}
    try:
        return Checked(model=model.model_validate(cleaned))
    except ValidationError as error:
        result: Checked[Model] = Checked()
        for problem in error.errors():
            # A nested field by its path ("customer_name"), a list's item by the list's name.
            path = [str(p) for p in problem["loc"] if isinstance(p, str)]
            where = "_".join(path) if path else _named(model, problem["msg"])
            text = MESSAGES.get(problem["type"])
            message = (
                language.gettext(text)
                if text
                else str(problem["msg"]).removeprefix("Value error, ")
            )
            if (path[0] if path else where) in model.model_fields:
                result.errors.setdefault(where, message)
            else:
                result.general.append(message)
        return result


def refusal_shown(session: Session, problem: Problem) -> str:
    """What a form says when the flow refused it (its writes rolled back). A refusal of the
    reader (403) or of a record it may not see (404) is the page's answer, not a message."""
    if isinstance(problem, Forbidden | NotFound):
        raise problem
    session.rollback()
    return problem.detail


def submitted(
    session: Session, result: Checked[Model], act: Callable[[Model], str]
) -> RedirectResponse | list[str]:
    """A checked form through its flow: `act` runs on the valid model and names the page to go
    to (303), or the messages to show with the form again (the flow's refusal among them)."""
    general = list(result.general)
    if result.model is not None:
        try:
            return RedirectResponse(act(result.model), status_code=303)
        except Problem as problem:
            general.append(refusal_shown(session, problem))
    return general
