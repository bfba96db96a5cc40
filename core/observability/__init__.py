"""Observability of the muscles host: request ids that follow a call into its job, JSON logs
that carry them, and Prometheus metrics."""

from core.observability.logs import JsonFormatter, RequestIdFilter, configure_logging
from core.observability.requests import (
    REQUEST_ID_HEADER,
    current_request_id,
    new_request_id,
    request_id_scope,
    usable_request_id,
)

__all__ = [
    "REQUEST_ID_HEADER",
    "JsonFormatter",
    "RequestIdFilter",
    "configure_logging",
    "current_request_id",
    "new_request_id",
    "request_id_scope",
    "usable_request_id",
]
