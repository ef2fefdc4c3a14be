"""A pytest plugin: nothing logged during the whole test session may carry a personal value.

Every record, DEBUG included, is written to one JSON-lines file through the store's own
formatter; when the session ends the file is scanned for the values the tests type (the
factories' password and recovery answer, test emails, names, identity numbers, card numbers)
and the run fails if any appears (SECURITY.md #32). Registered by the root conftest.py.
"""

from __future__ import annotations

import importlib
import json
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pytest

from lumeire.core.logging import JsonFormatter, RequestIdFilter

# Random identifiers the store logs on purpose; a run of digits inside one is chance, not data.
_NOT_PERSONAL_KEYS = frozenset({"ts", "request_id", "client_ref", "client", "duration"})
_UUID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", re.I)
_TEST_EMAIL = re.compile(r"[^\s\"'<>,;:()\[\]]*@example\.com")
_IDENTITY_NUMBER = re.compile(r"\b[12]\d{9}\b")
_CARD_NUMBER = re.compile(r"\b\d(?:[ -]?\d){12,18}\b")


@dataclass
class Finding:
    """One kind of forbidden value seen in the log, with where it came from."""

    kind: str
    sample: str
    loggers: set[str] = field(default_factory=set)
    records: int = 0


def _luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _mask(value: str) -> str:
    value = " ".join(value.split())
    if len(value) <= 6:
        return "*" * len(value)
    return value[:2] + "*" * (len(value) - 4) + value[-2:]


def _test_secrets() -> dict[str, str]:
    # Read by name, not imported: the core layer knows no accounts code, and the values follow
    # whatever the factories use today.
    factories = importlib.import_module("lumeire.accounts.tests.factories")
    normalization = importlib.import_module("lumeire.accounts.normalization")
    answer = factories.ANSWER
    return {
        "the factories' PASSWORD": factories.PASSWORD,
        "the factories' ANSWER": answer.strip(),
        "the factories' ANSWER (normalised)": normalization.normalize_recovery_answer(answer),
    }


def _records(lines: Iterable[str]) -> Iterator[tuple[str, dict[str, object]]]:
    for line in lines:
        line = line.rstrip("\n")
        if not line:
            continue
        try:
            record = json.loads(line)
        except ValueError:
            record = {"message": line}
        if not isinstance(record, dict):
            record = {"message": line}
        yield line, record


def scan(lines: Iterable[str], secrets: dict[str, str]) -> list[Finding]:
    """Every kind of forbidden value in ``lines`` (JSON log records), with a masked sample."""
    findings: dict[str, Finding] = {}
    folded_secrets = {kind: value.casefold() for kind, value in secrets.items() if value}

    def found(kind: str, sample: str, record: dict[str, object]) -> None:
        finding = findings.setdefault(kind, Finding(kind=kind, sample=_mask(sample)))
        finding.records += 1
        finding.loggers.add(str(record.get("logger", "?")))

    for _line, record in _records(lines):
        text = "\n".join(str(value) for value in record.values())
        folded = text.casefold()
        for kind, value in folded_secrets.items():
            if value in folded:
                found(kind, value, record)
        for match in _TEST_EMAIL.finditer(folded):
            found("an @example.com email", match.group(), record)
        if (at := folded.find("aisha")) >= 0:
            found('the name "Aisha"', text[at : at + 5], record)
        digits_text = _UUID.sub(
            "<uuid>",
            "\n".join(str(value) for key, value in record.items() if key not in _NOT_PERSONAL_KEYS),
        )
        for match in _IDENTITY_NUMBER.finditer(digits_text):
            found("a 10-digit identity number", match.group(), record)
        for match in _CARD_NUMBER.finditer(digits_text):
            digits = re.sub(r"[ -]", "", match.group())
            if 13 <= len(digits) <= 19 and _luhn_valid(digits):
                found("a Luhn-valid card number", digits, record)
    return list(findings.values())


class _SessionLog:
    """The file handler on the root logger (and on loggers that do not propagate to it)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.handler = logging.FileHandler(path, encoding="utf-8", delay=False)
        self.handler.setFormatter(JsonFormatter())
        self.handler.addFilter(RequestIdFilter())
        self.handler.setLevel(logging.DEBUG)
        self.root_level = logging.getLogger().level

    def _loggers(self) -> list[logging.Logger]:
        isolated = [
            logger
            for logger in logging.root.manager.loggerDict.values()
            if isinstance(logger, logging.Logger) and not logger.propagate
        ]
        return [logging.getLogger(), *isolated]

    def attach(self) -> None:
        """(Re)attach the handler where it is missing, e.g. after a test reconfigured logging."""
        root = logging.getLogger()
        if root.level != logging.DEBUG:
            root.setLevel(logging.DEBUG)
        for logger in self._loggers():
            if self.handler not in logger.handlers:
                logger.addHandler(self.handler)

    def detach(self) -> None:
        for logger in self._loggers():
            logger.removeHandler(self.handler)
        logging.getLogger().setLevel(self.root_level)
        self.handler.close()


_SESSION_LOG = pytest.StashKey[_SessionLog]()


@pytest.fixture(scope="session", autouse=True)
def _session_log(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """Send every record of the session, DEBUG included, to one file in the store's format."""
    session_log = _SessionLog(tmp_path_factory.mktemp("logscan") / "session.jsonl")
    request.config.stash[_SESSION_LOG] = session_log
    session_log.attach()
    yield session_log
    session_log.detach()


@pytest.fixture(autouse=True)
def _session_log_stays_attached(_session_log: _SessionLog):
    """A test that reconfigures logging must not end the capture for the rest of the session."""
    _session_log.attach()


# Under pytest-xdist each worker logs to its own file and scans it; the findings travel to the
# controller in the worker's output, and the controller fails the run and names them.
_WORKER_FINDINGS = pytest.StashKey[list[dict]]()


def _findings_of_this_process(config: pytest.Config) -> tuple[list[dict], str]:
    session_log = config.stash.get(_SESSION_LOG, None)
    if session_log is None or not session_log.path.exists():
        return [], ""
    session_log.handler.flush()
    with session_log.path.open(encoding="utf-8") as lines:
        findings = scan(lines, _test_secrets())
    return [{**asdict(f), "loggers": sorted(f.loggers)} for f in findings], str(session_log.path)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error) -> None:
    """The controller keeps what each worker found (xdist only)."""
    found = getattr(node, "workeroutput", {}).get("logscan_findings", [])
    node.config.stash.setdefault(_WORKER_FINDINGS, []).extend(found)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run when the session's log holds a forbidden value; say which, masked."""
    config = session.config
    findings, path = _findings_of_this_process(config)
    findings = [{**finding, "log": path} for finding in findings]
    if hasattr(config, "workeroutput"):  # an xdist worker: the controller reports
        config.workeroutput["logscan_findings"] = findings
        return
    findings += config.stash.get(_WORKER_FINDINGS, [])
    if not findings:
        return
    session.exitstatus = pytest.ExitCode.TESTS_FAILED
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    write = reporter.write_line if reporter is not None else print
    if reporter is not None:
        reporter.write("\n")
        reporter.write_sep("=", "personal values in the session's log", red=True)
    for finding in findings:
        write(
            f"{finding['kind']}: {finding['sample']!r} in {finding['records']} record(s) "
            f"from {', '.join(finding['loggers'])}"
        )
    for log in sorted({finding["log"] for finding in findings}):
        write(f"The whole log: {log}")
