"""The pure engine: the rule language round-trips through JSON, names are checked when a rule is
written, and evaluation is deterministic and never raises, whatever facts are missing."""

import json
import random
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from app.rules.builtin import BUILTIN_RULES
from app.rules.conditions import AGGREGATE_GROUPS
from app.rules.engine import (
    CompiledRule,
    RuleDefinition,
    compile_rule,
    dump_condition,
    evaluate,
    explain,
    parse_condition,
)
from app.rules.facts import FACTS, PEN, SHIPMENT
from app.rules.schemas import RuleCreate, RuleDefinitionIn

EXAMPLES = settings(max_examples=200, database=None, deadline=None)
COUNTRIES = ["AE", "AF", "CN", "DE", "IR", "PK", "TM", "TZ"]
FACT_NAMES = sorted(FACTS)
AGGREGATES = ["sum", "count", "avg", "max"]


def _compiled(raw: dict[str, Any], version: int = 1) -> CompiledRule:
    data = RuleCreate(**raw)
    return compile_rule(
        RuleDefinition(
            id=f"{data.code}-v{version}",
            code=data.code,
            version=version,
            severity=data.severity.value,
            weight=float(data.weight),
            condition=parse_condition(data.condition),
            explanation=data.explanation,
        )
    )


BUILTINS = [_compiled(raw) for raw in BUILTIN_RULES]
AGGREGATE_FACTS = sorted(
    {
        f"{a.fact_name.rsplit('_', 1)[0]}_{k}"
        for r in BUILTINS
        for a in r.aggregates
        for k in AGGREGATES
    }
)

# --- facts: every registry fact, of its registry type, each one possibly missing or null ------

numbers = st.one_of(
    st.integers(min_value=-(10**7), max_value=10**7),
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e9, max_value=1e9),
)
VALUES: dict[str, st.SearchStrategy[Any]] = {
    "number": numbers,
    "text": st.text(max_size=12),
    "bool": st.booleans(),
    "list": st.lists(st.sampled_from(COUNTRIES) | st.text(max_size=4), max_size=4),
    "country": st.sampled_from(COUNTRIES),
    "datetime": st.datetimes(timezones=st.just(UTC)),
}
facts_strategy = st.fixed_dictionaries(
    {},
    optional={
        **{name: st.none() | VALUES[spec.type] for name, spec in FACTS.items()},
        **{name: st.none() | numbers for name in AGGREGATE_FACTS},
    },
)

# --- conditions: the whole JSON language, in its canonical (dumped) form ----------------------

literal = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=8),
)
literal_list = st.lists(
    st.one_of(st.integers(), st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=4)),
    max_size=4,
)
fact_ref = st.builds(lambda name: {"fact": name}, st.sampled_from(FACT_NAMES))
constant = st.builds(lambda v: {"value": v}, literal | literal_list)
aggregate = st.fixed_dictionaries(
    {"aggregate": st.sampled_from(AGGREGATES), "over": st.sampled_from(sorted(AGGREGATE_GROUPS))},
    optional={"days": st.integers(min_value=1, max_value=3660)},
)
expression = st.recursive(
    fact_ref | constant | aggregate,
    lambda inner: st.builds(
        lambda op, args: {"op": op, "args": args},
        st.sampled_from(["add", "sub", "mul", "div"]),
        st.lists(inner, min_size=2, max_size=3),
    ),
    max_leaves=4,
)
leaf_condition = st.one_of(
    st.builds(
        lambda cmp, left, right: {"cmp": cmp, "left": left, "right": right},
        st.sampled_from(["eq", "ne", "gt", "ge", "lt", "le"]),
        expression,
        expression,
    ),
    st.builds(lambda item, pool: {"in": item, "list": pool}, expression, expression | literal_list),
    st.builds(lambda a, b: {"intersects": [a, b]}, expression, expression | literal_list),
    st.builds(
        lambda text, needles: {"contains": text, "any_of": needles},
        expression,
        expression | st.lists(st.text(max_size=4), max_size=3),
    ),
    st.builds(lambda name: {"is_null": name}, st.sampled_from(FACT_NAMES)),
)
condition_strategy = st.recursive(
    leaf_condition,
    lambda inner: st.one_of(
        st.builds(lambda cs: {"all": cs}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda cs: {"any": cs}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda c: {"not": c}, inner),
    ),
    max_leaves=6,
)


