"""COUNTERMARK_LOG_FORMAT=json: one JSON object per line, with the request id during a request."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.logs import SERVER_LOGGERS, JsonFormatter, configure_logging
from catalog.core.settings import Settings

LOGGER = "countermark.test.json_logs"


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """The lines the test logger writes through the JSON formatter."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger(LOGGER)
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield out
    logger.removeHandler(handler)


def _client_logging_in_a_route(settings: Settings) -> TestClient:
    app = create_app(settings)

    async def say() -> dict[str, str]:
        logging.getLogger(LOGGER).info("inside %s", "the request")
        return {"ok": "yes"}

    app.add_api_route("/say", say)
    return TestClient(app)


def test_a_log_line_in_a_request_is_json_with_the_callers_request_id(
    settings: Settings, captured: io.StringIO
) -> None:
    with _client_logging_in_a_route(settings) as client:
        response = client.get("/say", headers={"X-Request-ID": "customs-42.a"})
        unusable = client.get("/say", headers={"X-Request-ID": "no spaces allowed"})
    logging.getLogger(LOGGER).warning("outside")

    assert response.headers["x-request-id"] == "customs-42.a"
    generated = unusable.headers["x-request-id"]
    assert len(generated) == 32
    first, second, outside = (json.loads(line) for line in captured.getvalue().splitlines())
    assert first["message"] == "inside the request"
    assert first["level"] == "INFO"
    assert first["logger"] == LOGGER
    assert first["request_id"] == "customs-42.a"
    assert first["time"].endswith("+00:00")
    assert second["request_id"] == generated
    assert outside["level"] == "WARNING"
    assert "request_id" not in outside


def test_json_format_reaches_the_server_loggers() -> None:
    handler = logging.StreamHandler(io.StringIO())
    access = logging.getLogger("uvicorn.access")
    access.addHandler(handler)
    loggers = [logging.getLogger(name) for name in (None, *SERVER_LOGGERS)]
    kept = {h: h.formatter for logger in loggers for h in logger.handlers}
    root_handlers = list(logging.getLogger().handlers)
    try:
        configure_logging("text")
        assert not isinstance(handler.formatter, JsonFormatter)  # text: left as it is
        configure_logging("json")
        assert isinstance(handler.formatter, JsonFormatter)
        assert all(isinstance(h.formatter, JsonFormatter) for h in logging.getLogger().handlers)
    finally:  # other tests' log capture keeps its own format
        access.removeHandler(handler)
        logging.getLogger().handlers[:] = root_handlers
        for h, formatter in kept.items():
            h.setFormatter(formatter)


def test_an_unknown_log_format_is_refused(settings: Settings) -> None:
    with pytest.raises(ValueError, match="log_format"):
        type(settings)(**{**settings.model_dump(), "log_format": "xml"})
