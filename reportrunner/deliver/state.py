"""What each delivery last sent, per report: `history/deliveries.state.json` by the histories.

`changed` compares against these numbers, so they must survive scheduled runs on fresh runners:
like the histories, the state is read from the previous site in the output folder or from
`--history-from` (a folder or the published site's URL) and written into the new site. It is
untrusted input when read back: entries of the wrong shape are dropped with a warning, a file
that cannot be read at all is a warning, never a crash (the worst case is one repeated message).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from reportrunner.redact import redact
from reportrunner.site.history import HEADLINE_KEYS
from reportrunner.windows import parse_rfc3339

if TYPE_CHECKING:
    from reportrunner.site.writer import SiteWriter

#: A name no report id can take (ids have no dot), so it never meets `history/<id>.json`.
FILE = Path("history") / "deliveries.state.json"
VERSION = 1
#: Bounds on what is read back: a hostile file must not make a run slow or huge.
MAX_DESTINATIONS = 200
MAX_REPORTS = 5000


@dataclass(frozen=True)
class Sent:
    """One report as a delivery last sent it."""

    sent_at: str
    numbers: dict[str, float | None]

    def to_json(self) -> dict[str, Any]:
        return {"sent_at": self.sent_at, "numbers": self.numbers}


@dataclass
class DeliveryState:
    """destination key → report id → what was last sent there."""

    sent: dict[str, dict[str, Sent]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def last(self, key: str, report_id: str) -> dict[str, float | None] | None:
        entry = self.sent.get(key, {}).get(report_id)
        return entry.numbers if entry else None

    def record(self, key: str, report_id: str, entry: Sent) -> None:
        self.sent.setdefault(key, {})[report_id] = entry

    def to_json(self) -> dict[str, Any]:
        return {
            "version": VERSION,
            "deliveries": {
                key: {rid: entry.to_json() for rid, entry in sorted(reports.items())}
                for key, reports in sorted(self.sent.items())
            },
        }


#: Metric keys beyond the funnel's that another report kind adds to its numbers (by metric
#: key), and their longest name: more is not a state file we wrote.
MAX_OTHER_KEYS = 200
MAX_KEY_LENGTH = 200


def _numbers(value: Any) -> dict[str, float | None] | None:
    if not isinstance(value, dict) or not set(HEADLINE_KEYS) <= set(value):
        return None
    others = [key for key in value if key not in HEADLINE_KEYS]
    if len(others) > MAX_OTHER_KEYS or any(
        not isinstance(key, str) or len(key) > MAX_KEY_LENGTH for key in others
    ):
        return None
    numbers: dict[str, float | None] = {}
    for key in (*HEADLINE_KEYS, *others):
        item = value[key]
        if item is not None and (isinstance(item, bool) or not isinstance(item, (int, float))):
            return None
        numbers[key] = item
    return numbers


def _entry(value: Any) -> Sent | None:
    if not isinstance(value, dict) or not isinstance(value.get("sent_at"), str):
        return None
    try:
        parse_rfc3339(value["sent_at"])
    except ValueError:
        return None
    numbers = _numbers(value.get("numbers"))
    return Sent(value["sent_at"], numbers) if numbers is not None else None


def parse(document: Any, where: str) -> DeliveryState:
    """The state in a parsed deliveries.state.json; what is not understood is dropped and named."""
    state = DeliveryState()
    if not isinstance(document, dict) or not isinstance(document.get("deliveries"), dict):
        state.warnings.append(
            f"ignored {where}: not a deliveries file; `when: changed` deliveries send again."
        )
        return state
    dropped = 0
    for key, reports in list(document["deliveries"].items())[:MAX_DESTINATIONS]:
        if not isinstance(key, str) or not isinstance(reports, dict):
            dropped += 1
            continue
        for report_id, value in list(reports.items())[:MAX_REPORTS]:
            entry = _entry(value)
            if entry is None or not isinstance(report_id, str):
                dropped += 1
                continue
            state.record(key, report_id, entry)
    if dropped:
        state.warnings.append(
            f"dropped {dropped} unreadable entr{'y' if dropped == 1 else 'ies'} of {where}; "
            "those reports count as never sent."
        )
    return state


def read_folder(site: Path) -> DeliveryState:
    path = site / FILE
    if not path.is_file():
        return DeliveryState()
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        return DeliveryState(
            warnings=[f"ignored {path}: {exc}; `when: changed` deliveries send again."]
        )
    return parse(document, str(path))


def read_url(base_url: str) -> DeliveryState:
    """The state of a published site; a site without one (404) simply has none yet."""
    import requests  # only --history-from with a URL needs it

    from reportrunner.errors import ReportRunnerError
    from reportrunner.fetch.bounded import new_session
    from reportrunner.fetch.client import USER_AGENT
    from reportrunner.fetch.earlier import HttpStatus, get_json  # the same bounded, timed-out GET

    url = urljoin(base_url if base_url.endswith("/") else base_url + "/", FILE.as_posix())
    with new_session() as session:
        session.headers["User-Agent"] = USER_AGENT
        try:
            return parse(get_json(session, url), url)
        except HttpStatus as exc:
            if exc.status == 404:
                return DeliveryState()
            problem = str(exc)
        except (ValueError, ReportRunnerError) as exc:  # not JSON, too deep, too slow, too big
            problem = str(exc)
        except requests.RequestException as exc:
            problem = type(exc).__name__  # its text may quote the URL with credentials
    message = (
        f"--history-from: could not read {url} ({problem}); `when: changed` deliveries send again."
    )
    return DeliveryState(warnings=[redact(message)])


def read_previous(out: Path, history_from: str | None) -> DeliveryState:
    """The state of the site in `out`, else of `--history-from` (a folder or a URL)."""
    if (out / FILE).is_file() or not history_from:
        return read_folder(out)
    if urlsplit(history_from).scheme in ("http", "https"):
        return read_url(history_from)
    return read_folder(Path(history_from).expanduser())


def carry(previous_site: Path, writer: SiteWriter) -> None:
    """Carry the state into a site being built: parsed and written anew through the site's
    one writer, never copied as bytes, so only checked entries are published (a symlink or
    junk there publishes nothing)."""
    source = previous_site / FILE
    if source.is_symlink() or source.parent.is_symlink() or not source.is_file():
        return
    state = read_folder(previous_site)
    if state.sent:
        writer.json(FILE.parts, state.to_json(), 1)


def write(site: Path, state: DeliveryState) -> Path:
    """Write the state into a published site atomically (a reader never sees half a file)."""
    path = site / FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(
        json.dumps(state.to_json(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    temporary.replace(path)
    return path