def _rule(condition: dict[str, Any], explanation: str = "judged") -> CompiledRule:
    return compile_rule(
        RuleDefinition(
            id="r1",
            code="generated",
            version=1,
            severity="low",
            weight=1.0,
            condition=parse_condition(condition),
            explanation=explanation,
        )
    )


def _shuffled(facts: dict[str, Any], seed: int) -> dict[str, Any]:
    items = list(facts.items())
    random.Random(seed).shuffle(items)
    return dict(items)


class TestConditionJson:
    @EXAMPLES
    @given(raw=condition_strategy)
    def test_dump_then_parse_gives_the_same_condition(self, raw: dict[str, Any]) -> None:
        parsed = parse_condition(raw)
        dumped = dump_condition(parsed)
        assert dumped == raw
        assert parse_condition(dumped) == parsed

    @EXAMPLES
    @given(raw=condition_strategy)
    def test_the_dumped_condition_survives_a_json_round_trip(self, raw: dict[str, Any]) -> None:
        dumped = dump_condition(parse_condition(raw))
        assert json.loads(json.dumps(dumped)) == dumped

    @pytest.mark.parametrize("raw", BUILTIN_RULES, ids=lambda r: r["code"])
    def test_a_stored_builtin_condition_reads_back_as_written(self, raw: dict[str, Any]) -> None:
        # What the database hands back (JSON) must compare equal to a fresh dump, or every
        # `pentrack seed` takes the rule for edited and adds a version.
        dumped = RuleCreate(**raw).condition
        assert json.loads(json.dumps(dumped)) == dumped == raw["condition"]

    @pytest.mark.parametrize(
        "raw",
        [
            {"cmp": "between", "left": {"fact": "quantity_kg"}, "right": {"value": 1}},
            {"all": []},
            {"fact": "quantity_kg"},
            {"in": {"fact": "importing_country"}},
            {"cmp": "eq", "left": {"fact": "Quantity-KG"}, "right": {"value": 1}},
            {"cmp": "eq", "left": {"facts": "quantity_kg"}, "right": {"value": 1}},
            {"aggregate": "sum", "over": "importer_substance"},
            {
                "cmp": "gt",
                "left": {"aggregate": "median", "over": "importer_substance"},
                "right": {"value": 1},
            },
            {
                "cmp": "gt",
                "left": {"aggregate": "sum", "over": "importer_substance", "days": 0},
                "right": {"value": 1},
            },
            {"is_null": "quantity_kg", "extra": True},
        ],
        ids=lambda raw: json.dumps(raw)[:60],
    )
    def test_a_malformed_condition_is_refused_when_parsed(self, raw: dict[str, Any]) -> None:
        with pytest.raises(ValidationError):
            parse_condition(raw)


def _definition(condition: dict[str, Any], explanation: str = "x", **extra: Any) -> Any:
    return RuleDefinitionIn(
        title="generated",
        severity="low",
        subjects=extra.pop("subjects", [SHIPMENT]),
        condition=condition,
        explanation=explanation,
        **extra,
    )


# Names shaped like facts, and like aggregates that no aggregate in the condition computes.
unknown_names = st.one_of(
    st.from_regex(r"[a-z][a-z0-9_]{0,30}", fullmatch=True),
    st.builds(lambda name: f"agg_{name}", st.sampled_from([*AGGREGATE_FACTS, "x", "bogus"])),
).filter(lambda name: name not in FACTS)
PLACEMENTS = {
    "compared": lambda n: {"cmp": "gt", "left": {"fact": n}, "right": {"value": 0}},
    "is_null": lambda n: {"is_null": n},
    "member pool": lambda n: {"in": {"fact": "importing_country"}, "list": {"fact": n}},
    "in arithmetic": lambda n: {
        "cmp": "gt",
        "left": {"op": "mul", "args": [{"fact": "quantity_kg"}, {"fact": n}]},
        "right": {"value": 0},
    },
    "deep inside": lambda n: {
        "all": [
            {"is_null": "quantity_kg"},
            {"not": {"any": [{"contains": {"fact": n}, "any_of": ["x"]}]}},
        ]
    },
}


