"""Personal codes and session tokens: made at random, stored only as hashes.

Two kinds. A personal code is the key in a personal link (`/l/<code>` for a learner), typed
from a card or scanned from a QR code, so it is short, lower case and forgiving of spaces and
dashes; any visitor kind with links of its own (a path in LINK_PATHS: learners, workplace
contacts) uses the same code. A
secret (a staff session, a setup link) is never typed: it is longer and compared exactly.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping
from typing import Any

# where each kind of personal link starts; the token follows (logs hide it, see survey/logs.py)
LINK_PATHS = {"learner": "/l/", "workplace": "/w/"}
_LINK = re.compile("(?:" + "|".join(re.escape(p) for p in LINK_PATHS.values()) + ")")


def new_token() -> str:
    """A personal code: 130 random bits as 26 letters and digits (base32, lower case)."""
    return base64.b32encode(secrets.token_bytes(17)).decode().rstrip("=").lower()[:26]


def normalise_token(text: str) -> str:
    """A code as typed, scanned or pasted: ignore spaces, dashes and case; from a whole
    personal link (".../l/<code>/?..."), the code in it."""
    found = list(_LINK.finditer(text))
    if found:
        text = text[found[-1].end() :].split("?")[0].split("#")[0]
    return "".join(ch for ch in text.lower() if ch.isalnum())


def hash_token(token: str) -> str:
    """What is stored of a personal code: its hash, the same however the code was written."""
    return hashlib.sha256(normalise_token(token).encode()).hexdigest()


def pretty_token(token: str) -> str:
    """A code in groups of four, easier to copy from a card."""
    return "-".join(token[i : i + 4] for i in range(0, len(token), 4))


def device_key(visitor: Mapping[str, Any]) -> str:
    """What a device remembers: tied to the current link, so a reissued link signs it out."""
    return str(visitor["token_hash"])[:32]


def device_key_matches(visitor: Mapping[str, Any], key: str) -> bool:
    return hmac.compare_digest(device_key(visitor), key)


def new_secret() -> str:
    """A session or setup-link token: 256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    """What is stored of a secret, and how it is looked up."""
    return hashlib.sha256(secret.encode()).hexdigest()
