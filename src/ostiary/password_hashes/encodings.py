"""The encodings Auth0's `custom_password_hash` names, as Node's Buffer applies them."""

from __future__ import annotations

import base64
import binascii

BINARY_ENCODINGS = ("base64", "hex", "utf8")
PASSWORD_ENCODINGS = ("ascii", "utf8", "utf16le", "ucs2", "latin1", "binary")


class EncodingError(ValueError):
    pass


def decode(value: str, encoding: str) -> bytes:
    """hex (either case), base64 (standard or URL-safe, padding optional) or utf8 text, to bytes."""
    if encoding == "utf8":
        return value.encode()
    try:
        if encoding == "hex":
            return bytes.fromhex(value)
        if encoding == "base64":
            text = value.strip().replace("-", "+").replace("_", "/")
            return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (ValueError, binascii.Error) as exc:
        raise EncodingError(f"not valid {encoding}") from exc
    raise EncodingError(f"unknown encoding {encoding!r}")


def encode_password(password: str, encoding: str) -> bytes:
    """The password's bytes as the legacy system hashed them. Node's ascii, latin1 and binary all keep the low
    byte of each UTF-16 code unit; ucs2 is utf16le."""
    if encoding == "utf8":
        return password.encode()
    units = password.encode("utf-16-le", "surrogatepass")
    if encoding in ("utf16le", "ucs2"):
        return units
    if encoding in ("ascii", "latin1", "binary"):
        return units[::2]
    raise EncodingError(f"unknown encoding {encoding!r}")
