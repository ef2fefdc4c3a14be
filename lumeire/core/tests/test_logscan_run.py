"""The log scan fails a whole run, with or without parallel workers, when one test logs a value."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
LEAKY_AND_CLEAN_TESTS = """
import logging

def test_that_logs_an_email():
    logging.getLogger("shop").warning("mail sent to someone@example.com")

def test_that_logs_nothing_personal():
    logging.getLogger("shop").info("order placed")
"""
CLEAN_TESTS = """
import logging

def test_that_logs_nothing_personal():
    logging.getLogger("shop").info("order placed")

def test_that_logs_a_reference():
    logging.getLogger("shop").info("case CASE-000012 opened")
"""


def _run(pytester: pytest.Pytester, source: str, *workers: str) -> pytest.RunResult:
    pytester.makepyfile(test_session=source)
    return pytester.runpytest_subprocess(
        "--ds=config.settings_test",
        "-p",
        "lumeire.core.tests.logscan",
        "-p",
        "no:cacheprovider",
        *workers,
    )


@pytest.mark.parametrize("workers", [(), ("-n", "2")], ids=["one process", "two workers"])
def test_a_logged_email_fails_the_run_and_is_named_masked(pytester, monkeypatch, workers):
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    result = _run(pytester, LEAKY_AND_CLEAN_TESTS, *workers)

    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(
        ["*personal values in the session's log*", "an @example.com email: 'so*************om'*"]
    )
    assert "someone@example.com" not in result.stdout.str()


@pytest.mark.parametrize("workers", [(), ("-n", "2")], ids=["one process", "two workers"])
def test_a_clean_log_passes(pytester, monkeypatch, workers):
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    result = _run(pytester, CLEAN_TESTS, *workers)

    assert result.ret == pytest.ExitCode.OK
    assert "personal values" not in result.stdout.str()