class TestNamesAreCheckedWhenARuleIsWritten:
    @EXAMPLES
    @given(name=unknown_names, placement=st.sampled_from(sorted(PLACEMENTS)))
    @example(name="agg_importer_substance_365d_avg", placement="compared")
    def test_a_condition_naming_an_unknown_fact_is_refused(self, name: str, placement: str) -> None:
        with pytest.raises(ValidationError, match="unknown facts"):
            _definition(PLACEMENTS[placement](name))

    @EXAMPLES
    @given(name=unknown_names)
    def test_an_explanation_naming_an_unknown_fact_is_refused(self, name: str) -> None:
        with pytest.raises(ValidationError, match="unknown facts"):
            _definition({"is_null": "quantity_kg"}, explanation=f"{{{name}}} kg")

    def test_a_shipment_fact_is_unknown_to_a_rule_that_also_judges_pens(self) -> None:
        condition = {"cmp": "eq", "left": {"fact": "has_pen"}, "right": {"value": False}}
        assert _definition(condition).subjects == [SHIPMENT]
        with pytest.raises(ValidationError, match="unknown facts"):
            _definition(condition, subjects=[SHIPMENT, PEN])

    def test_shipments_under_the_same_pen_mean_nothing_for_a_pen(self) -> None:
        condition = {
            "cmp": "gt",
            "left": {"aggregate": "sum", "over": "pen_shipments"},
            "right": {"value": 0},
        }
        with pytest.raises(ValidationError, match="does not apply"):
            _definition(condition, subjects=[PEN])

    def test_an_explanation_may_name_only_the_aggregates_its_condition_computes(self) -> None:
        condition = {
            "cmp": "gt",
            "left": {"aggregate": "sum", "over": "importer_substance", "days": 30},
            "right": {"value": 0},
        }
        assert _definition(condition, explanation="{agg_importer_substance_30d_sum} kg")
        with pytest.raises(ValidationError, match="unknown facts"):
            _definition(condition, explanation="{agg_importer_substance_365d_sum} kg")

    @pytest.mark.parametrize("raw", BUILTIN_RULES, ids=lambda r: r["code"])
    def test_every_builtin_rule_names_only_known_facts(self, raw: dict[str, Any]) -> None:
        assert RuleCreate(**raw).code == raw["code"]


