"""Loading the notifications file strictly and checking it like a rule file, every problem
(syntax, schema, receivers named but not declared, web addresses written in it) reported with
file:line:col.

A webhook address is a secret, so the file names the environment variable that holds it and
never the address: an address anywhere in the file is an error, and the line is shown with the
address masked.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from pydantic import ValidationError

from checker.alerts.masking import mask_urls
from checker.alerts.notifications_model import NotificationsFile
from checker.alerts.receivers import RECEIVER_NAME_PATTERN, AnyReceiver
from checker.common.diagnostics import Diagnostic, InputError
from checker.common.suggest import did_you_mean
from checker.rulebook.validation_errors import diagnostics_from_validation
from checker.rulebook.yaml_source import Location, SourceDocument, load_yaml

_RECEIVER_NAME = re.compile(RECEIVER_NAME_PATTERN)
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
    def receivers(self) -> dict[str, AnyReceiver]:
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
