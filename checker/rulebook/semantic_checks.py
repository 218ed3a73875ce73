"""Checks on what a rule file means, beyond its schema: each problem positioned at its key or value.

The schema (the pydantic models) says whether each value is well formed. These checks say whether
the values make sense together:

* clause ids are unique (the error points at the second use and names the line of the first);
* windows close after they open: `opens`/`closes` dates, `opens_before`/`closes_before` durations,
  the agreement's own `effective`/`expires`, and the time to give notice of non-renewal in a
  renewing term's first term;
* dates lie within the agreement's term (for a renewing term: not before `effective`);
* amendments take effect while the agreement is in force;
* fact types and fact fields a clause names are in the fact-type catalogue (warnings). Fields are
  those tested in `where`/`unless`, and those named by any setting called `field`, `match_on` or
  `<something>_field` (written, or left to its default): such a setting names fields of the fact
  patterns in the nearest mapping around it that has any (`price.field` of the price pattern,
  `monthly_cap.field` of the clause's transfers, `match_on` of both patterns of its clause).

The checks read the loaded YAML data, guided by the models' field types, instead of validated
models: a clause with a misspelt key still has its dates and fact types checked, and so does every
clause after it. They look only at values that are themselves well formed, so a malformed value
is reported once, by the schema.

Errors and warnings, and why:

* a milestone due outside the term, a window wholly outside it, an amendment taking effect before
  the agreement starts or after it ends, `checked_from` after the term: **errors**, because the
  tool would silently never check (or never apply) what the author wrote;
* a window partly outside the term, `checked_from` before the term starts, any other clause date
  outside the term: **warnings**, because the tool does something sensible (it checks the part
  inside the term, or the option has no effect) and the date may be what the contract says;
* unknown fact types and fields: **warnings**, because the catalogue may simply be behind the
  facts; an author should look, but the agreement can still be evaluated.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Literal, TypeGuard, get_args, get_origin

from pydantic import BaseModel, TypeAdapter, ValidationError

from checker.clauses.base import Amendment, Clause
from checker.clauses.patterns import FACT_TYPE_PATTERN, FIELD_NAME_PATTERN, FactPattern
from checker.common.diagnostics import Diagnostic, Level
from checker.common.suggest import did_you_mean
from checker.dates.timeutil import WEEKDAYS_ONLY, Duration, epoch_of_date, parse_duration
from checker.rulebook.agreement import Agreement
from checker.rulebook.fact_catalog import FactCatalogue
from checker.rulebook.validation_errors import concrete_types
from checker.rulebook.yaml_source import Location, SourceDocument

# Settings that name fact fields: `field`, `match_on` and any `<something>_field`.
FIELD_SETTINGS = frozenset({"field", "match_on"})
FIELD_SETTING_SUFFIX = "_field"

_DATE = TypeAdapter(date)
_REFERENCE_DAY = epoch_of_date(date(2001, 1, 1))


@dataclass(frozen=True, slots=True)
class SemanticReport:
    """What the checks found in one rule file.

    `superseded` holds the data paths where a model's own validator would report, less precisely,
    a problem these checks have reported (see `diagnostics_from_validation`).
    """

    diagnostics: list[Diagnostic]
    superseded: frozenset[Location]


def check_agreement_file(
    document: SourceDocument, catalogue: FactCatalogue | None
) -> SemanticReport:
    """Every semantic problem in the agreement loaded as `document`."""
    checks = _Checks(document, catalogue)
    if isinstance(document.data, dict):
        checks.run()
    return SemanticReport(checks.diagnostics, frozenset(checks.superseded))


# What the walk over the data finds ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _PatternUse:
    """A fact pattern: written in the file, or a kind's default (then `path` is where it would be)."""

    path: Location
    fact_type: str
    written: bool
    tested: tuple[tuple[str, Location], ...] = ()  # fields in `where`/`unless`, with key paths


