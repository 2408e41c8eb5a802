"""Stored documents are parsed with orjson (issue 18: a results page's document in a third of the
time): the same value as the standard library gives, and what orjson refuses still parsed."""

from __future__ import annotations

import json
import math

from metrics.calculations import compute_results
from metrics.selectors import _json
from submissions.synthetic import synthetic_return


def test_a_results_document_parses_to_the_same_value() -> None:
    results = compute_results(synthetic_return("json", size=300, minority_share=0.2), population_share=0.2)
    document = {"results": results, "previous": {}, "n": 10**15, "x": 0.1 + 0.2}
    text = json.dumps(document)
    assert _json(text) == json.loads(text)
    assert _json(text.encode()) == json.loads(text)


def test_what_orjson_refuses_is_parsed_as_before() -> None:
    parsed = _json('{"value": NaN, "big": 123456789012345678901234567890}')
    assert math.isnan(parsed["value"])
    assert parsed["big"] == 123456789012345678901234567890


def test_a_parsed_value_is_returned_as_it_is() -> None:
    value = {"a": [1, 2]}
    assert _json(value) is value
