"""Which norms a norm depends on: a reference to a clause names all its norms (a kind's further
norms, the versions of an amended clause), and norms are worked out after those they read."""

from __future__ import annotations

from collections.abc import Mapping

from checker.norms.model import MeasureTerms, NormTerms, ObligationTerms, OnBreach, RightTerms
from checker.norms.outcomes import NormError


def clause_of(key: str) -> str:
    """The clause a norm belongs to: `7.1` for the norms `7.1`, `7.1#2`... of one clause."""
    return key.split("#", 1)[0]


def clause_parts(norms: Mapping[str, NormTerms]) -> dict[str, list[str]]:
    """Each clause's norms, in order: a reference to a clause covers every norm of it (a kind's
    further norms, or the versions of an amended clause)."""
    parts: dict[str, list[str]] = {}
    for key in norms:
        parts.setdefault(clause_of(key), []).append(key)
    return parts


def referred(ref: str, by: str, parts: Mapping[str, list[str]]) -> list[str]:
    """The norms a reference from norm `by` names: another clause's id names all its norms; a
    norm key (`7.1#2`), or a reference inside one clause (a kind wiring its own norms), names
    exactly that norm."""
    if "#" in ref or clause_of(ref) == clause_of(by):
        return [ref]
    return parts.get(ref, [])


def dependency_order(norms: Mapping[str, NormTerms]) -> list[str]:
    """Clause ids in an order where each norm comes after the norms it depends on.

    Raises NormError naming a reference to no norm, or a cycle."""
    depends: dict[str, set[str]] = {cid: set() for cid in norms}
    parts = clause_parts(norms)
    for cid, terms in norms.items():
        for ref in terms.references():
            named = [key for key in referred(ref, cid, parts) if key in norms]
            if not named:
                raise NormError(
                    f"clause {clause_of(cid)} refers to '{ref}', which is not a norm of this "
                    "agreement"
                )
            if ref in _material_sources(terms) and not all(
                _has_material_breaches(norms[key]) for key in named
            ):
                raise NormError(
                    f"clause {clause_of(cid)} reacts to material breaches of '{ref}', which has"
                    " none: it must be an obligation with 'material_breach_after'"
                )
            if ref in terms.measure_references() and not all(
                isinstance(norms[key], MeasureTerms) for key in named
            ):
                raise NormError(
                    f"clause {clause_of(cid)} takes a percentage of '{ref}', which is no "
                    "measure: name a measure clause (kind: measure)"
                )
            depends[cid].update(named)
        if isinstance(terms, RightTerms) and terms.effect is not None:
            for target in terms.effect.targets:
                named = [key for key in referred(target, cid, parts) if key in norms]
                if not named:
                    raise NormError(
                        f"clause {clause_of(cid)} acts on '{target}' (ends, starts or suspends "
                        "it), which is not a norm of this agreement"
                    )
                for part in named:
                    depends[part].add(cid)
    order: list[str] = []
    state: dict[str, int] = {}

    def visit(cid: str, path: list[str]) -> None:
        if state.get(cid) == 2:
            return
        if state.get(cid) == 1:
            cycle = [*path[path.index(cid) :], cid]
            raise NormError(f"clauses depend on each other in a circle: {' -> '.join(cycle)}")
        state[cid] = 1
        for ref in sorted(depends[cid]):
            visit(ref, [*path, cid])
        state[cid] = 2
        order.append(cid)

    for cid in norms:
        visit(cid, [])
    return order


def rights_with_effects(norms: Mapping[str, NormTerms]) -> dict[str, RightTerms]:
    """The rights whose exercise acts on other norms (ends, starts or suspends them): looked up
    for every norm, so found once."""
    return {
        key: terms
        for key, terms in norms.items()
        if isinstance(terms, RightTerms) and terms.effect is not None
    }


def all_refs(
    cid: str,
    norms: Mapping[str, NormTerms],
    parts: Mapping[str, list[str]],
    rights: Mapping[str, RightTerms],
) -> list[str]:
    """The norms `cid` reads, and the rights whose effects act on it (`parts` and `rights` as
    `clause_parts` and `rights_with_effects` give them)."""
    refs = [part for ref in norms[cid].references() for part in referred(ref, cid, parts)]
    refs += [
        other
        for other, terms in rights.items()
        if terms.effect is not None
        and any(cid in referred(target, other, parts) for target in terms.effect.targets)
    ]
    return refs


def _material_sources(terms: NormTerms) -> list[str]:
    """The clauses whose material breaches a norm's triggers react to (`material: true`)."""
    triggers: list[object] = [terms.ends_when.as_trigger()] if terms.ends_when is not None else []
    if isinstance(terms, ObligationTerms):
        triggers.append(terms.when)
    elif isinstance(terms, RightTerms):
        triggers.append(terms.arises)
    return [
        source
        for trigger in triggers
        if isinstance(trigger, OnBreach) and trigger.material
        for source in trigger.sources
    ]


def _has_material_breaches(terms: NormTerms) -> bool:
    return isinstance(terms, ObligationTerms) and terms.material_breach_after is not None