@dataclass(frozen=True, slots=True)
class _FieldSetting:
    """A setting that names fact fields (`match_on`, `name_field`...), written or by default."""

    owner: Location  # the mapping that holds it
    scope: Location  # the clause it belongs to: patterns outside it are not its targets
    key: str
    names: tuple[tuple[str, Location], ...]  # each field named, with where it is written
    written: bool


@dataclass(slots=True)
class _Found:
    """Everything the walk found in one rule file, each with its data path."""

    patterns: list[_PatternUse] = field(default_factory=list)
    settings: list[_FieldSetting] = field(default_factory=list)
    dates: list[tuple[Location, date]] = field(default_factory=list)
    windows: list[tuple[Location, dict[str, Any]]] = field(default_factory=list)
    durations: list[tuple[Location, Duration]] = field(default_factory=list)
    clause_kinds: dict[Location, type[Clause]] = field(default_factory=dict)  # by clause path


def _walk(found: _Found, value: Any, annotation: Any, path: Location, scope: Location) -> None:
    """Record what `value` (raw data at `path`, declared as `annotation`) holds."""
    options = concrete_types(annotation)
    if isinstance(value, dict):
        model = _model_for(value, options)
        if model is not None:
            _walk_model(found, value, model, path, scope)
    elif isinstance(value, list):
        for option in options:
            if get_origin(option) in (list, tuple) and get_args(option):
                item_type = get_args(option)[0]
                for index, item in enumerate(value):
                    _walk(found, item, item_type, (*path, index), scope)
                return
    elif date in options and isinstance(value, str):
        day = _as_date(value)
        if day is not None:
            found.dates.append((path, day))
    elif Duration in options:
        duration = _as_duration(value)
        if duration is not None:
            found.durations.append((path, duration))


def _walk_model(
    found: _Found, value: dict[str, Any], model: type[BaseModel], path: Location, scope: Location
) -> None:
    """Record what the mapping `value`, read as `model`, holds: its written fields and the
    defaults it leaves to the model (only patterns and field settings matter here)."""
    if issubclass(model, Clause):
        scope = path
        found.clause_kinds[path] = model
    if issubclass(model, FactPattern):
        found.patterns.extend(_written_pattern(value, path))
    if any(key.startswith("opens") for key in value):
        found.windows.append((path, value))
    fields = dict(model.model_fields)
    amendment = issubclass(model, Amendment)
    if amendment:
        # An amendment's other keys replace the clause's fields of the same names.
        clause_kind = found.clause_kinds.get(scope)
        if clause_kind is not None:
            fields = {**clause_kind.model_fields, **fields}
    for name, info in fields.items():
        key = info.alias or name
        child = (*path, key)
        if key in value:
            if _names_fields(key):
                found.settings.extend(_written_setting(value[key], key, child, path, scope))
            _walk(found, value[key], info.annotation, child, scope)
        elif not amendment and not info.is_required():
            _record_default(found, _default_of(model, name), key, path, scope)


@functools.cache
def _default_of(model: type[BaseModel], name: str) -> Any:
    """A field's default, once per model and field (pydantic inspects the factory each call)."""
    return model.model_fields[name].get_default(call_default_factory=True)


def _record_default(found: _Found, default: Any, key: str, path: Location, scope: Location) -> None:
    """A kind's default pattern or field setting: what the clause uses when the file is silent."""
    child = (*path, key)
    defaults = default if isinstance(default, list) else [default]
    for index, item in enumerate(defaults):
        if isinstance(item, FactPattern):
            where = child if not isinstance(default, list) else (*child, index)
            found.patterns.append(_PatternUse(where, item.fact, written=False))
    if _names_fields(key) and default:
        names = tuple((name, child) for name in defaults if isinstance(name, str))
        found.settings.append(_FieldSetting(path, scope, key, names, written=False))


