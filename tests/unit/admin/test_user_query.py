"""The Lucene subset of GET /api/v2/users?q=: what parses, to what, and what is refused naming the part."""

from __future__ import annotations

import pytest

from ostiary.admin.user_query import And, Exists, Not, Or, Range, Term, parse_user_query
from ostiary.errors import ManagementQueryError


@pytest.mark.parametrize(
    ("q", "tree"),
    [
        ('email:"a@b.com"', Term("email", "a@b.com")),
        ("email:a@b.com", Term("email", "a@b.com")),
        ('app_metadata.plan:"pro"', Term("app_metadata.plan", "pro")),
        ("name:jo*", Term("name", "jo", prefix=True)),
        ('name:"say \\"hi\\""', Term("name", 'say "hi"')),
        ("_exists_:app_metadata.plan", Exists("app_metadata.plan")),
        ("logins_count:[1 TO 5]", Range("logins_count", "1", "5")),
        ("created_at:{2024-01-01 TO *]", Range("created_at", "2024-01-01", None, include_low=False)),
        ("a:1 AND b:2 OR c:3", Or((And((Term("a", "1"), Term("b", "2"))), Term("c", "3")))),
        ("a:1 AND (b:2 OR c:3)", And((Term("a", "1"), Or((Term("b", "2"), Term("c", "3")))))),
        ("NOT a:1", Not(Term("a", "1"))),
        ("a:1 && NOT b:2", And((Term("a", "1"), Not(Term("b", "2"))))),
    ],
    ids=["quoted", "bare", "metadata", "prefix", "escaped-quote", "exists", "range", "open-range", "precedence",
         "parentheses", "not", "symbols"],
)
def test_parses(q: str, tree: object) -> None:
    assert parse_user_query(q) == tree


@pytest.mark.parametrize(
    ("q", "named"),
    [
        ("john", "'john' has no field"),
        ("name:jo~2", "jo~2"),
        ("name:j*n", "j*n"),
        ("a:1 b:2", "'b'"),
        ("a:1 AND", "ends too early"),
        ("(a:1", "ends too early"),
        ("a:[1 5]", "[low TO high]"),
        ("", "empty"),
        ("name:*", "_exists_:name"),
        ("name:/jo.*/", "/jo.*/"),
    ],
    ids=["no-field", "fuzzy", "inner-wildcard", "no-operator", "dangling-and", "unclosed", "range-without-to",
         "empty", "lone-star", "regex"],
)
def test_refuses_naming_the_part(q: str, named: str) -> None:
    with pytest.raises(ManagementQueryError) as info:
        parse_user_query(q)
    assert named in info.value.message
