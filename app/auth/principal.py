"""Who is calling (plain data, no database)."""

from dataclasses import dataclass

from app.auth.roles import Role


@dataclass(frozen=True)
class Principal:
    """Who is calling: the user, their role and (for country roles) their country."""

    user_id: str
    name: str
    role: Role
    authority_id: str | None
    country: str | None
    # The operator an `industry` user speaks for (None for every other role). Its country is
    # not the principal's: an industry user belongs to no authority and reads no country.
    operator_id: str | None = None
    # The language the user last picked in a page (None: not yet); pages speak it.
    language: str | None = None

    @property
    def is_global_reader(self) -> bool:
        return self.role in (Role.ADMIN, Role.ANALYST)
