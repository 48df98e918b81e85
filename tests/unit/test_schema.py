"""The structured-output verdict (comet.body.schema): jsonschema Draft 2020-12 after translating
Gemini's OpenAPI subset, every violation with its JSON path, a table of cases per keyword on
both Gemini schema fields (and Chat Completions' json_schema)."""

from __future__ import annotations

import json

import pytest

from comet import Route
from comet.body import features, schema

G, O = Route.GEMINI, Route.OPENAI
BASE = {"contents": [{"role": "user", "parts": [{"text": "hi"}]}]}

# keyword, schema (JSON Schema spelling), a value that fits, a value that breaks it, the violation
CASES = [
    ("prefixItems", {"type": "array", "prefixItems": [{"type": "string"}, {"type": "integer"}]},
     ["a", 1], ["a", "b"], '$[1]: expected integer, got string "b"'),
    ("uniqueItems", {"type": "array", "uniqueItems": True}, [1, 2, 3], [1, 2, 1.0],
     "$: items [0] and [2] are equal; uniqueItems asks for no repeats"),
    ("not", {"not": {"type": "string"}}, 3, "x", "$: \"x\" matches the schema under 'not'"),
    ("if/then", {"type": "object", "if": {"properties": {"kind": {"const": "tower"}}, "required": ["kind"]},
                 "then": {"required": ["height"]}},
     {"kind": "bridge"}, {"kind": "tower"}, "$: missing required property 'height'"),
    ("multipleOf", {"type": "number", "multipleOf": 0.5}, 2.5, 2.3, "$: 2.3 is not a multiple of 0.5"),
    ("contains", {"type": "array", "contains": {"type": "integer", "minimum": 10}}, [1, 12], [1, 2],
     "$: no item matches the schema under 'contains'"),
    ("patternProperties", {"type": "object", "patternProperties": {"^n_": {"type": "integer"}}},
     {"n_a": 1, "x": "y"}, {"n_a": "1"}, '$.n_a: expected integer, got string "1"'),
    ("minProperties", {"type": "object", "minProperties": 2}, {"a": 1, "b": 2}, {"a": 1},
     "$: 1 properties, fewer than minProperties 2"),
    ("maxProperties", {"type": "object", "maxProperties": 1}, {"a": 1}, {"a": 1, "b": 2},
     "$: 2 properties, more than maxProperties 1"),
    ("dependentRequired", {"type": "object", "dependentRequired": {"card": ["billing"]}},
     {"card": 1, "billing": 2}, {"card": 1},
     "$: property 'card' is present, so 'billing' is required (dependentRequired)"),
    ("propertyNames", {"type": "object", "propertyNames": {"pattern": "^[a-z]+$"}}, {"ab": 1}, {"Ab": 1},
     "$: property name \"Ab\" does not match the pattern '^[a-z]+$'"),
]


def _gemini_spelling(node):
    """The same schema in Gemini's OpenAPI spelling: upper-case type names."""
    if isinstance(node, list):
        return [_gemini_spelling(n) for n in node]
    if not isinstance(node, dict):
        return node
    return {k: (v.upper() if k == "type" and isinstance(v, str) else _gemini_spelling(v))
            for k, v in node.items()}


def _request(route: Route, field: str | None, given: dict) -> schema.Request:
    if route is Route.OPENAI:
        return schema.requested(O, features.set_schema(O, {"messages": []}, given))
    spelled = _gemini_spelling(given) if field == "responseSchema" else given
    request = schema.requested(G, features.set_schema(G, BASE, spelled, field=field))
    assert request.field == field and request.schema == spelled
    return request


@pytest.mark.parametrize("route,field", [(G, "responseJsonSchema"), (G, "responseSchema"), (O, "json_schema")])
@pytest.mark.parametrize("keyword,given,good,bad,violation", CASES, ids=[c[0] for c in CASES])
def test_each_keyword_passes_a_fitting_reply_and_names_a_breaking_one(route, field, keyword, given, good, bad,
                                                                      violation):
    request = _request(route, field, given)
    fits = schema.verdict(json.dumps(good), request)
    assert fits.parsed and fits.valid, fits.violations
    broken = schema.verdict(json.dumps(bad), request)
    assert broken.parsed and not broken.valid
    assert [str(v) for v in broken.violations] == [violation]


def test_the_reply_the_old_checker_passed_is_caught():
    given = {"type": "object", "properties": {"pair": {"type": "array", "prefixItems": [{"type": "string"},
                                                                                     {"type": "integer"}],
                                                       "uniqueItems": True}}}
    request = _request(G, "responseJsonSchema", given)
    broken = schema.verdict('{"pair": ["a", "a", "a"]}', request)
    assert [str(v) for v in broken.violations] == [
        "$.pair: items [0] and [1] are equal; uniqueItems asks for no repeats",
        '$.pair[1]: expected integer, got string "a"']
    assert broken.to_dict() == {"valid": False, "errors": [
        {"path": "$.pair", "message": "items [0] and [1] are equal; uniqueItems asks for no repeats"},
        {"path": "$.pair[1]", "message": 'expected integer, got string "a"'}]}


def test_the_verdict_lists_every_violation():
    given = {"type": "array", "items": {"type": "integer"}}
    broken = schema.verdict(json.dumps([str(i) for i in range(12)]), _request(G, "responseJsonSchema", given))
    assert [v.path for v in broken.violations] == [f"$[{i}]" for i in range(12)]
    assert len(schema.check([str(i) for i in range(12)], given)) == schema.MAX_VIOLATIONS  # check() keeps its cap


def test_gemini_openapi_subset_is_translated():
    gemini = {"type": "OBJECT", "propertyOrdering": ["name", "size"], "example": {"name": "x"},
              "properties": {"name": {"type": "STRING", "nullable": True, "enum": ["a", "b"]},
                             "type": {"type": "INTEGER", "minimum": 1},
                             "tags": {"type": "ARRAY", "items": {"type": "STRING"}, "maxItems": "2"},
                             "any": {"anyOf": [{"type": "STRING"}], "nullable": True}},
              "required": ["name"]}
    assert schema.translate(gemini) == {
        "type": "object", "required": ["name"],
        "properties": {"name": {"type": ["string", "null"], "enum": ["a", "b", None]},
                       "type": {"type": "integer", "minimum": 1},  # a property called "type" stays a name
                       "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 2},
                       "any": {"anyOf": [{"anyOf": [{"type": "string"}]}, {"type": "null"}]}}}
    request = _request(G, "responseSchema", gemini)
    assert schema.verdict('{"name": null, "any": null, "tags": ["x"]}', request).valid
    assert [str(v) for v in schema.verdict('{"name": "c", "tags": ["x", "y", "z"]}', request).violations] == [
        '$.name: "c" is not one of "a", "b", null', "$.tags: 3 items, more than maxItems 2"]


def test_upper_case_types_in_a_json_schema_field_are_reported_not_guessed():
    request = _request(G, "responseJsonSchema", {"type": "OBJECT"})
    found = schema.verdict("{}", request).violations
    assert len(found) == 1 and found[0].path == "$" and "not valid JSON Schema at type" in found[0].message


def test_a_ref_that_points_nowhere_is_a_violation_not_a_crash():
    found = schema.check(1, {"$ref": "#/$defs/Missing"}, field="responseJsonSchema")
    assert len(found) == 1 and "points nowhere" in found[0].message


def test_oneof_counts_the_options_that_fit():
    found = schema.check(1, {"oneOf": [{"type": "integer"}, {"type": "number"}]}, field="json_schema")
    assert [str(v) for v in found] == ["$: fits 2 of the oneOf options, not exactly one"]
