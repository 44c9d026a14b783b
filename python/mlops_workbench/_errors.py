"""The one exception type the client raises.

Mirrors MLflow's error body ``{"error_code": ..., "message": ...}`` so a caller can
branch on the same stable codes (RESOURCE_DOES_NOT_EXIST, INVALID_PARAMETER_VALUE...)
whether the failure came from the server or from the client itself.
"""


class MlopsError(Exception):
    """A request the MLOps server refused, or a server that could not be reached.

    ``status`` is the HTTP status for server answers, ``None`` when no answer came
    (connection refused, timeout) or the error was raised before any request.
    """

    def __init__(self, error_code, message, status=None):
        super().__init__(error_code, message, status)
        self.error_code = error_code
        self.message = message
        self.status = status

    @property
    def retryable(self):
        # 4xx means the request itself is wrong: sending it again cannot help.
        return self.status is None or self.status >= 500

    def __str__(self):
        where = " (HTTP %d)" % self.status if self.status is not None else ""
        return "%s: %s%s" % (self.error_code, self.message, where)
