"""Rule evaluation (pure): facts in, hits out, each hit explained with the evidence it used.

Conditions are compiled once into nested closures, so evaluating a rule costs a few Python
calls per node rather than a walk over pydantic models.
"""

import operator
import re
import string
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import TypeAdapter

from app.rules.conditions import (
    Aggregate,
    AllOf,
    AnyOf,
    Arithmetic,
    Compare,
    Condition,
    Constant,
    Contains,
    FactRef,
    Intersects,
    IsNull,
    Member,
    Not,
    aggregates_of,
    referenced_facts,
)

Facts = Mapping[str, Any]
Predicate = Callable[[Facts], bool]
Value = Callable[[Facts], Any]

CONDITION = TypeAdapter(Condition)
SEVERITIES = ("low", "medium", "high", "critical")
_NUMBERS = (int, float, Decimal)

_COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "gt": operator.gt,
    "ge": operator.ge,
    "lt": operator.lt,
    "le": operator.le,
}
_ARITHMETIC: dict[str, Callable[[Any, Any], Any]] = {
    "add": operator.add,
    "sub": operator.sub,
    "mul": operator.mul,
    "div": operator.truediv,
}


@dataclass(frozen=True)
class RuleDefinition:
    """What the engine needs of a rule (one version of it)."""

    id: str
    code: str
    version: int
    severity: str
    weight: float
    condition: Any  # a validated Condition
    explanation: str


@dataclass(frozen=True)
class Hit:
    rule_id: str
    code: str
    version: int
    severity: str
    weight: float
    explanation: str
    evidence: dict[str, Any]


@dataclass(frozen=True)
class CompiledRule:
    definition: RuleDefinition
    predicate: Predicate
    evidence_keys: tuple[str, ...]
    aggregates: tuple[Aggregate, ...]
    # The facts the explanation names, found once when the rule is compiled.
    explanation_fields: tuple[str, ...] = ()


def parse_condition(raw: Any) -> Any:
    """Validate a JSON condition tree (pydantic ValidationError when malformed)."""
    return CONDITION.validate_python(raw)


def dump_condition(condition: Any) -> dict[str, Any]:
    # JSON mode: the pair of `intersects` must come back as a list, as the database returns it.
    dumped: dict[str, Any] = CONDITION.dump_python(
        condition, mode="json", by_alias=True, exclude_none=False
    )
    return _drop_none_days(dumped)


def _drop_none_days(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _drop_none_days(v) for k, v in node.items() if not (k == "days" and v is None)}
    if isinstance(node, list):
        return [_drop_none_days(v) for v in node]
    return node


def compile_value(node: Any) -> Value:
    if isinstance(node, FactRef):
        name = node.fact
        return lambda facts: facts.get(name)
    if isinstance(node, Constant):
        constant = node.value
        return lambda facts: constant
    if isinstance(node, Aggregate):
        name = node.fact_name
        return lambda facts: facts.get(name)
    if isinstance(node, Arithmetic):
        args = [compile_value(a) for a in node.args]
        combine = _ARITHMETIC[node.op]

        def arithmetic(facts: Facts) -> Any:
            # Numbers only: a missing operand, another type, a division by zero or an overflow
            # gives no value (a rule mixing types must not fail the write it judges).
            result = args[0](facts)
            for arg in args[1:]:
                value = arg(facts)
                if not isinstance(result, _NUMBERS) or not isinstance(value, _NUMBERS):
                    return None
                try:
                    result = combine(result, value)
                except (ArithmeticError, TypeError):
                    return None
            return result

        return arithmetic
    raise TypeError(f"not an expression: {node!r}")


def _as_values(node: Any) -> Value:
    if isinstance(node, list):
        constant = frozenset(node)
        return lambda facts: constant
    return compile_value(node)


# One dispatch over every kind of condition node, so the language reads in one place.
def compile_condition(node: Any) -> Predicate:
    """A predicate over facts. Ordering comparisons with a missing operand are false."""
    if isinstance(node, AllOf):
        return _all_of([compile_condition(c) for c in node.all])
    if isinstance(node, AnyOf):
        return _any_of([compile_condition(c) for c in node.any])
    if isinstance(node, Not):
        inner = compile_condition(node.not_)
        return lambda facts: not inner(facts)
    if isinstance(node, IsNull):
        name = node.is_null
        return lambda facts: facts.get(name) is None
    if isinstance(node, Compare):
        fast = _compare_fact_with_constant(node)
        if fast is not None:
            return fast
        left, right = compile_value(node.left), compile_value(node.right)
        if node.cmp == "eq":
            return lambda facts: left(facts) == right(facts)
        if node.cmp == "ne":
            return lambda facts: left(facts) != right(facts)
        compare = _COMPARISONS[node.cmp]

        def ordered(facts: Facts) -> bool:
            a, b = left(facts), right(facts)
            if a is None or b is None:
                return False
            try:
                return compare(a, b)
            except TypeError:
                return False

        return ordered
    if isinstance(node, Member):
        item, members = compile_value(node.in_), _as_values(node.list)

        def member(facts: Facts) -> bool:
            value, pool = item(facts), members(facts)
            if value is None or pool is None:
                return False
            try:
                return value in pool
            except TypeError:  # a list looked up in a set, a number in a number: not a member
                return False

        return member
    if isinstance(node, Intersects):
        first, second = (_as_values(e) for e in node.intersects)

        def intersects(facts: Facts) -> bool:
            a, b = first(facts), second(facts)
            if not a or not b:
                return False
            try:
                return not set(a).isdisjoint(b)
            except TypeError:  # not two collections
                return False

        return intersects
    if isinstance(node, Contains):
        text_of, needles_of = compile_value(node.contains), _as_values(node.any_of)

        def contains(facts: Facts) -> bool:
            text, needles = text_of(facts), needles_of(facts)
            if not text or not needles:
                return False
            lowered = str(text).lower()
            try:
                return any(_has_word(lowered, str(n).lower()) for n in needles)
            except TypeError:  # the needles are not a collection
                return False

        return contains
    raise TypeError(f"not a condition: {node!r}")


