"""The notifications file: who receives chat alerts, which findings go where, snoozes; loaded
strictly and checked like a rule file, every problem reported with file:line:col.

A notifications file (see notifications.example.yaml at the top of the repository)::

    receivers:
      legal:
        type: slack                    # slack, teams or webhook
        url_env: SLACK_LEGAL_WEBHOOK   # the environment variable that holds the webhook address
        min_severity: medium           # optional: less severe findings are not sent here
        max_items_per_digest: 50       # optional: findings listed per digest, the rest counted
    fallback: legal                    # findings no route takes, and undeliverable digests
    routes:
      - to: [legal]
        owner: [emea-legal]            # optional filters: owner, severity, kind, agreement
    reminder_days: [30, 7, 1]          # remind of a deadline this many days before it
    open_count_every: 7d               # how often to repeat the count of open findings
    snoozes:
      - agreement: globex-reseller-2025
        clause: "4.1"
        author: Maria Weber
        comment: Settled in the QBR, amendment being signed
        expires: 2026-12-31

A webhook address is a secret (whoever has it can post to the channel), so the file names the
environment variable that holds it and never the address: an address anywhere in the file is an
error, and the line is shown with the address masked.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from checker.alerts.masking import mask_urls
from checker.common.diagnostics import Diagnostic, InputError, Level
from checker.common.suggest import did_you_mean
from checker.common.text_checks import not_blank
from checker.findings.model import FindingKind, Severity
from checker.rulebook.agreement import Agreement
from checker.rulebook.validation_errors import diagnostics_from_validation
from checker.rulebook.yaml_source import Location, SourceDocument, load_yaml

RECEIVER_NAME_PATTERN = r"^[a-z0-9][a-z0-9_.-]*$"
ENVIRONMENT_VARIABLE_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]*$"
FINGERPRINT_PATTERN = r"^[0-9a-f]{20}$"
# `open_count_every` as text: a whole number of days or weeks.
INTERVAL_PATTERN = r"^\s*(\d+)\s*(d|days?|w|weeks?)\s*$"
# A first night can find thousands: a digest lists this many, counts the rest.
DEFAULT_MAX_ITEMS_PER_DIGEST = 50
_RECEIVER_NAME = re.compile(RECEIVER_NAME_PATTERN)
_ENVIRONMENT_VARIABLE = re.compile(ENVIRONMENT_VARIABLE_PATTERN)
_FINGERPRINT = re.compile(FINGERPRINT_PATTERN)
_INTERVAL = re.compile(INTERVAL_PATTERN)
_URL_HELP = (
    "a webhook address is a secret: put it in an environment variable (e.g. "
    "export SLACK_LEGAL_WEBHOOK='...') and name the variable here, as in "
    "'url_env: SLACK_LEGAL_WEBHOOK'"
)
_ADDRESS_ELSEWHERE_HELP = (
    "leave the address out (name the ticket or document instead); a webhook's address belongs "
    "in an environment variable named by its receiver's url_env"
)
_SHAPE_HELP = {
    "file is empty": "start with 'receivers:' and list who receives alerts under it",
    "the top level must be a mapping": "start with the line 'receivers:' and list who receives "
    "alerts under it",
}


def _as_list(value: Any) -> Any:
    """A single value written without brackets (`owner: emea-legal`) is a list of one."""
    return (
        [value] if isinstance(value, str | int | float) and not isinstance(value, bool) else value
    )


def _interval_days(value: Any) -> Any:
    """`7d`, `2w`, `14 days` -> whole days; other values are left for pydantic to reject."""
    if isinstance(value, str):
        match = _INTERVAL.match(value)
        if match is None:
            raise ValueError(f"'{value}' is not an interval in days or weeks (write e.g. 7d or 2w)")
        amount = int(match.group(1))
        return amount * 7 if match.group(2).startswith("w") else amount
    return value


OneOrMore = Annotated[list[str], BeforeValidator(_as_list)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Receiver(_Strict):
    url_env: str = Field(
        description="The environment variable holding the webhook address (never the address)",
        examples=["SLACK_LEGAL_WEBHOOK"],
    )
    min_severity: Severity = Field(
        default=Severity.INFO,
        description="Least severe finding sent here: critical, high, medium, low or info",
        examples=["medium"],
    )
    max_items_per_digest: int = Field(
        default=DEFAULT_MAX_ITEMS_PER_DIGEST,
        strict=True,
        ge=1,
        le=10_000,
        description="Most findings one digest lists (new ones, deadlines, resolved ones), the "
        "most severe and most recent first; the rest are counted at its end ('... and 120 "
        "more: see the report') and not sent again",
        examples=[50],
    )

    @field_validator("url_env")
    @classmethod
    def _environment_variable_name(cls, value: str) -> str:
        if not _ENVIRONMENT_VARIABLE.match(value):
            raise ValueError(
                f"'{value}' is not an environment variable name (letters, digits and _ only, "
                "e.g. SLACK_LEGAL_WEBHOOK)"
            )
        return value


class SlackReceiver(_Receiver):
    """A Slack channel's incoming webhook: Block Kit messages."""

    type: Literal["slack"] = Field(
        description="slack: a Slack channel's incoming webhook", examples=["slack"]
    )


