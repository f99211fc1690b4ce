"""json.loads for text from the outside: a string that is not valid Unicode (a lone surrogate) is refused.

`"\\ud800"` is valid JSON but decodes to a str that cannot be encoded as UTF-8: hashing it, storing it or
writing it to a log later raises, far from the request that carried it. Refused here, as a ValueError
(JSONDecodeError's base), so callers turn it into their own 400.
"""

from __future__ import annotations

import json
import re
from typing import Any

# Only a \uD800-\uDFFF escape can produce a surrogate: the body itself was decoded as strict UTF-8.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


class NotUnicodeError(ValueError):
    pass


def _check(value: Any) -> None:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise NotUnicodeError("a string is not valid Unicode (lone surrogate)") from exc
    elif isinstance(value, dict):
        for key, item in value.items():
            _check(key)
            _check(item)
    elif isinstance(value, list):
        for item in value:
            _check(item)


def loads(text: str, **kwargs: Any) -> Any:
    value = json.loads(text, **kwargs)
    if "\\u" in text and _SURROGATE_ESCAPE.search(text):  # a valid surrogate pair also matches: check properly
        _check(value)
    return value
