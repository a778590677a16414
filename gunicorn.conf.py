"""gunicorn's settings for Starting Point, read from the folder gunicorn is started in.

Its logs (access and error) never carry a personal link's token: a token is a key to a
learner's record, and log files are read by more people, and kept longer, than the database.
"""

from gunicorn.glogging import Logger

from survey.logs import HideTokens


class TokenFreeLogger(Logger):
    """gunicorn's own logger, with personal-link tokens taken out of every line."""

    def setup(self, cfg):  # type: ignore[no-untyped-def]
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            log.addFilter(HideTokens())


logger_class = TokenFreeLogger
