"""Log lines without secrets: a personal link's token is a key to a learner's record, so no
log line the app or its server writes carries one."""

from __future__ import annotations

import logging
import re

from .store.tokens import LINK_PATHS

# "/l/<token>" (and every other kind of personal link), up to where an address ends (a space,
# a query, a fragment or a quote)
TOKEN_IN_PATH = re.compile(
    "(" + "|".join(re.escape(p) for p in LINK_PATHS.values()) + r")[^\s?#\"'\x1b]+"
)
HIDDEN = r"\1[hidden]"


def redact(text: str) -> str:
    """The text with every personal-link token replaced by [hidden]."""
    return TOKEN_IN_PATH.sub(HIDDEN, text)


class HideTokens(logging.Filter):
    """A logging filter that takes personal-link tokens out of each record's message."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        hidden = redact(message)
        if hidden != message:
            record.msg, record.args = hidden, ()
        return True


def hide_tokens(logger: logging.Logger) -> None:
    """Add the filter to a logger, once."""
    if not any(isinstance(f, HideTokens) for f in logger.filters):
        logger.addFilter(HideTokens())
