"""The Lucene subset of Auth0's user search (`GET /api/v2/users?q=...&search_engine=v3`), parsed to a small tree.

Supported: `field:value`, `field:"quoted value"`, a trailing `*` prefix (`name:jo*`), `AND` / `OR` / `NOT` and
parentheses, ranges `field:[a TO b]` / `{a TO b}` (`*` for an open end) and `_exists_:field`. Anything else
(a bare term with no field, two terms with no operator between them, fuzzy `~`, boosts `^`, regular expressions)
is refused with an error naming the unsupported part. `AND` binds tighter than `OR`, as in Lucene.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ostiary.errors import ManagementQueryError


@dataclass(frozen=True, slots=True)
class Term:
    field: str
    value: str
    prefix: bool = False


@dataclass(frozen=True, slots=True)
class Range:
    field: str
    low: str | None
    high: str | None
    include_low: bool = True
    include_high: bool = True


@dataclass(frozen=True, slots=True)
class Exists:
    field: str


@dataclass(frozen=True, slots=True)
class Not:
    operand: Query


@dataclass(frozen=True, slots=True)
class And:
    operands: tuple[Query, ...]


@dataclass(frozen=True, slots=True)
class Or:
    operands: tuple[Query, ...]


Query = Term | Range | Exists | Not | And | Or

_TOKEN = re.compile(
    r'\s*(?:(?P<quoted>"(?:[^"\\]|\\.)*")|(?P<punct>[()\[\]{}:])|(?P<word>[^\s()\[\]{}:"]+))'
)
_FIELD = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*")
_UNSUPPORTED = re.compile(r"[~^/?]")


def _error(message: str) -> ManagementQueryError:
    return ManagementQueryError(f"Query validation error: {message}")


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    text = text.rstrip()
    # Tokens must follow one another with nothing skipped: a match that does not start where the last one
    # ended (or running out of matches before the end) means the text at `pos` is not a token.
    for match in _TOKEN.finditer(text):
        if match.start() != pos or match.end() == pos:
            break
        kind = match.lastgroup
        assert kind is not None
        out.append((kind, match.group(kind)))
        pos = match.end()
    if pos < len(text):
        raise _error(f"cannot read the query at {text[pos:pos + 20]!r}")
    return out


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.pos = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise _error("the query ends too early")
        self.pos += 1
        return token

    def expect(self, punct: str) -> None:
        kind, value = self.take()
        if kind != "punct" or value != punct:
            raise _error(f"expected {punct!r}, found {value!r}")

    def at_word(self, *words: str) -> bool:
        token = self.peek()
        return token is not None and token[0] == "word" and token[1] in words

    def parse(self) -> Query:
        if not self.tokens:
            raise _error("the query is empty")
        node = self.or_expr()
        token = self.peek()
        if token is not None:
            raise _error(f"unsupported syntax at {token[1]!r} (join terms with AND or OR)")
        return node

    def or_expr(self) -> Query:
        operands = [self.and_expr()]
        while self.at_word("OR", "||"):
            self.take()
            operands.append(self.and_expr())
        return operands[0] if len(operands) == 1 else Or(tuple(operands))

    def and_expr(self) -> Query:
        operands = [self.unary()]
        while self.at_word("AND", "&&"):
            self.take()
            operands.append(self.unary())
        return operands[0] if len(operands) == 1 else And(tuple(operands))

    def unary(self) -> Query:
        if self.at_word("NOT", "!"):
            self.take()
            return Not(self.unary())
        token = self.peek()
        if token == ("punct", "("):
            self.take()
            node = self.or_expr()
            self.expect(")")
            return node
        return self.clause()

    def clause(self) -> Query:
        kind, field = self.take()
        if kind != "word" or self.peek() != ("punct", ":"):
            raise _error(f"{field!r} has no field (write field:value)")
        if field.startswith(("+", "-")) or not _FIELD.fullmatch(field):
            raise _error(f"unsupported field {field!r}")
        self.take()
        if field == "_exists_":
            kind, name = self.take()
            if kind != "word" or not _FIELD.fullmatch(name):
                raise _error(f"_exists_ needs a field name, found {name!r}")
            return Exists(name)
        token = self.peek()
        if token in (("punct", "["), ("punct", "{")):
            return self.range(field)
        kind, raw = self.take()
        if kind == "quoted":
            return Term(field, re.sub(r"\\(.)", r"\1", raw[1:-1]))
        if kind != "word":
            raise _error(f"{field}: expected a value, found {raw!r}")
        if _UNSUPPORTED.search(raw) or "*" in raw[:-1]:
            raise _error(f"{field}:{raw} uses unsupported syntax (only a trailing * is supported)")
        if raw.endswith("*"):
            if len(raw) < 2:
                raise _error(f"{field}:* is not supported (use _exists_:{field})")
            return Term(field, raw[:-1], prefix=True)
        return Term(field, raw)

    def range(self, field: str) -> Range:
        _, opening = self.take()
        low = self.bound()
        if not self.at_word("TO"):
            raise _error(f"{field}: a range is [low TO high]")
        self.take()
        high = self.bound()
        kind, closing = self.take()
        if kind != "punct" or closing not in "]}":
            raise _error(f"{field}: a range ends with ] or }}")
        return Range(field, low, high, include_low=opening == "[", include_high=closing == "]")

    def bound(self) -> str | None:
        kind, raw = self.take()
        if kind == "quoted":
            return raw[1:-1]
        if kind != "word":
            raise _error(f"expected a range bound, found {raw!r}")
        return None if raw == "*" else raw


def parse_user_query(text: str) -> Query:
    """The tree of `q`, or ManagementQueryError (400) naming the part that is not supported."""
    return _Parser(text).parse()
