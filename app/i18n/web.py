"""Which language a browser gets: `?lang=`, remembered in a cookie, else Accept-Language."""

from typing import Annotated

from fastapi import Depends, Request, Response

from app.i18n import LANGUAGES, Language, best_match, language_for

LANG_COOKIE = "pentrack_lang"
ONE_YEAR = 365 * 24 * 3600


def request_language(request: Request) -> Language:
    """`?lang=` first, then the remembered choice, then the browser's Accept-Language."""
    asked = request.query_params.get("lang")
    if asked in LANGUAGES:
        return language_for(asked)
    remembered = request.cookies.get(LANG_COOKIE)
    if remembered in LANGUAGES:
        return language_for(remembered)
    return language_for(best_match(request.headers.get("accept-language")))


def remember_language(request: Request, response: Response) -> None:
    """Keep a `?lang=` choice for the next pages (a preference, not a secret)."""
    asked = request.query_params.get("lang")
    if asked in LANGUAGES and request.cookies.get(LANG_COOKIE) != asked:
        response.set_cookie(
            LANG_COOKIE, asked, max_age=ONE_YEAR, path="/", samesite="lax", httponly=True
        )


LanguageDep = Annotated[Language, Depends(request_language)]
