"""The fingerprint of a task book: SHA-256 over its content as canonical JSON.

Canonical means: keys sorted, no insignificant whitespace, UTF-8 without escaping, numbers kept as
the strings the content stores them as (amounts are Decimal strings, never floats). The same content
gives the same fingerprint on any machine, so anyone holding the JSON can recompute it:

    sha256(json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode())
"""

import hashlib
import json
import re

FINGERPRINT_RE = re.compile(r"^[0-9a-f]{64}$")


def canonical_json(content: dict) -> bytes:
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


def fingerprint(content: dict) -> str:
    return hashlib.sha256(canonical_json(content)).hexdigest()


def normalise(text: str) -> str | None:
    """A fingerprint as typed (upper case, spaces, a "sha256:" prefix) in its stored form, or None."""
    cleaned = re.sub(r"[\s:-]", "", (text or "").strip().lower())
    cleaned = cleaned.removeprefix("sha256")
    return cleaned if FINGERPRINT_RE.match(cleaned) else None
