"""Walks the models' annotations along a pydantic loc: what a place in a rule file may hold."""

from __future__ import annotations

import functools
import types
from collections.abc import Iterable, Mapping, Sequence
from enum import Enum
from typing import Annotated, Any, Literal, TypeGuard, Union, get_args, get_origin

from pydantic import BaseModel

from checker.rulebook.yaml_source import Location

_SEQUENCE_ORIGINS: tuple[Any, ...] = (list, tuple, set, frozenset, Sequence, Iterable)
_MAPPING_ORIGINS: tuple[Any, ...] = (dict, Mapping)


def allowed_fields(model_cls: type[BaseModel], loc: Location) -> list[str]:
    """The field names allowed in the mapping at `loc` (a pydantic loc) under `model_cls`.

    Follows fields, lists, dicts, optionals, unions and discriminated-union tags in `loc`;
    returns [] when `loc` leads to no model.
    """
    names: dict[str, None] = {}
    for option in alternatives(annotations_at(model_cls, loc)):
        if is_model(option):
            for name, info in option.model_fields.items():
                names[info.alias or name] = None
    return list(names)


def allowed_values(model_cls: type[BaseModel], loc: Location) -> list[str]:
    """The values a `Literal` or `Enum` field at `loc` (a pydantic loc) accepts, as text."""
    values: dict[str, None] = {}
    for option in alternatives(annotations_at(model_cls, loc)):
        if get_origin(option) is Literal:
            values.update(dict.fromkeys(str(value) for value in get_args(option)))
        elif isinstance(option, type) and issubclass(option, Enum):
            values.update(dict.fromkeys(str(member.value) for member in option))
    return list(values)


# Walking annotations along a pydantic loc.


def untagged(model_cls: type[BaseModel], loc: Location) -> Location:
    """A pydantic `loc` without the tags that name a union's member.

    Pydantic puts the tag of a discriminated union's member into the loc (`("clauses", 0,
    "milestones", "achieved")`); when a kind also has a field of the tag's name (the milestones
    kind has a `milestones` list) the loc alone cannot say which is meant, but the models can.
    """
    return _follow(model_cls, loc)[1]


def annotations_at(model_cls: type[BaseModel], loc: Location) -> list[Any]:
    return _follow(model_cls, loc)[0]


def _follow(model_cls: type[BaseModel], loc: Location) -> tuple[list[Any], Location]:
    """The annotations `loc` leads to under `model_cls`, and `loc` without union tags."""
    kept: list[str | int] = []
    candidates: list[Any] = [model_cls]
    for index, part in enumerate(loc):
        options = alternatives(candidates)
        models = [option for option in options if is_model(option)]
        if isinstance(part, str) and len(models) > 1:
            tagged = [model for model in models if _is_tagged(model, part)]
            if tagged:
                candidates = tagged  # the tag of a union member, not a key in the data
                continue
        kept.append(part)
        candidates = [found for option in options for found in _step(option, part)]
        if not candidates:
            return [], (*kept, *loc[index + 1 :])
    return candidates, tuple(kept)


def concrete_types(annotation: Any) -> list[Any]:
    """The concrete types behind one field annotation (Annotated, aliases, unions unwrapped)."""
    try:
        return list(_concrete_types_cached(annotation))
    except TypeError:  # an unhashable annotation: work it out each time
        return alternatives([annotation])


@functools.lru_cache(maxsize=1024)
def _concrete_types_cached(annotation: Any) -> tuple[Any, ...]:
    return tuple(alternatives([annotation]))


def alternatives(annotations: Iterable[Any]) -> list[Any]:
    """The concrete types behind `annotations`: Annotated, aliases and unions unwrapped."""
    result: list[Any] = []
    for annotation in annotations:
        origin = get_origin(annotation)
        if origin is Annotated:
            result.extend(alternatives([get_args(annotation)[0]]))
        elif origin is Union or origin is types.UnionType:
            result.extend(alternatives(get_args(annotation)))
        elif hasattr(annotation, "__value__") and not isinstance(annotation, type):
            result.extend(alternatives([annotation.__value__]))  # a `type X = ...` alias
        elif annotation is not type(None):
            result.append(annotation)
    return result


def _step(option: Any, part: str | int) -> list[Any]:
    """What `option` holds at `part` of a loc: a field, an item, or itself if `part` is its tag."""
    if is_model(option):
        if isinstance(part, str):
            for name, info in option.model_fields.items():
                if part in (name, info.alias):
                    return [info.annotation]
            if _is_tagged(option, part):
                return [option]
        return []
    origin = get_origin(option)
    arguments = get_args(option)
    if isinstance(part, int):
        if origin is tuple and arguments and arguments[-1] is not Ellipsis:
            return [arguments[part]] if 0 <= part < len(arguments) else []
        if origin in _SEQUENCE_ORIGINS:
            return [arguments[0]] if arguments else [Any]
        return []
    if origin in _MAPPING_ORIGINS and len(arguments) == 2:
        return [arguments[1]]
    if part in (getattr(option, "__name__", None), str(option)):
        return [option]  # pydantic's label for one member of a plain union
    return []


def _is_tagged(model: type[BaseModel], part: str) -> bool:
    """Whether `part` names `model` in a union: its class name or a value of a Literal field."""
    if part == model.__name__:
        return True
    for info in model.model_fields.values():
        if get_origin(info.annotation) is Literal and part in map(str, get_args(info.annotation)):
            return True
    return False


def is_model(option: Any) -> TypeGuard[type[BaseModel]]:
    return isinstance(option, type) and issubclass(option, BaseModel)
