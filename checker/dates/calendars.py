"""Business-day calendars: which days count as business days for an agreement.

An agreement may name a holiday calendar (`calendar: {country: DE, subdivision: BY}`); durations
written in business days (`10 business days`, `10bd`) then skip weekends and that calendar's public
holidays. `calendar: {country: none}` skips weekends (Saturday and Sunday) only. The holiday data comes from the maintained `holidays` library; its version is part of the
calendar's description so a report says which data it used.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from functools import cache
from importlib.metadata import version

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from checker.common.suggest import closest
from checker.dates.timeutil import count_business_days

HOLIDAYS_VERSION = version("holidays")
# The language codes holiday names are asked for in, first supported first.
ENGLISH = ("en_US", "en_GB", "en")
# `country: none`: business days are Monday to Friday, no public holidays.
NO_HOLIDAYS = "none"


@cache
def _supported() -> dict[str, list[str]]:
    import holidays  # noqa: PLC0415 - about 9 MB of tables, loaded only when a calendar is used

    return dict(holidays.list_supported_countries())


def _suggest(word: str, options: list[str]) -> str:
    match = closest(word.upper(), options)
    return f" (did you mean '{match}'?)" if match else ""


class CalendarSpec(BaseModel):
    """The holiday calendar an agreement's business days follow."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    country: str = Field(
        min_length=2,
        description="ISO 3166 country code whose public holidays apply, e.g. DE, GB, US; "
        "'none' for weekends only (Monday to Friday are business days)",
        examples=["DE"],
    )
    subdivision: str | None = Field(
        default=None,
        description="State, province or region code when holidays differ within the country, "
        "e.g. BY (Bavaria) or NY",
        examples=["BY"],
    )

    @field_validator("country")
    @classmethod
    def _none_in_any_case(cls, value: str) -> str:
        return NO_HOLIDAYS if value.lower() == NO_HOLIDAYS else value

    @model_validator(mode="after")
    def _known(self) -> CalendarSpec:
        if self.country == NO_HOLIDAYS:
            if self.subdivision is not None:
                raise ValueError("'country: none' (weekends only) takes no subdivision")
            return self
        supported = _supported()
        if self.country not in supported:
            raise ValueError(
                f"no holiday calendar for country '{self.country}'{_suggest(self.country, list(supported))}; "
                "use an ISO 3166 code such as DE, FR, GB or US, or 'none' for weekends only"
            )
        subdivisions = supported[self.country]
        if self.subdivision is not None and self.subdivision not in subdivisions:
            listed = ", ".join(subdivisions[:12]) + (", ..." if len(subdivisions) > 12 else "")
            raise ValueError(
                f"'{self.subdivision}' is not a subdivision of {self.country}"
                f"{_suggest(self.subdivision, subdivisions)}; known: {listed or 'none'}"
            )
        return self

    @property
    def label(self) -> str:
        """`DE-BY`, or `DE` without a subdivision: what findings record."""
        return self.country if self.subdivision is None else f"{self.country}-{self.subdivision}"


class BusinessCalendar:
    """Business days of one country (and subdivision): weekdays that are not public holidays."""

    def __init__(self, spec: CalendarSpec) -> None:
        self.spec = spec
        if spec.country == NO_HOLIDAYS:
            self._holidays: Mapping[date, str] = {}
            self._weekend = frozenset({5, 6})
            self._weekend_workdays: frozenset[date] = frozenset()
            return
        import holidays  # noqa: PLC0415 - see _supported

        # Holiday names in English whatever the machine's locale: left to the environment, the
        # library translates by LANG (German names in a container without it, and on Python 3.13,
        # whose gettext no longer reads the C locale as English).
        entity = holidays.country_holidays(spec.country, subdiv=spec.subdivision)
        english = next(
            (code for code in ENGLISH if code in entity.supported_languages),
            entity.default_language,
        )
        self._holidays = holidays.country_holidays(
            spec.country, subdiv=spec.subdivision, language=english
        )
        self._weekend = frozenset(self._holidays.weekend)
        self._weekend_workdays = frozenset(getattr(self._holidays, "weekend_workdays", ()))

    @property
    def label(self) -> str:
        return self.spec.label

    def describe(self) -> str:
        """`public holidays of DE-BY (holidays 0.109), weekends Sat-Sun`."""
        names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        weekend = "-".join(names[d] for d in sorted(self._weekend)) or "none"
        if self.spec.country == NO_HOLIDAYS:
            return f"no public holidays, weekend {weekend}"
        return f"public holidays of {self.label} (holidays {HOLIDAYS_VERSION}), weekend {weekend}"

    def holiday(self, day: date) -> str | None:
        """The public holiday's name on `day`, if it is one."""
        name = self._holidays.get(day)
        return None if name is None else str(name)

    def is_business_day(self, day: date) -> bool:
        if day in self._weekend_workdays:
            return True
        return day.weekday() not in self._weekend and self.holiday(day) is None

    def add_business_days(self, day: date, count: int) -> date:
        """The `count`-th business day after `day` (before it when negative); `day` itself never
        counts, so 1 business day after a Friday is the next Monday that is not a holiday."""
        return count_business_days(day, count, self.is_business_day)


@cache
def calendar_for(spec: CalendarSpec) -> BusinessCalendar:
    """One calendar object per spec per process (the holiday tables are built lazily per year)."""
    return BusinessCalendar(spec)