def _written_pattern(value: dict[str, Any], path: Location) -> Iterator[_PatternUse]:
    fact_type = value.get("fact")
    if not isinstance(fact_type, str) or not re.match(FACT_TYPE_PATTERN, fact_type):
        return  # a missing or malformed fact type is the schema's to report
    tested: list[tuple[str, Location]] = []
    where = value.get("where")
    if isinstance(where, dict):
        tested.extend((name, (*path, "where", name)) for name in where)
    carve_outs = value.get("unless")
    if isinstance(carve_outs, dict):
        tested.extend((name, (*path, "unless", name)) for name in carve_outs)
    elif isinstance(carve_outs, list):
        for index, entry in enumerate(carve_outs):
            if isinstance(entry, dict):
                tested.extend((name, (*path, "unless", index, name)) for name in entry)
    well_formed = tuple(item for item in tested if _is_field_name(item[0]))
    yield _PatternUse(path, fact_type, written=True, tested=well_formed)


def _written_setting(
    value: Any, key: str, path: Location, owner: Location, scope: Location
) -> Iterator[_FieldSetting]:
    items: list[tuple[Any, Location]]
    if isinstance(value, str):
        items = [(value, path)]
    elif isinstance(value, list):
        items = [(item, (*path, index)) for index, item in enumerate(value)]
    else:
        return
    names = tuple((name, where) for name, where in items if _is_field_name(name))
    if names:
        yield _FieldSetting(owner, scope, key, names, written=True)


def _names_fields(key: str) -> bool:
    return key in FIELD_SETTINGS or key.endswith(FIELD_SETTING_SUFFIX)


def _is_field_name(name: object) -> TypeGuard[str]:
    return isinstance(name, str) and re.match(FIELD_NAME_PATTERN, name) is not None


def _model_for(value: dict[str, Any], options: list[Any]) -> type[BaseModel] | None:
    """The model among `options` that describes `value`: the only one, or the one whose tag
    (a `Literal` field such as a clause's `kind`) has the value's value."""
    models: list[type[BaseModel]] = [option for option in options if _is_model(option)]
    if len(models) == 1:
        return models[0]
    for model in models:
        for name, info in model.model_fields.items():
            tags = get_args(info.annotation) if get_origin(info.annotation) is Literal else ()
            if tags and value.get(info.alias or name) in tags:
                return model
    return None


def _is_model(option: Any) -> TypeGuard[type[BaseModel]]:
    return isinstance(option, type) and issubclass(option, BaseModel)


def _as_date(value: Any) -> date | None:
    """`value` as the schema would read a date, or None if it is not one."""
    if not isinstance(value, str):
        return None
    try:
        return _DATE.validate_python(value)
    except ValidationError:
        return None


def _as_duration(value: Any) -> Duration | None:
    if not isinstance(value, str | int) or isinstance(value, bool):
        return None
    try:
        return parse_duration(str(value))
    except ValueError:
        return None


# The checks -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Term:
    """The agreement's term as the file states it; `last_day` None: renewing, or not known."""

    effective: date
    last_day: date | None


