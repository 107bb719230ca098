"""The machinery behind every model class: keyword construction, attribute access, ``to_dict``.

A model class declares its fields as class annotations, with a default where the field is
optional::

    class AttributeVal(Model):
        _required = ("spec_id", "value")
        spec_id: int
        value: str

Construction takes keyword arguments only, as the classes generated for the CVAT API do.
Nested values may be given as plain dicts (or lists of dicts); they are converted to the
declared model classes, enumerations and ``datetime`` objects once, at construction. Keys the
class does not declare are kept as attributes too, so a newer server's extra fields survive a
round trip. ``to_dict()`` returns the fields that were given or assigned (not the defaults),
as JSON-compatible values: this is what a request sends.

Mutable defaults (lists, dicts) are created per instance on first access (:func:`list_field`).
Models are plain Python objects: they pickle, compare by value and print readably.
"""

from __future__ import annotations

import datetime as _dt
import enum
import sys
import types
import typing
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, TypeVar, Union

__all__ = ["Model", "dict_field", "list_field", "parse_datetime"]

M = TypeVar("M", bound="Model")

_Converter = Callable[[Any], Any]


class _PerInstanceDefault:
    """A non-data descriptor: the first read creates the default and stores it on the instance."""

    __slots__ = ("factory", "name")

    def __init__(self, factory: Callable[[], Any]) -> None:
        self.factory = factory
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:
            return self
        value = self.factory()
        obj.__dict__[self.name] = value
        return value


def list_field() -> Any:
    """Default of a list field: a new empty list for each instance."""
    return _PerInstanceDefault(list)


def dict_field() -> Any:
    """Default of a dict field: a new empty dict for each instance."""
    return _PerInstanceDefault(dict)


def parse_datetime(value: Any) -> Any:
    """An ISO-8601 string as an aware ``datetime`` (``Z`` accepted); other values unchanged."""
    if isinstance(value, str):
        try:
            parsed = _dt.datetime.fromisoformat(value)
        except ValueError:
            return value
        return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=_dt.UTC)
    return value


def _enum_converter(enum_type: type[enum.Enum]) -> _Converter:
    members = {member.value: member for member in enum_type}

    def convert(value: Any) -> Any:
        # Unknown values (a newer server) stay plain strings rather than failing.
        return members.get(value, value) if not isinstance(value, enum_type) else value

    return convert


def _model_converter(model_type: type[Model]) -> _Converter:
    def convert(value: Any) -> Any:
        if isinstance(value, Mapping) and not isinstance(value, Model):
            return model_type(**value)
        return value

    return convert


def _list_converter(item: _Converter) -> _Converter:
    def convert(value: Any) -> Any:
        if isinstance(value, (list, tuple)):
            return [item(v) for v in value]
        return value

    return convert


def _converter_for(hint: Any) -> _Converter | None:
    """A converter for values of the annotated type, or None when values are kept as given."""
    origin = typing.get_origin(hint)
    if origin in (Union, types.UnionType):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        return _converter_for(options[0]) if len(options) == 1 else None
    if origin is list:
        (item,) = typing.get_args(hint) or (Any,)
        inner = _converter_for(item)
        return _list_converter(inner) if inner is not None else None
    if isinstance(hint, type):
        if issubclass(hint, Model):
            return _model_converter(hint)
        if issubclass(hint, enum.Enum):
            return _enum_converter(hint)
        if issubclass(hint, _dt.datetime):
            return parse_datetime
    return None


def _plain(value: Any) -> Any:
    """A JSON-compatible copy of a field value."""
    if isinstance(value, Model):
        return value.to_dict()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, _dt.datetime):
        return value.isoformat().replace("+00:00", "Z")
    return value


class Model:
    """Base class of the API models (see the module docstring)."""

    #: Fields a value must be given for (checked at construction).
    _required: ClassVar[tuple[str, ...]] = ()
    #: List fields whose items are built as a subclass of the declared item type (the request
    #: variants of nested models), without changing the declared type.
    _item_types: ClassVar[dict[str, type[Model]]] = {}
    _converters: ClassVar[dict[str, _Converter] | None] = None

    def __init__(self, **kwargs: Any) -> None:
        cls = type(self)
        converters = cls.__dict__.get("_converters")
        if converters is None:
            converters = cls._build_converters()
        for name in cls._required:
            if name not in kwargs:
                raise TypeError(f"{cls.__name__}() needs the keyword argument '{name}'")
        for key, value in kwargs.items():
            convert = converters.get(key)
            if convert is not None and value is not None:
                kwargs[key] = convert(value)
        self.__dict__.update(kwargs)

    @classmethod
    def _build_converters(cls) -> dict[str, _Converter]:
        converters: dict[str, _Converter] = {}
        for klass in reversed(cls.__mro__):
            annotations = klass.__dict__.get("__annotations__", {})
            namespace = vars(sys.modules[klass.__module__])
            for name, hint in annotations.items():
                if name.startswith("_"):
                    continue
                if isinstance(hint, str):
                    try:
                        hint = eval(hint, namespace, dict(vars(klass)))  # noqa: S307 - our own annotations
                    except Exception:  # a name only imported for type checking: keep values as given
                        continue
                convert = _converter_for(hint)
                if convert is None:
                    converters.pop(name, None)
                else:
                    converters[name] = convert
            for name, item_type in klass.__dict__.get("_item_types", {}).items():
                converters[name] = _list_converter(_model_converter(item_type))
        cls._converters = converters
        return converters

    @classmethod
    def from_dict(cls: type[M], data: Mapping[str, Any]) -> M:
        """A model from a decoded JSON object (as the server sends it)."""
        return cls(**data)

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        """The declared fields, in declaration order (base classes first)."""
        names: dict[str, None] = {}
        for klass in reversed(cls.__mro__):
            for name in getattr(klass, "__annotations__", {}):
                if not name.startswith("_"):
                    names[name] = None
        return tuple(names)

    def to_dict(self) -> dict[str, Any]:
        """The fields that were given or assigned, as JSON-compatible values."""
        return {k: _plain(v) for k, v in self.__dict__.items() if not k.startswith("_")}

    def __getitem__(self, name: str) -> Any:
        try:
            return getattr(self, name)
        except AttributeError:
            raise KeyError(name) from None

    def get(self, name: str, default: Any = None) -> Any:
        """The value of a field, or ``default`` when it has none."""
        return getattr(self, name, default)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and not name.startswith("_") and name in self.__dict__

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self.to_dict() == other.to_dict()

    __hash__ = None  # type: ignore[assignment]  # mutable, like the generated models

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v!r}" for k, v in self.__dict__.items() if not k.startswith("_"))
        return f"{type(self).__name__}({fields})"