class TeamsReceiver(_Receiver):
    """A Microsoft Teams channel's Workflows webhook: Adaptive Cards."""

    type: Literal["teams"] = Field(
        description="teams: a Microsoft Teams channel's Workflows webhook", examples=["teams"]
    )


class WebhookReceiver(_Receiver):
    """Any service taking a JSON POST: the digest as data."""

    type: Literal["webhook"] = Field(
        description="webhook: any service that takes a JSON POST", examples=["webhook"]
    )
    max_items: int = Field(
        default=50,
        strict=True,
        ge=1,
        le=10_000,
        description="Most findings in one message; a larger digest is split into several",
        examples=[50],
    )


Receiver = Annotated[SlackReceiver | TeamsReceiver | WebhookReceiver, Field(discriminator="type")]


class Route(_Strict):
    """Findings matching every filter given go to the receivers in `to`."""

    to: OneOrMore = Field(
        min_length=1, description="The receivers to send matching findings to", examples=["legal"]
    )
    owner: OneOrMore | None = Field(
        default=None, description="Only agreements with one of these owners", examples=["legal"]
    )
    severity: Annotated[list[Severity], BeforeValidator(_as_list)] | None = Field(
        default=None, description="Only findings of these severities", examples=["critical"]
    )
    kind: Annotated[list[FindingKind], BeforeValidator(_as_list)] | None = Field(
        default=None,
        description="Only these kinds of finding: breach, trigger, deadline, error",
        examples=["breach"],
    )
    agreement: OneOrMore | None = Field(
        default=None,
        description="Only findings of these agreements",
        examples=["globex-reseller-2025"],
    )


class Snooze(_Strict):
    """Findings kept out of chat until an expiry date (they stay in reports, marked)."""

    fingerprint: str | None = Field(
        default=None,
        description="The finding's fingerprint, as in the JSON report",
        examples=["3f2a9c0d1e2b4a5c6d7e"],
    )
    agreement: str | None = Field(
        default=None,
        description="Every finding of this agreement (or of one clause of it)",
        examples=["globex-reseller-2025"],
    )
    clause: str | None = Field(
        default=None, description='Only this clause of the agreement, e.g. "4.1"', examples=["4.1"]
    )
    author: str = Field(description="Who snoozed it", examples=["Maria Weber"])
    comment: str = Field(description="Why", examples=["Settled in the QBR, amendment being signed"])
    expires: date = Field(description="Last day of the snooze", examples=["2026-12-31"])

    @field_validator("fingerprint")
    @classmethod
    def _fingerprint_shape(cls, value: str | None) -> str | None:
        if value is not None and not _FINGERPRINT.match(value):
            raise ValueError(
                f"'{value}' is not a fingerprint (20 characters 0-9 and a-f, as in the "
                "'fingerprint' field of the JSON report)"
            )
        return value

    _not_blank = field_validator("agreement", "clause", "author", "comment")(
        lambda cls, value: not_blank(value)
    )

    @model_validator(mode="after")
    def _one_target(self) -> Snooze:
        if self.clause is not None and self.agreement is None:
            raise ValueError("'clause:' needs the 'agreement:' it belongs to")
        if self.fingerprint is None and self.agreement is None:
            raise ValueError(
                "a snooze names what it snoozes: a 'fingerprint:', or an 'agreement:' "
                "(with an optional 'clause:')"
            )
        if self.fingerprint is not None and self.agreement is not None:
            raise ValueError(
                "a snooze names either a 'fingerprint:' or an 'agreement:', not both; "
                "write two snoozes for two things"
            )
        return self


class Delivery(_Strict):
    """How hard to try: attempts per message, waits between them, the time allowed per attempt."""

    attempts: int = Field(
        default=5,
        strict=True,
        ge=1,
        le=20,
        description="Attempts per message in one run",
        examples=[5],
    )
    first_retry_seconds: float = Field(
        default=2,
        strict=True,
        ge=0,
        le=600,
        description="Wait before the second attempt; doubled before each further one",
        examples=[2],
    )
    max_wait_seconds: float = Field(
        default=300,
        strict=True,
        ge=0,
        le=3600,
        description="Longest wait, also for a service that asks to wait (HTTP 429); "
        "a longer request leaves the message for the next run",
        examples=[300],
    )
    timeout_seconds: float = Field(
        default=10,
        strict=True,
        gt=0,
        le=300,
        description="Time allowed for one attempt",
        examples=[10],
    )