class _Checks:
    def __init__(self, document: SourceDocument, catalogue: FactCatalogue | None) -> None:
        self.document = document
        self.catalogue = catalogue
        self.diagnostics: list[Diagnostic] = []
        self.superseded: set[Location] = set()

    def run(self) -> None:
        data: dict[str, Any] = self.document.data
        found = _Found()
        _walk_model(found, data, Agreement, (), ())
        self._unique_clause_ids(data)
        self._business_days_have_a_calendar(data, found)
        term = self._term(data)
        self._windows(found, term)
        if term is not None:
            self._dates(found, term)
        if self.catalogue is not None:
            self._fact_types(found, self.catalogue)
            self._field_settings(found, self.catalogue)

    # -- reporting

    def _report(
        self, path: Location, message: str, help_text: str, level: Level = Level.ERROR
    ) -> None:
        """A problem with the value at `path` (a data path), reported where the value starts."""
        position = self.document.value_position_of(path)
        self.diagnostics.append(self.document.diagnostic(position, message, help_text, level))

    def _report_key(
        self, path: Location, message: str, help_text: str, level: Level = Level.ERROR
    ) -> None:
        """A problem with the key at the end of `path` (a field name in `where`, a clause's id)."""
        position = self.document.position_of(path)
        self.diagnostics.append(self.document.diagnostic(position, message, help_text, level))

    def _supersede_window(self, path: Location) -> None:
        """A window's own validator reports its order at the window; inside an amendment, the
        clause's amendment validator reports it at the clause."""
        if "amended" in path:
            self.superseded.add(path[: path.index("amended")])
        else:
            self.superseded.add(path)

    def _value_at(self, path: Location) -> Any:
        """The raw value at `path`, or None where there is none."""
        node: Any = self.document.data
        for part in path:
            if isinstance(node, dict) and isinstance(part, str):
                node = node.get(part)
            elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
                node = node[part]
            else:
                return None
        return node

    # -- clause ids

    def _unique_clause_ids(self, data: dict[str, Any]) -> None:
        clauses = data.get("clauses")
        if not isinstance(clauses, list):
            return
        first_line: dict[str, int] = {}
        for index, clause in enumerate(clauses):
            clause_id = clause.get("id") if isinstance(clause, dict) else None
            if not isinstance(clause_id, str) or not clause_id:
                continue
            path: Location = ("clauses", index, "id")
            line = self.document.position_of(path).line
            if clause_id not in first_line:
                first_line[clause_id] = line
                continue
            self._report_key(
                path,
                f"clause id '{clause_id}' is already used by the clause on line "
                f"{first_line[clause_id]}",
                'give every clause its own id, its number in the contract (e.g. "4.1", "4.2")',
            )
            self.superseded.add(("clauses",))

    # -- business days

    def _business_days_have_a_calendar(self, data: dict[str, Any], found: _Found) -> None:
        if "calendar" in data:
            return
        counted = [(path, d) for path, d in found.durations if d.in_business_days]
        for path, duration in counted:
            self._report(
                path,
                f"'{duration}' is counted in business days, but the agreement has no 'calendar' "
                "saying whose public holidays to skip",
                "add a top-level 'calendar:', e.g. 'calendar: {country: DE}' or "
                "'calendar: {country: DE, subdivision: BY}'; or write the duration in days",
            )
        if counted and ("expires" in data) != ("term" in data):
            # The model's own check says the same at the top of the file; with exactly one of
            # `expires`/`term` it is the only thing the model reports there.
            self.superseded.add(())

    # -- the term and windows

    def _term(self, data: dict[str, Any]) -> _Term | None:
        effective = _as_date(data.get("effective"))
        if effective is None:
            return None
        if "expires" not in data or "term" in data:
            if "expires" not in data and isinstance(data.get("term"), dict):
                self._notice_window(data["term"], effective)
            return _Term(effective, None)
        expires = _as_date(data.get("expires"))
        if expires is None:
            return _Term(effective, None)
        if expires < effective:
            self._report(
                ("expires",),
                f"the agreement expires on {expires}, before it starts on {effective}",
                "'effective' is the agreement's first day and 'expires' its last: check both",
            )
            # With a fixed term, the model's term check reports exactly this (at the top).
            self.superseded.add(())
            return None
        return _Term(effective, expires)

    def _notice_window(self, term: dict[str, Any], effective: date) -> None:
        """Notice of non-renewal must be possible during the first term: the last day to give
        it (`non_renewal_notice` before the first term's last day) must not be before
        `effective`."""
        initial = _as_duration(term.get("initial"))
        notice = _as_duration(term.get("non_renewal_notice"))
        if initial is None or notice is None:
            return
        # Business days count as weekdays here: the holiday calendar moves the day by little.
        last_day = initial.add_to_date(effective, WEEKDAYS_ONLY) - timedelta(days=1)
        notice_by = notice.negated().add_to_date(last_day, WEEKDAYS_ONLY)
        if notice_by < effective:
            self._report(
                ("term", "non_renewal_notice"),
                f"notice of non-renewal would be due by {notice_by}, before the agreement starts "
                f"on {effective}: {notice} is longer than the first term ({initial})",
                "check 'non_renewal_notice' and 'initial' against the contract",
            )

    def _windows(self, found: _Found, term: _Term | None) -> None:
        for path, window in found.windows:
            opens, closes = _as_date(window.get("opens")), _as_date(window.get("closes"))
            if opens is not None and closes is not None:
                if closes < opens:
                    self._report(
                        (*path, "closes"),
                        f"this window closes on {closes}, before it opens on {opens}",
                        "'opens' is the window's first day and 'closes' its last: check both "
                        "dates against the contract",
                    )
                    self._supersede_window(path)
                elif term is not None:
                    self._window_in_term(path, opens, closes, term)
            opens_before = _as_duration(window.get("opens_before"))
            closes_before = _as_duration(window.get("closes_before"))
            if opens_before is not None and closes_before is not None:
                # Business days count as weekdays here: the holiday calendar makes no difference
                # to which of two durations is longer.
                opens_at = opens_before.before(_REFERENCE_DAY, WEEKDAYS_ONLY)
                closes_at = closes_before.before(_REFERENCE_DAY, WEEKDAYS_ONLY)
                if closes_at < opens_at:
                    self._report(
                        (*path, "closes_before"),
                        f"this window closes {closes_before} before the anniversary, earlier "
                        f"than it opens ({opens_before} before)",
                        "'opens_before' is how long before the anniversary the window opens; "
                        "'closes_before' must be shorter (e.g. opens_before: 90d, "
                        "closes_before: 30d)",
                    )
                    self._supersede_window(path)

    def _window_in_term(self, path: Location, opens: date, closes: date, term: _Term) -> None:
        effective, last_day = term.effective, term.last_day
        if closes < effective:
            self._report(
                (*path, "closes"),
                f"this window closes on {closes}, before the agreement starts on {effective}: "
                "it is never open during the agreement",
                "check the year of both dates against the contract",
            )
        elif last_day is not None and opens > last_day:
            self._report(
                (*path, "opens"),
                f"this window opens on {opens}, after the agreement ends on {last_day}: "
                "it is never open during the agreement",
                "check the year of both dates against the contract",
            )
        else:
            if opens < effective:
                self._report(
                    (*path, "opens"),
                    f"this window opens on {opens}, before the agreement starts on {effective}; "
                    f"only the part from {effective} is checked",
                    "check the date against the contract",
                    Level.WARNING,
                )
            if last_day is not None and closes > last_day:
                self._report(
                    (*path, "closes"),
                    f"this window closes on {closes}, after the agreement ends on {last_day}; "
                    f"only the part up to {last_day} is checked",
                    "check the date against the contract",
                    Level.WARNING,
                )

    # -- dates within the term

    def _dates(self, found: _Found, term: _Term) -> None:
        for path, day in found.dates:
            name = path[-1]
            if len(path) == 1 or name in ("opens", "closes"):
                continue  # the term itself; windows are checked as a whole
            if name == "effective" and len(path) >= 3 and path[-3] == "amended":
                self._amendment_date(path, day, term)
            elif name == "due":
                self._due_date(path, day, term)
            elif name == "checked_from":
                self._checked_from(path, day, term)
            else:
                self._other_date(path, day, term)

    def _amendment_date(self, path: Location, day: date, term: _Term) -> None:
        if day < term.effective:
            self._report(
                path,
                f"this amendment takes effect on {day}, before the agreement starts on "
                f"{term.effective}",
                "an amendment changes the terms from a day on which the agreement is in force: "
                "check the amendment's date",
            )
        elif term.last_day is not None and day > term.last_day:
            self._report(
                path,
                f"this amendment takes effect on {day}, after the agreement ends on "
                f"{term.last_day}, so its changes would never apply",
                "check the amendment's date, or the agreement's 'expires' if the amendment "
                "extended the agreement",
            )

    def _due_date(self, path: Location, day: date, term: _Term) -> None:
        if day < term.effective:
            where = f"before the agreement starts on {term.effective}"
        elif term.last_day is not None and day > term.last_day:
            where = f"after the agreement ends on {term.last_day}"
        else:
            return
        name = self._value_at((*path[:-1], "name"))
        subject = f"'{name}'" if isinstance(name, str) else "this"
        self._report(
            path,
            f"{subject} is due on {day}, {where}, so it would never be checked",
            "check the date against the contract (often the year is wrong)",
        )

    def _checked_from(self, path: Location, day: date, term: _Term) -> None:
        if day < term.effective:
            self._report(
                path,
                f"'checked_from' is {day}, before the agreement starts on {term.effective}, "
                "so it has no effect",
                "every period of the agreement is checked anyway: correct the date or remove "
                "'checked_from'",
                Level.WARNING,
            )
        elif term.last_day is not None and day > term.last_day:
            self._report(
                path,
                f"'checked_from' is {day}, after the agreement ends on {term.last_day}, so no "
                "period would ever be checked",
                "periods that end before 'checked_from' are skipped: correct the date",
            )

    def _other_date(self, path: Location, day: date, term: _Term) -> None:
        if day < term.effective:
            where = f"before the agreement starts on {term.effective}"
        elif term.last_day is not None and day > term.last_day:
            where = f"after the agreement ends on {term.last_day}"
        else:
            return
        self._report(
            path,
            f"{day} is {where}",
            "the clause applies only while the agreement is in force: check the date",
            Level.WARNING,
        )

    # -- fact types and fields

    def _fact_types(self, found: _Found, catalogue: FactCatalogue) -> None:
        for use in found.patterns:
            if not use.written:
                continue
            if not catalogue.knows(use.fact_type):
                self._report(
                    (*use.path, "fact"),
                    f"unknown fact type '{use.fact_type}'",
                    did_you_mean(use.fact_type, catalogue.type_names())
                    or f"no fact type in {catalogue.path} is like it; if facts of this type "
                    "exist, add it there with its fields",
                    Level.WARNING,
                )
                continue
            for name, key_path in use.tested:
                if catalogue.has_field(use.fact_type, name):
                    continue
                self._report_key(
                    key_path,
                    f"fact type '{use.fact_type}' has no field '{name}'",
                    _field_help(catalogue, [use.fact_type], name),
                    Level.WARNING,
                )

    def _field_settings(self, found: _Found, catalogue: FactCatalogue) -> None:
        for setting in found.settings:
            targets = [use for use in _targets(found, setting) if catalogue.knows(use.fact_type)]
            for name, path in setting.names:
                lacking = [use for use in targets if not catalogue.has_field(use.fact_type, name)]
                if not lacking:
                    continue
                if setting.written:
                    types = sorted({use.fact_type for use in lacking})
                    self._report(
                        path,
                        f"'{name}' is not a field of {' or '.join(types)}",
                        _field_help(catalogue, types, name),
                        Level.WARNING,
                    )
                    continue
                for use in lacking:
                    if not use.written:
                        continue  # a default on a default: the catalogue's own test covers it
                    fields = ", ".join(catalogue.fields_of(use.fact_type))
                    self._report(
                        (*use.path, "fact"),
                        f"fact type '{use.fact_type}' has no field '{name}', which "
                        f"'{setting.key}' names when it is not set",
                        f"add '{setting.key}:' with the field that {use.fact_type} facts use "
                        f"(their fields: {fields})",
                        Level.WARNING,
                    )


def _targets(found: _Found, setting: _FieldSetting) -> list[_PatternUse]:
    """The patterns a field setting applies to: those in the nearest mapping around it (itself
    first) that holds any, within its clause."""
    prefix = setting.owner
    while True:
        inside = [use for use in found.patterns if use.path[: len(prefix)] == prefix]
        if inside or len(prefix) <= len(setting.scope):
            return inside
        prefix = prefix[:-1]


def _field_help(catalogue: FactCatalogue, fact_types: list[str], name: str) -> str:
    common = [
        field_name
        for field_name in catalogue.fields_of(fact_types[0])
        if all(catalogue.has_field(other, field_name) for other in fact_types[1:])
    ]
    suggestion = did_you_mean(name, common)
    if suggestion:
        return suggestion
    return (
        f"fields of {' and '.join(fact_types)}: {', '.join(common)}; if these facts do carry "
        f"'{name}', add it to {catalogue.path}"
    )
