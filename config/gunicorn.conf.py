"""gunicorn settings for `make serve` (`gunicorn -c config/gunicorn.conf.py`).

The bind address and the number of workers come from the command line (Makefile:
BIND, WEB_CONCURRENCY). The access log goes to standard output in Apache's combined
format plus the request time, with calendar feed tokens and password-reset tokens
masked in every log line (config/log_masking.py, docs/operations.md#logs).
"""

from gunicorn.glogging import Logger

from config.log_masking import MaskSecretsInPaths

accesslog = "-"
# Apache's combined format, then the time taken in milliseconds.
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'


class MaskingLogger(Logger):
    """gunicorn's logger, with secrets in paths masked in the access log (request
    line, path, referrer...) and in the error log ("Error handling request <uri>")."""

    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.access_log, self.error_log):
            if not any(isinstance(existing, MaskSecretsInPaths) for existing in log.filters):
                log.addFilter(MaskSecretsInPaths())


logger_class = MaskingLogger
