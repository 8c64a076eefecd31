"""Which language a browser gets: `?lang=`, then the signed-in user's saved choice, then the
choice remembered in a cookie, else Accept-Language."""

from typing import Annotated

from fastapi import Depends, Request, Response

from app.i18n import LANGUAGES, Language, best_match, language_for

LANG_COOKIE = "pentrack_lang"
ONE_YEAR = 365 * 24 * 3600
# Set on the request by whoever signs the user in (app/dashboard/cookies.py: session_principal).
SAVED = "user_language"


def asked_language(request: Request) -> str | None:
    """The language `?lang=` picks, when it names one of ours."""
    asked = request.query_params.get("lang")
    return asked if asked in LANGUAGES else None


def request_language(request: Request) -> Language:
    """`?lang=` first, then the user's saved language, then the browser's remembered choice,
    then its Accept-Language."""
    for choice in (
        asked_language(request),
        getattr(request.state, SAVED, None),
        request.cookies.get(LANG_COOKIE),
    ):
        if choice in LANGUAGES:
            return language_for(choice)
    return language_for(best_match(request.headers.get("accept-language")))


def remember_language(request: Request, response: Response) -> None:
    """Keep a `?lang=` choice (or, at sign-in, the user's saved one) for the next pages of
    this browser (a preference, not a secret)."""
    choice = asked_language(request) or getattr(request.state, SAVED, None)
    if choice in LANGUAGES and request.cookies.get(LANG_COOKIE) != choice:
        response.set_cookie(
            LANG_COOKIE, choice, max_age=ONE_YEAR, path="/", samesite="lax", httponly=True
        )


LanguageDep = Annotated[Language, Depends(request_language)]