class NotificationsFile(_Strict):
    """The top level of a notifications file."""

    receivers: dict[str, Receiver] = Field(
        min_length=1,
        description="Who receives alerts, by name: a Slack, Teams or generic webhook each",
        examples=[
            {
                "legal": {
                    "type": "slack",
                    "url_env": "SLACK_LEGAL_WEBHOOK",
                    "min_severity": "medium",
                }
            }
        ],
    )
    fallback: str = Field(
        description="The receiver of findings no route takes and of digests that could not be "
        "delivered",
        examples=["legal"],
    )
    routes: list[Route] = Field(
        default_factory=list,
        description="Which findings go to which receivers; a finding goes to every route it "
        "matches",
        examples=[[{"to": ["legal"], "owner": ["emea-legal"]}]],
    )
    reminder_days: list[Annotated[int, Field(strict=True, ge=0, le=3660)]] = Field(
        default_factory=lambda: [30, 7, 1],
        description="Remind of a deadline this many days before it falls due",
        examples=[[30, 7, 1]],
    )
    open_count_every: Annotated[int, BeforeValidator(_interval_days), Field(strict=True, ge=1)] = (
        Field(
            default=7,
            description="How often the count of still-open findings is repeated, e.g. 7d or 2w",
            examples=["7d"],
        )
    )
    delivery: Delivery = Field(
        default_factory=Delivery,
        description="How hard to try to deliver each message (optional: these are the defaults)",
        examples=[
            {
                "attempts": 5,
                "first_retry_seconds": 2,
                "max_wait_seconds": 300,
                "timeout_seconds": 10,
            }
        ],
    )
    snoozes: list[Snooze] = Field(
        default_factory=list,
        description="Findings kept out of chat until a date (they stay in reports, marked)",
        examples=[
            [
                {
                    "agreement": "globex-reseller-2025",
                    "clause": "4.1",
                    "author": "Maria Weber",
                    "comment": "Settled in the QBR, amendment being signed",
                    "expires": "2026-12-31",
                }
            ]
        ],
    )

    @field_validator("reminder_days")
    @classmethod
    def _largest_first(cls, value: list[int]) -> list[int]:
        return sorted(set(value), reverse=True)


class Notifications:
    """A loaded notifications file: the validated model and where each snooze was written."""

    def __init__(
        self,
        path: str,
        model: NotificationsFile,
        snooze_lines: list[int],
        document: SourceDocument | None = None,
    ) -> None:
        self.path = path
        self.model = model
        self.snooze_lines = snooze_lines  # 1-based line of each snooze, in order
        self.document = document  # for positions of later checks (None when built in code)

    @property
    def receivers(self) -> dict[str, SlackReceiver | TeamsReceiver | WebhookReceiver]:
        return self.model.receivers


def load_notifications(path: str) -> Notifications:
    """Load and check the notifications file at `path`.

    Raises `InputError` listing every problem found (syntax, schema, receivers named but not
    declared, web addresses written in the file), each at its file:line:col.
    """
    try:
        document = load_yaml(path)
    except InputError as error:
        raise InputError([_masked(_with_help(d)) for d in error.diagnostics]) from error
    address_problems = _written_addresses(document, document.data, ())
    addressed = {path for path, _ in address_problems}
    problems = [problem for _, problem in address_problems]
    model: NotificationsFile | None = None
    try:
        model = NotificationsFile.model_validate(document.data)
    except ValidationError as error:
        problems.extend(
            diagnostics_from_validation(document, error, NotificationsFile, superseded=addressed)
        )
    problems.extend(_receiver_references(document))
    if problems or model is None:
        unique = dict.fromkeys(_masked(problem) for problem in problems)
        raise InputError(sorted(unique, key=lambda d: (d.line, d.column, d.message)))
    snooze_lines = [
        document.value_position_of(("snoozes", index)).line for index in range(len(model.snoozes))
    ]
    return Notifications(path, model, snooze_lines, document)


def check_notifications(path: str, agreements: Sequence[Agreement]) -> list[Diagnostic]:
    """Every problem in the notifications file at `path`, and warnings for what it names that
    the rule files do not have: what `contract-checker validate --notifications` reports."""
    try:
        loaded = load_notifications(path)
    except InputError as error:
        return error.diagnostics
    return rule_references(loaded, agreements)


