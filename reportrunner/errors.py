"""The one exception tree of reportrunner, and the documented exit statuses.

Core modules raise these with context as attributes; only the CLI turns them into messages and
exit codes (see `reportrunner.cli`). Every message says what is wrong, where, and what to do.
"""

from __future__ import annotations

from enum import IntEnum
from pathlib import Path


class ExitStatus(IntEnum):
    """Exit statuses of every command, documented in `--help` and the README."""

    OK = 0
    #: validate: at least one error (or a warning with --strict); run: some reports failed.
    FAILED = 1
    #: Bad command line (missing path, unknown option) or an invalid reportrunner.yaml.
    USAGE = 2
    #: Configuration or access problem: no API key, key rejected, API unreachable.
    ACCESS = 3
    #: The site was published, but a Slack or e-mail delivery failed (tried again next run).
    DELIVERY = 4
    #: Stopped by SIGINT (Ctrl-C) or SIGTERM; the previous site is left unchanged.
    INTERRUPTED = 130


class ReportRunnerError(Exception):
    """Base of every error reportrunner raises on purpose.

    `hint` says what the user can do about it; the CLI prints it on its own line.
    """

    exit_status: ExitStatus = ExitStatus.FAILED

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class UsageError(ReportRunnerError):
    """The command line asks for something impossible (missing path, bad option value)."""

    exit_status = ExitStatus.USAGE


class SpecError(ReportRunnerError):
    """A spec or project file cannot be used; carries the file and the 1-based line/column."""

    def __init__(
        self,
        message: str,
        *,
        path: Path | str | None = None,
        line: int | None = None,
        column: int | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.path = Path(path) if path is not None else None
        self.line = line
        self.column = column

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = str(self.path)
            if self.line is not None:
                where += f":{self.line}"
                if self.column is not None:
                    where += f":{self.column}"
            where += ": "
        return where + self.message


class ProjectError(SpecError):
    """reportrunner.yaml is invalid: it affects every report, so nothing is fetched."""

    exit_status = ExitStatus.USAGE


class ApiError(ReportRunnerError):
    """Close answered with an error, or could not be reached.

    `url` is never given credentials; `body` is a short, already-redacted excerpt.
    """

    def __init__(
        self,
        message: str,
        *,
        url: str | None = None,
        status: int | None = None,
        body: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.url = url
        self.status = status
        self.body = body


class AuthError(ApiError):
    """Close rejected the API key (401/403): the whole run stops."""

    exit_status = ExitStatus.ACCESS


class ApiUnreachable(ApiError):
    """No connection to the API at all (DNS, refused, TLS): the whole run stops."""

    exit_status = ExitStatus.ACCESS


class ConfigError(ReportRunnerError):
    """Missing or unusable configuration outside the specs, such as CLOSE_API_KEY."""

    exit_status = ExitStatus.ACCESS


class RenderError(ReportRunnerError):
    """A template failed; names the template file and line."""

    def __init__(
        self,
        message: str,
        *,
        template: str | None = None,
        line: int | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.template = template
        self.line = line

    def __str__(self) -> str:
        if self.template:
            where = self.template + (f":{self.line}" if self.line else "")
            return f"{where}: {self.message}"
        return self.message


class TemplateSandboxError(RenderError):
    """A template tried to reach Python internals; that report fails, the site is built."""


class Interrupted(ReportRunnerError):
    """SIGINT or SIGTERM arrived; raised so that cleanup runs and the old site stays."""

    exit_status = ExitStatus.INTERRUPTED


class DeadlineExceeded(ReportRunnerError):
    """The whole exchange took longer than its deadline (a stalled or dripping server)."""

    def __init__(self, deadline: float) -> None:
        super().__init__(f"no answer within the timeout ({deadline:g} s, connect to last byte)")
        self.deadline = deadline


class AnswerTooLarge(ReportRunnerError):
    """The answer is (or decodes to) more than the cap; it is never retried."""

    def __init__(self, limit: int, *, declared: int | None = None) -> None:
        said = f"; its Content-Length says {declared}" if declared is not None else ""
        super().__init__(f"the answer is larger than {limit} bytes, the limit{said}")
        self.limit = limit


class RequestRejected(ApiError):
    """Close refused the request itself (400, 404, other 4xx): only this report fails.

    `field_errors` and `errors` are Close's validation details, already redacted.
    """

    def __init__(
        self,
        message: str,
        *,
        url: str,
        status: int,
        body: str | None,
        field_errors: dict[str, str],
        errors: list[str],
    ) -> None:
        super().__init__(message, url=url, status=status, body=body)
        self.field_errors = field_errors
        self.errors = errors


class WaitTooLong(ReportRunnerError):
    """The pacer would have to wait longer than the caller's budget allows.

    The client catches it and raises an `ApiError` naming the URL and the report.
    """

    def __init__(self, waited: float, needed: float) -> None:
        super().__init__(f"rate-limit wait of {needed:.1f} s exceeds the remaining budget")
        self.waited = waited
        self.needed = needed


class DeliveryFailed(ReportRunnerError):
    """One delivery could not be sent; the site is published anyway and the next run retries."""


class QueueTimeout(ReportRunnerError):
    """An earlier run was still going after the allowed wait; this run publishes nothing."""


class Unusable(ReportRunnerError):
    """A file of the previous site that is missing, unreadable or not ours."""

    def __init__(self, message: str, *, missing: bool = False) -> None:
        super().__init__(message)
        self.missing = missing  # simply not there (404): no earlier site, nothing to warn about