class TestEvaluation:
    @EXAMPLES
    @given(facts=facts_strategy, seed=st.integers())
    def test_the_builtin_rules_are_deterministic(self, facts: dict[str, Any], seed: int) -> None:
        hits = evaluate(BUILTINS, facts)
        again = evaluate([_compiled(raw) for raw in BUILTIN_RULES], _shuffled(facts, seed))
        assert hits == again
        assert [h.explanation for h in hits] == [h.explanation for h in again]
        for hit in hits:
            json.dumps(hit.evidence)  # evidence is stored as JSON

    @EXAMPLES
    @given(condition=condition_strategy, facts=facts_strategy, seed=st.integers())
    def test_any_condition_on_any_facts_evaluates_without_raising_and_deterministically(
        self, condition: dict[str, Any], facts: dict[str, Any], seed: int
    ) -> None:
        template = " ".join(f"{{{name}}}" for name in sorted(facts)[:3])
        rule = _rule(condition, template or "judged")
        first = evaluate([rule], facts)
        assert first == evaluate([rule], _shuffled(facts, seed))
        assert first == evaluate([_rule(condition, template or "judged")], dict(facts))

    @EXAMPLES
    @given(condition=condition_strategy)
    def test_no_facts_at_all_is_no_error(self, condition: dict[str, Any]) -> None:
        evaluate([_rule(condition)], {})

    def test_an_ordering_comparison_with_a_missing_side_is_false(self) -> None:
        rule = _rule({"cmp": "gt", "left": {"fact": "quantity_kg"}, "right": {"value": 1000}})
        assert evaluate([rule], {}) == []
        assert evaluate([rule], {"quantity_kg": None}) == []
        assert [h.code for h in evaluate([rule], {"quantity_kg": 1001.0})] == ["generated"]

    def test_dividing_by_zero_gives_no_value_rather_than_an_error(self) -> None:
        ratio = {"op": "div", "args": [{"fact": "quantity_kg"}, {"fact": "pen_quantity_kg"}]}
        rule = _rule({"not": {"cmp": "gt", "left": ratio, "right": {"value": 1}}})
        assert len(evaluate([rule], {"quantity_kg": 10.0, "pen_quantity_kg": 0.0})) == 1

    @pytest.mark.parametrize(
        "condition",
        [
            # A list is not a member of a list of strings (intersects is meant): no hit, no error.
            {"in": {"fact": "transit_countries"}, "list": ["IR", "PK"]},
            {"in": {"value": 5}, "list": {"fact": "substance"}},
            {"intersects": [{"fact": "quantity_kg"}, ["IR"]]},
            {"contains": {"fact": "declared_description"}, "any_of": {"fact": "quantity_kg"}},
            {
                "cmp": "gt",
                "left": {"op": "add", "args": [{"fact": "substance"}, {"value": 1}]},
                "right": {"value": 0},
            },
            {
                "cmp": "gt",
                "left": {"op": "mul", "args": [{"value": 10**400}, {"value": 1.05}]},
                "right": {"value": 0},
            },
        ],
        ids=[
            "list-in-list",
            "number-in-text",
            "number-intersects",
            "needles-not-a-list",
            "text-plus-number",
            "overflow",
        ],
    )
    def test_a_condition_mixing_types_is_false_not_an_error(
        self, condition: dict[str, Any]
    ) -> None:
        facts = {
            "transit_countries": ["IR"],
            "substance": "108-24-7",
            "quantity_kg": 5400.0,
            "declared_description": "acetic acid glacial",
        }
        assert evaluate([_rule(condition)], facts) == []

    @pytest.mark.parametrize(
        ("description", "named"),
        [
            ("aa 99%", True),
            ("ethanoic anhydride, drums", True),
            ("acetic acid glacial, ex haarlem", False),
            ("ethanoic anhydrides", False),
        ],
    )
    def test_contains_matches_whole_words_in_any_case(self, description: str, named: bool) -> None:
        rule = _rule(
            {"contains": {"fact": "declared_description"}, "any_of": ["AA", "Ethanoic anhydride"]}
        )
        assert bool(evaluate([rule], {"declared_description": description})) is named


class TestExplanation:
    def test_missing_and_null_facts_read_as_a_dash(self) -> None:
        template = "{pen_reference}: observed {observed_quantity_kg} kg, paid by {means_of_payment}"
        text = explain(template, {"pen_reference": "DE-2026-000001", "observed_quantity_kg": None})
        assert text == "DE-2026-000001: observed — kg, paid by —"

    def test_quantities_read_with_thousands_separators(self) -> None:
        assert explain("{quantity_kg} kg", {"quantity_kg": 21700.0}) == "21,700 kg"
        assert explain("{quantity_kg} kg", {"quantity_kg": 12.5}) == "12.50 kg"

    def test_lists_read_as_comma_separated_names(self) -> None:
        facts = {"transit_countries": ["IR", "PK"]}
        assert explain("via {transit_countries}", facts) == "via IR, PK"
        assert explain("via {transit_countries}", {"transit_countries": []}) == "via none"

    def test_a_template_that_cannot_be_filled_is_shown_as_written(self) -> None:
        assert explain("{quantity_kg:%}", {"quantity_kg": "x"}) == "{quantity_kg:%}"

    def test_times_in_evidence_are_iso_8601(self) -> None:
        when = datetime(2016, 1, 14, 9, 30, tzinfo=UTC)
        rule = _rule({"not": {"is_null": "first_departure_at"}})
        [hit] = evaluate([rule], {"first_departure_at": when})
        assert hit.evidence == {"first_departure_at": "2016-01-14T09:30:00+00:00"}
