"""Production start-up: refuse without a public address; warn while the crisis contacts are generic."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from icbt import create_app

GOOD_KEY = "x7Gq2LmP9vR4tW8yZ1cB6nD3fH5jK0sA-Qe"
LOCAL = [{"name": "Samaritans", "detail": "Free, any time, day or night.", "phone": "116 123"}]


def _production(app_config: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    return {**app_config, "TESTING": False, "PRODUCTION": True, "SECRET_KEY": GOOD_KEY,
            "BASE_URL": "https://icbt.example.org", **overrides}


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.name == "icbt" and r.levelno == logging.WARNING]


@pytest.mark.parametrize("value", [None, ""])
def test_production_refuses_to_start_without_a_base_url(app_config, value) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(RuntimeError, match=r"Refusing to start in production: ICBT_BASE_URL "
                                           r"is not set \(set it to the public address"):
        create_app(_production(app_config, BASE_URL=value))


def test_production_takes_the_base_url_from_the_environment(app_config, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("ICBT_BASE_URL", "https://care.example.org")
    config = {k: v for k, v in _production(app_config).items() if k != "BASE_URL"}
    app = create_app(config)
    assert app.config["BASE_URL"] == "https://care.example.org"


def test_development_needs_no_base_url_and_links_to_the_local_default(app_config) -> None:  # type: ignore[no-untyped-def]
    from icbt.messaging.mail import external_url

    app = create_app(app_config)
    assert app.config["BASE_URL"] is None
    with app.app_context():
        assert external_url("main.help") == "http://127.0.0.1:5000/help"


def test_production_warns_while_the_crisis_contacts_are_the_defaults(app_config, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.WARNING, logger="icbt")
    create_app(_production(app_config))
    warnings = _warnings(caplog)
    assert any("crisis contacts are still the generic defaults" in w for w in warnings), warnings
    assert any("ICBT_CLINIC_PHONE" in w for w in warnings), warnings


def test_production_warns_about_a_missing_clinic_phone_alone(app_config, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.WARNING, logger="icbt")
    create_app(_production(app_config, CRISIS_RESOURCES=LOCAL))
    [warning] = _warnings(caplog)
    assert "ICBT_CLINIC_PHONE" in warning and "generic defaults" not in warning


def test_no_warning_once_the_crisis_contacts_are_configured(app_config, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.WARNING, logger="icbt")
    create_app(_production(app_config, CRISIS_RESOURCES=LOCAL, CLINIC_PHONE="020 7946 0123",
                           CLINIC_NAME="Northgate Wellbeing"))
    assert _warnings(caplog) == []


def test_the_warnings_hold_no_personal_data_or_secrets(app_config, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG)
    create_app(_production(app_config, CLINIC_NAME="Dr Jane Example's practice",
                           CLINIC_HOURS="Ask Jane on 07700 900123"))
    text = caplog.text
    assert _warnings(caplog)
    for private in ("Jane", "07700", GOOD_KEY, "icbt.example.org"):
        assert private not in text


def test_outside_production_nothing_is_logged(app_config, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.WARNING, logger="icbt")
    create_app(app_config)
    assert _warnings(caplog) == []
