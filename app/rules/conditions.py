"""The rule language: a JSON condition tree, validated by pydantic (pure).

    {"all": [c, …]}   {"any": [c, …]}   {"not": c}
    {"cmp": "eq|ne|gt|ge|lt|le", "left": e, "right": e}
    {"in": e, "list": e | [literal, …]}         membership
    {"intersects": [e, e]}                       two lists share an element
    {"contains": e, "any_of": e | [str, …]}      text contains one of the strings as whole words, any case
    {"is_null": "fact_name"}

Expressions e: {"fact": "name"}, {"value": literal}, {"op": "add|sub|mul|div", "args": [e, e, …]},
and history aggregates {"aggregate": "sum|count|avg|max", "over": "<group>", "days": N | null}
— e.g. the sum of quantity_kg of this importer's earlier shipments of this substance in the
last 365 days. Aggregates never include the subject itself.
"""

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag

AggregateGroup = Literal[
    "importer_substance",
    "parties_substance",
    "pen_shipments",
    "importer_substance_pens",
    "country_substance_pens",
]
AGGREGATE_GROUPS: dict[str, str] = {
    "importer_substance": "earlier shipments to the same importer of the same substance",
    "importer_substance_pens": "earlier PENs (sent, from any exporter) to the same importer of "
    "the same substance",
    "country_substance_pens": "earlier PENs (sent) to the same importing country of the same "
    "substance, any importer",
    "parties_substance": "earlier shipments between the same parties",
    "pen_shipments": "other shipments recorded under the same pre-export notification",
}


class _Node(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class FactRef(_Node):
    fact: str = Field(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_]*$")


class Constant(_Node):
    value: str | int | float | bool | list[str | int | float] | None


class Arithmetic(_Node):
    op: Literal["add", "sub", "mul", "div"]
    args: list["Expr"] = Field(min_length=2, max_length=8)


class Aggregate(_Node):
    aggregate: Literal["sum", "count", "avg", "max"]
    over: AggregateGroup
    days: int | None = Field(default=None, ge=1, le=3660)

    @property
    def fact_name(self) -> str:
        window = f"{self.days}d" if self.days else "all"
        return f"agg_{self.over}_{window}_{self.aggregate}"


def _expr_kind(value: Any) -> str | None:
    if isinstance(value, dict):
        for key in ("fact", "value", "op", "aggregate"):
            if key in value:
                return key
        return None
    return getattr(value, "_kind", None)


Expr = Annotated[
    Annotated[FactRef, Tag("fact")]
    | Annotated[Constant, Tag("value")]
    | Annotated[Arithmetic, Tag("op")]
    | Annotated[Aggregate, Tag("aggregate")],
    Discriminator(
        lambda v: _expr_kind(v) or (type(v).__name__ if isinstance(v, _Node) else None),
        custom_error_type="invalid_expression",
        custom_error_message="an expression is {fact}, {value}, {op, args} or {aggregate, over}",
    ),
]


class Compare(_Node):
    cmp: Literal["eq", "ne", "gt", "ge", "lt", "le"]
    left: Expr
    right: Expr


class Member(_Node):
    in_: Expr = Field(alias="in")
    list: Expr | list[str | int | float]


class Intersects(_Node):
    intersects: tuple[Expr, Expr | list[str | int | float]]


class Contains(_Node):
    contains: Expr
    any_of: Expr | list[str]


class IsNull(_Node):
    is_null: str = Field(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_]*$")


class AllOf(_Node):
    all: list["Condition"] = Field(min_length=1, max_length=50)


class AnyOf(_Node):
    any: list["Condition"] = Field(min_length=1, max_length=50)


class Not(_Node):
    not_: "Condition" = Field(alias="not")


_CONDITION_KEYS = {
    "all": "all",
    "any": "any",
    "not": "not",
    "not_": "not",
    "cmp": "cmp",
    "in": "in",
    "in_": "in",
    "intersects": "intersects",
    "contains": "contains",
    "is_null": "is_null",
}
_CONDITION_CLASSES: dict[type, str] = {
    AllOf: "all",
    AnyOf: "any",
    Not: "not",
    Compare: "cmp",
    Member: "in",
    Intersects: "intersects",
    Contains: "contains",
    IsNull: "is_null",
}


def _condition_kind(value: Any) -> str | None:
    if isinstance(value, dict):
        for key in value:
            if key in _CONDITION_KEYS:
                return _CONDITION_KEYS[key]
        return None
    return _CONDITION_CLASSES.get(type(value))


Condition = Annotated[
    Annotated[AllOf, Tag("all")]
    | Annotated[AnyOf, Tag("any")]
    | Annotated[Not, Tag("not")]
    | Annotated[Compare, Tag("cmp")]
    | Annotated[Member, Tag("in")]
    | Annotated[Intersects, Tag("intersects")]
    | Annotated[Contains, Tag("contains")]
    | Annotated[IsNull, Tag("is_null")],
    Discriminator(
        _condition_kind,
        custom_error_type="invalid_condition",
        custom_error_message=(
            "a condition is one of all, any, not, cmp, in, intersects, contains, is_null"
        ),
    ),
]

for _model in (Arithmetic, Compare, Member, Intersects, Contains, AllOf, AnyOf, Not):
    _model.model_rebuild()


def walk_expressions(node: Any) -> list[Any]:
    """Every expression and condition node below `node`, depth first."""
    found = [node]
    if isinstance(node, Arithmetic):
        for arg in node.args:
            found += walk_expressions(arg)
    elif isinstance(node, Compare):
        found += walk_expressions(node.left) + walk_expressions(node.right)
    elif isinstance(node, Member):
        found += walk_expressions(node.in_)
        if not isinstance(node.list, list):
            found += walk_expressions(node.list)
    elif isinstance(node, Intersects):
        found += walk_expressions(node.intersects[0])
        if not isinstance(node.intersects[1], list):
            found += walk_expressions(node.intersects[1])
    elif isinstance(node, Contains):
        found += walk_expressions(node.contains)
        if not isinstance(node.any_of, list):
            found += walk_expressions(node.any_of)
    elif isinstance(node, AllOf | AnyOf):
        for child in node.all if isinstance(node, AllOf) else node.any:
            found += walk_expressions(child)
    elif isinstance(node, Not):
        found += walk_expressions(node.not_)
    return found


def referenced_facts(condition: Any) -> list[str]:
    """The fact names a condition reads, in order of first use (aggregates by their fact name)."""
    names: list[str] = []
    for node in walk_expressions(condition):
        name = None
        if isinstance(node, FactRef):
            name = node.fact
        elif isinstance(node, IsNull):
            name = node.is_null
        elif isinstance(node, Aggregate):
            name = node.fact_name
        if name and name not in names:
            names.append(name)
    return names


def aggregates_of(condition: Any) -> list[Aggregate]:
    return [node for node in walk_expressions(condition) if isinstance(node, Aggregate)]
