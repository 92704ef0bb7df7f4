"""RFC 9457 problem details: every error the service returns, as JSON."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, json, request
from werkzeug.exceptions import HTTPException

from stance.ingest import InputError
from stance.parties import RegistryError
from stance.store import NotFound

log = logging.getLogger(__name__)

TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    413: "Content too large",
    415: "Unsupported media type",
    422: "Unprocessable content",
    429: "Too many requests",
    500: "Internal server error",
    503: "Service unavailable",
}


class Problem(Exception):
    """Raise anywhere in a view to answer with a problem document."""

    def __init__(self, status: int, detail: str, **extra: Any):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.extra = extra


def problem_response(status: int, detail: str, **extra: Any) -> Response:
    body = {
        "type": f"https://stance.invalid/problems/{status}",
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "instance": request.path if request else None,
        **extra,
    }
    response = Response(json.dumps(body), status=status, mimetype="application/problem+json")
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="stance"'
    return response


def register(app: Flask) -> None:
    """Install the handlers that turn every failure into a problem document."""

    @app.errorhandler(Problem)
    def _problem(error: Problem) -> Response:
        return problem_response(error.status, error.detail, **error.extra)

    @app.errorhandler(InputError)
    def _input(error: InputError) -> Response:
        extra = {"field": error.field} if error.field else {}
        return problem_response(error.status, str(error), **extra)

    @app.errorhandler(RegistryError)
    def _registry(error: RegistryError) -> Response:
        return problem_response(422, str(error))

    @app.errorhandler(NotFound)
    def _not_found(error: NotFound) -> Response:
        return problem_response(404, str(error))

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> Response:
        status = error.code or 500
        detail = error.description or TITLES.get(status, "Error")
        if status == 413:
            detail = f"the request body is larger than {app.config['MAX_CONTENT_LENGTH']} bytes"
        response = problem_response(status, detail)
        if status == 405 and getattr(error, "valid_methods", None):
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return problem_response(500, "the server failed to handle this request; nothing was changed")