def _has_word(text: str, needle: str) -> bool:
    """`needle` in `text` as whole words: "aa" is in "aa 99%" but not in "haarlem"."""
    if not needle or needle not in text:  # the cheap test first; most texts stop here
        return False
    return re.search(rf"(?<!\w){re.escape(needle)}(?!\w)", text) is not None


def _all_of(parts: list[Predicate]) -> Predicate:
    # A loop, not all(generator): no generator object per evaluation.
    if len(parts) == 1:
        return parts[0]
    if len(parts) == 2:
        first, second = parts
        return lambda facts: first(facts) and second(facts)

    def all_of(facts: Facts) -> bool:
        for part in parts:  # noqa: SIM110 (all() over a generator is slower)
            if not part(facts):
                return False
        return True

    return all_of


def _any_of(parts: list[Predicate]) -> Predicate:
    if len(parts) == 1:
        return parts[0]
    if len(parts) == 2:
        first, second = parts
        return lambda facts: first(facts) or second(facts)

    def any_of(facts: Facts) -> bool:
        for part in parts:  # noqa: SIM110 (any() over a generator is slower)
            if part(facts):
                return True
        return False

    return any_of


def _compare_fact_with_constant(node: Compare) -> Predicate | None:
    """`fact <cmp> constant`, the commonest comparison, read without intermediate closures."""
    if not isinstance(node.left, FactRef | Aggregate) or not isinstance(node.right, Constant):
        return None
    name = node.left.fact if isinstance(node.left, FactRef) else node.left.fact_name
    constant = node.right.value
    if node.cmp == "eq":
        return lambda facts: facts.get(name) == constant
    if node.cmp == "ne":
        return lambda facts: facts.get(name) != constant
    if constant is None:
        return lambda facts: False
    compare = _COMPARISONS[node.cmp]

    def ordered(facts: Facts) -> bool:
        value = facts.get(name)
        if value is None:
            return False
        try:
            return compare(value, constant)
        except TypeError:
            return False

    return ordered


def compile_rule(definition: RuleDefinition) -> CompiledRule:
    return CompiledRule(
        definition=definition,
        predicate=compile_condition(definition.condition),
        evidence_keys=tuple(referenced_facts(definition.condition)),
        aggregates=tuple(aggregates_of(definition.condition)),
        explanation_fields=_fields(definition.explanation),
    )


def _json_safe(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, frozenset | set | tuple):
        return sorted(_json_safe(v) for v in value)
    if isinstance(value, list):
        return [_json_safe(v) for v in value]
    return value


class _Blank(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "—"


_FORMATTER = string.Formatter()


def _fields(template: str) -> tuple[str, ...]:
    try:
        return tuple({name: None for _, name, _, _ in _FORMATTER.parse(template) if name})
    except ValueError:
        return ()


def explain(template: str, facts: Facts, fields: tuple[str, ...] | None = None) -> str:
    """The rule's explanation with facts filled in (missing or null facts show as a dash)."""
    # Only the fields the template names are made readable (a hit used to format every fact).
    names = _fields(template) if fields is None else fields
    values = _Blank({name: _readable(facts.get(name)) for name in names})
    try:
        return template.format_map(values)  # str.format in C; the same errors as vformat
    except (ValueError, IndexError, KeyError, AttributeError):
        return template


def _readable(value: Any) -> Any:
    if value is None:
        return "—"
    if isinstance(value, float | Decimal):
        return f"{value:,.0f}" if abs(float(value)) >= 100 else f"{value:,.2f}"
    if isinstance(value, list | tuple | frozenset | set):
        return ", ".join(str(v) for v in value) or "none"
    return value


def evaluate(rules: Sequence[CompiledRule], facts: Facts) -> list[Hit]:
    """Every rule that holds for `facts`, with its explanation and evidence (deterministic)."""
    hits = []
    for rule in rules:
        if rule.predicate(facts):
            definition = rule.definition
            hits.append(
                Hit(
                    rule_id=definition.id,
                    code=definition.code,
                    version=definition.version,
                    severity=definition.severity,
                    weight=definition.weight,
                    explanation=explain(definition.explanation, facts, rule.explanation_fields),
                    evidence={key: _json_safe(facts.get(key)) for key in rule.evidence_keys},
                )
            )
    return hits


def template_fields(template: str) -> list[str]:
    """The names a str.format template uses (to check them against the fact registry)."""
    try:
        return [name for _, name, _, _ in _FORMATTER.parse(template) if name]
    except ValueError as exc:
        raise ValueError(f"explanation is not a valid template: {exc}") from exc