def rule_references(
    notifications: Notifications, agreements: Sequence[Agreement]
) -> list[Diagnostic]:
    """A warning for each agreement, clause or owner the file names that no rule file has: a
    route or snooze naming one would never apply (`contract-checker validate --notifications`)."""
    document = notifications.document
    if document is None:
        return []
    by_id = {agreement.agreement: agreement for agreement in agreements}
    owners = sorted({agreement.owner for agreement in agreements})
    named: list[tuple[Location, str, list[str], str]] = []
    for index, route in enumerate(notifications.model.routes):
        for field_name, values, known, missing in (
            ("agreement", route.agreement, list(by_id), "no rule file has the agreement"),
            ("owner", route.owner, owners, "no agreement has the owner"),
        ):
            for position, value in enumerate(values or []):
                raw = document.data["routes"][index][field_name]
                where: Location = ("routes", index, field_name)
                if isinstance(raw, list):
                    where = (*where, position)
                named.append((where, value, known, f"{missing} '{value}'"))
    for index, snooze in enumerate(notifications.model.snoozes):
        if snooze.agreement is None:
            continue
        agreement = by_id.get(snooze.agreement)
        if agreement is None:
            named.append(
                (
                    ("snoozes", index, "agreement"),
                    snooze.agreement,
                    list(by_id),
                    f"no rule file has the agreement '{snooze.agreement}'",
                )
            )
        elif snooze.clause is not None:
            clauses = [clause.id for clause in agreement.all_clauses] + ["term"]
            if snooze.clause not in clauses:
                named.append(
                    (
                        ("snoozes", index, "clause"),
                        snooze.clause,
                        clauses,
                        f"agreement '{snooze.agreement}' has no clause '{snooze.clause}'",
                    )
                )
    found = [
        document.diagnostic(
            document.value_position_of(where),
            f"{message}, so this would never apply",
            did_you_mean(value, known),
            Level.WARNING,
        )
        for where, value, known, message in named
        if value not in known
    ]
    return sorted(found, key=lambda d: (d.line, d.column))


def _written_addresses(
    document: SourceDocument, node: Any, location: Location
) -> list[tuple[Location, Diagnostic]]:
    """An error for every web address written in the file, wherever it is."""
    found: list[tuple[Location, Diagnostic]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            found.extend(_written_addresses(document, value, (*location, key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found.extend(_written_addresses(document, value, (*location, index)))
    elif isinstance(node, str) and "://" in node:
        in_url_env = bool(location) and location[-1] == "url_env"
        found.append(
            (
                location,
                document.diagnostic(
                    document.value_position_of(location),
                    "a web address is written here; webhook addresses must not be written in "
                    "the notifications file",
                    _URL_HELP if in_url_env else _ADDRESS_ELSEWHERE_HELP,
                ),
            )
        )
    return found


def _receiver_references(document: SourceDocument) -> list[Diagnostic]:
    """An error for each receiver named in `fallback` or a route's `to` but not declared, and for
    each declared name that is not a valid receiver name. Works on the loaded data, so that these
    are reported together with any schema problems."""
    data = document.data if isinstance(document.data, dict) else {}
    receivers = data.get("receivers")
    if not isinstance(receivers, dict):
        return []  # the schema check reports a missing or misshapen receivers section
    declared = list(receivers)
    named: list[tuple[Location, object]] = []
    if "fallback" in data:
        named.append((("fallback",), data["fallback"]))
    routes = data.get("routes")
    for index, route in enumerate(routes if isinstance(routes, list) else []):
        targets = route.get("to") if isinstance(route, dict) else None
        if isinstance(targets, list):
            named.extend((("routes", index, "to", n), name) for n, name in enumerate(targets))
        elif targets is not None:
            named.append((("routes", index, "to"), targets))
    problems = []
    for location, name in named:
        if not isinstance(name, str) or name in receivers:
            continue  # a name that is not text is the schema check's to report
        problems.append(
            document.diagnostic(
                document.value_position_of(location),
                f"no receiver is called '{name}'",
                did_you_mean(name, declared) or f"the receivers are: {', '.join(declared)}",
            )
        )
    for name in declared:
        if not _RECEIVER_NAME.match(name):
            problems.append(
                document.diagnostic(
                    document.position_of(("receivers", name)),
                    f"'{name}' is not a valid receiver name",
                    "use lower-case letters, digits, '.', '_' and '-', e.g. legal-slack",
                )
            )
    return problems


def _masked(diagnostic: Diagnostic) -> Diagnostic:
    """The diagnostic with any web address in its text masked: the shown line may hold one."""
    return replace(
        diagnostic,
        message=mask_urls(diagnostic.message),
        help=None if diagnostic.help is None else mask_urls(diagnostic.help),
        snippet=None if diagnostic.snippet is None else mask_urls(diagnostic.snippet),
    )


def _with_help(diagnostic: Diagnostic) -> Diagnostic:
    """The loader's problem, with help for a notifications file where its help is about rule
    files."""
    for start, help_text in _SHAPE_HELP.items():
        if diagnostic.message.startswith(start):
            return replace(diagnostic, help=help_text)
    return diagnostic
