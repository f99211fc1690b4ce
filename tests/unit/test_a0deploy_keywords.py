"""a0deploy's keyword replacement (auth0-deploy-cli src/tools/utils.ts keywordReplace), as pure text rules."""

from __future__ import annotations

import json

import pytest
import yaml

from ostiary.admin.a0deploy.keywords import mappings, replace
from ostiary.errors import AdminError


def test_array_marker_becomes_json_with_or_without_quotes() -> None:
    text = "a: '@@URLS@@'\nb: \"@@URLS@@\"\nc: @@URLS@@\n"
    doc = yaml.safe_load(replace(text, {"URLS": ["https://x/", "y"]}))
    assert doc == {"a": ["https://x/", "y"], "b": ["https://x/", "y"], "c": ["https://x/", "y"]}


def test_string_marker_is_literal_and_can_splice_into_a_list() -> None:
    text = 'web_origins: [ "https://prod", ##MORE## ]\nname: "##ENV## tenant"\n'
    doc = yaml.safe_load(replace(text, {"MORE": '"http://local", "http://localhost"', "ENV": "dev"}))
    assert doc == {"web_origins": ["https://prod", "http://local", "http://localhost"], "name": "dev tenant"}


def test_unknown_markers_stay_and_dollar_signs_are_not_special() -> None:
    assert replace("##A## ##B## @@C@@", {"A": "$1$&"}) == "$1$& ##B## @@C@@"
    assert json.loads(replace('{"v": @@N@@}', {"N": 3})) == {"v": 3}


def test_mappings_from_config_then_keyword_options(tmp_path) -> None:  # type: ignore[no-untyped-def]
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"AUTH0_KEYWORD_REPLACE_MAPPINGS": {"ENV": "dev", "N": 1}}))
    assert mappings(["ENV=prod"], config) == {"ENV": "prod", "N": 1}
    with pytest.raises(AdminError, match="not KEY=VALUE"):
        mappings(["no-equals"], None)
    config.write_text("{")
    with pytest.raises(AdminError, match="cannot read"):
        mappings(None, config)
