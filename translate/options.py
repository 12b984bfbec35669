"""Command-line options declared once, on the config field they fill.

A config field that is also a command-line option says so in its metadata:

    batch_tokens: int = field(default=4096, metadata=flag("padded tokens per batch"))

`declare(parser, Config)` adds one argument per such field — named after the field
(`--batch-tokens`) unless the metadata names it, parsed by the field's type, its help ending in
the default — and `from_args(Config, args)` makes the config from the parsed arguments: the
`declare_arguments` / `from_args` pair of CTranslate2's converters, without a second list of
the options. A field whose value is itself such a config (`BuildConfig.engine`) carries
`nested(...)`: its options are declared and filled through it. The config checks the values
(`__post_init__`, raising ConfigError); the parser only converts the text.

This module lives in `translate/` because the engine's config declares options too, and
`translate` never imports `corpus`.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from translate.errors import ConfigError

FLAG = "idcorpus.flag"
NESTED = "idcorpus.nested"
_SCALARS: dict[str, Callable[[str], Any]] = {"int": int, "float": float, "str": str}
_METAVARS = {"int": "N", "float": "X"}


@dataclass(frozen=True)
class Flag:
    """How a config field appears on the command line (the metadata `flag(...)` makes).

    `help` says what it does for a user (the default is added). `name`: the flag when it is
    not `--field-name` (or a positional's name without dashes). `parse`: text -> value when
    the field's type (int, float, str, optional or not) does not say it. `negate`: a boolean
    that is on by default and turned off by `--no-...` (name it). `default_text`: how the help
    shows the default when the value itself says little ("the model's"). `nargs`: for a
    positional that takes several values (a tuple). `append`: the flag may be repeated; the
    field gets the values of every occurrence, in order."""

    help: str
    name: str | None = None
    metavar: str | None = None
    choices: tuple[str, ...] | None = None
    parse: Callable[[str], Any] | None = None
    negate: bool = False
    default_text: str | None = None
    nargs: str | None = None
    append: bool = False


@dataclass(frozen=True)
class Nested:
    """A field holding a config with options of its own (see `nested`)."""

    config: type
    title: str | None = None
    make: Callable[[dict[str, Any]], Any] | None = None


def flag(help: str, **options: Any) -> dict[str, Flag]:  # noqa: A002 - argparse's word
    """Field metadata that makes the field a command-line option (`options`: see Flag)."""
    return {FLAG: Flag(help, **options)}


def nested(
    config: type, title: str | None = None, *, make: Callable[[dict[str, Any]], Any] | None = None
) -> dict[str, Nested]:
    """Field metadata of a field holding a `config` whose own fields have flags; `title` heads
    its options in the help. `make`: builds the field's value from the options given (only
    those given: the config's flags then have no default of their own), for a field that is
    not simply the config made from every option (a filter that is off unless asked for)."""
    return {NESTED: Nested(config, title, make)}


def declare(
    parser: argparse.ArgumentParser | Any,
    config: type,
    *,
    only: Iterable[str] | None = None,
    exclude: Iterable[str] = (),
    defaults: Mapping[str, tuple[Any, str]] | None = None,
    compare: bool = False,
) -> None:
    """Add the options of `config` (and of its nested configs) to `parser`.

    `only` / `exclude`: field names to take or leave. `defaults`: field -> (default, how the
    help shows it), where a command uses another default than the config. `compare`: every
    option takes comma-separated values (a list; see `combinations`)."""
    wanted = set(only) if only is not None else None
    for f in dataclasses.fields(config):
        if (wanted is not None and f.name not in wanted) or f.name in exclude:
            continue
        if NESTED in f.metadata:
            inner: Nested = f.metadata[NESTED]
            group = parser.add_argument_group(inner.title) if inner.title else parser
            declare(group, inner.config, compare=compare, defaults=defaults)
            if inner.make is not None:
                _suppress_defaults(group, inner.config)
        elif FLAG in f.metadata:
            _add(parser, config, f, (defaults or {}).get(f.name), compare)


def from_args(config: type, args: argparse.Namespace, **values: Any) -> Any:
    """The `config` the parsed `args` describe; `values` set fields that have no flag (or
    replace what the flags gave)."""
    return config(**{**given(config, args), **values})


def given(
    config: type, args: argparse.Namespace, *, only: Iterable[str] | None = None
) -> dict[str, Any]:
    """Field -> value of every option of `config` present in `args` (nested configs made), as
    keyword arguments of `config`."""
    wanted = set(only) if only is not None else None
    found: dict[str, Any] = {}
    for f in dataclasses.fields(config):
        if wanted is not None and f.name not in wanted:
            continue
        if NESTED in f.metadata:
            inner: Nested = f.metadata[NESTED]
            if inner.make is not None:
                found[f.name] = inner.make(given(inner.config, args))
            elif _declared(inner.config, args):
                found[f.name] = from_args(inner.config, args)
        elif FLAG in f.metadata and hasattr(args, dest(config, f.name)):
            value = getattr(args, dest(config, f.name))
            found[f.name] = tuple(value) if isinstance(value, list) else value
    return found


def combinations(config: type, args: argparse.Namespace) -> list[tuple[Any, str]]:
    """With `declare(..., compare=True)`: one `config` per combination of the values given,
    each with a label naming the values that vary (`compute-type=int8,num-beams=4`; empty
    when nothing varies)."""
    options = list(options_of(config))
    values = [getattr(args, dest(owner, f.name)) for owner, f in options]
    varying = [i for i, v in enumerate(values) if len(v) > 1]
    found = []
    for chosen in itertools.product(*values):
        space = argparse.Namespace(
            **{dest(owner, f.name): v for (owner, f), v in zip(options, chosen, strict=True)}
        )
        label = ",".join(f"{flag_name(options[i][1]).lstrip('-')}={chosen[i]}" for i in varying)
        found.append((from_args(config, space), label))
    return found


def dest(config: type, name: str) -> str:
    """Where argparse keeps a field's value: qualified by its config, so that two configs may
    have fields of one name (ReadConfig.split, the input's, is not the output's --split)."""
    return f"{config.__name__}.{name}"


def flag_name(f: dataclasses.Field[Any]) -> str:
    """The flag of a field: its metadata's name, else `--field-name`."""
    meta: Flag = f.metadata[FLAG]
    return meta.name or "--" + f.name.replace("_", "-")


def options_of(config: type) -> Iterable[tuple[type, dataclasses.Field[Any]]]:
    """(config class, field) of every option of `config`, nested configs included, in order."""
    for f in dataclasses.fields(config):
        if NESTED in f.metadata:
            yield from options_of(f.metadata[NESTED].config)
        elif FLAG in f.metadata:
            yield config, f


def _declared(config: type, args: argparse.Namespace) -> bool:
    return any(hasattr(args, dest(owner, f.name)) for owner, f in options_of(config))


def _suppress_defaults(group: Any, config: type) -> None:
    """Options of a `nested(make=...)` config appear in `args` only when given."""
    names = {dest(owner, f.name) for owner, f in options_of(config)}
    for action in getattr(group, "_group_actions", None) or group._actions:
        if action.dest in names:
            action.default = argparse.SUPPRESS


def _add(
    parser: Any,
    config: type,
    f: dataclasses.Field[Any],
    override: tuple[Any, str] | None,
    compare: bool,
) -> None:
    meta: Flag = f.metadata[FLAG]
    name = flag_name(f)
    has_default = f.default is not dataclasses.MISSING or (
        f.default_factory is not dataclasses.MISSING
    )
    default = f.default if f.default is not dataclasses.MISSING else None
    if f.default_factory is not dataclasses.MISSING:
        default = f.default_factory()
    shown = meta.default_text
    if override is not None:
        default, shown = override
    kw: dict[str, Any] = {"dest": dest(config, f.name)}
    if f.type in ("bool", bool):
        action = "store_false" if meta.negate else "store_true"
        parser.add_argument(name, action=action, help=meta.help, **kw)
        return
    if not name.startswith("-"):  # a positional: argparse names its dest after it
        action = parser.add_argument(
            name, nargs=meta.nargs, metavar=meta.metavar, help=meta.help, type=_parser(f)
        )
        action.dest = dest(config, f.name)
        return
    parse = _parser(f)
    help_text = meta.help + _default_help(default, shown)
    if meta.metavar is None and not meta.choices:
        kw["metavar"] = _METAVARS.get(getattr(parse, "__name__", ""), name.lstrip("-").upper())
    if compare:
        one = meta.metavar or kw.get("metavar") or "V"
        kw.update(type=_values(parse, meta.choices), default=[default], metavar=f"{one}[,...]")
        if meta.choices:
            help_text += f" (of: {', '.join(meta.choices)})"
    elif meta.append:
        kw.update(type=parse, action="append", default=[])
        kw.setdefault("metavar", meta.metavar)
    else:
        kw.update(type=parse, default=default, choices=meta.choices)
        kw.setdefault("metavar", meta.metavar)
        if not has_default and override is None:
            kw.update(required=True, default=None)
    parser.add_argument(name, help=help_text, **kw)


def _parser(f: dataclasses.Field[Any]) -> Callable[[str], Any]:
    meta: Flag = f.metadata[FLAG]
    if meta.parse is not None:
        return _converter(meta.parse)
    kind = str(f.type).replace(" | None", "").replace("Optional[", "").rstrip("]")
    if kind.startswith("tuple[") and (meta.nargs or meta.append):
        kind = kind[len("tuple[") :].split(",")[0]
    if kind not in _SCALARS:
        raise TypeError(f"{f.name}: give flag(parse=...) for a field of type {f.type}")
    return _SCALARS[kind]


def _converter(parse: Callable[[str], Any]) -> Callable[[str], Any]:
    """`parse` with its ConfigError shown by argparse as the option's error (exit 2, usage)."""

    def convert(text: str) -> Any:
        try:
            return parse(text)
        except ConfigError as e:
            raise argparse.ArgumentTypeError(str(e)) from e

    convert.__name__ = getattr(parse, "__name__", "value")
    return convert


def _default_help(default: Any, shown: str | None) -> str:
    if shown is not None:
        return f" (default: {shown})"
    if default is None or default == [] or default == ():
        return ""
    return f" (default: {default})"


def _values(parse: Callable[[str], Any], choices: Sequence[str] | None) -> Callable[[str], list]:
    """Comma-separated values of one flag, each converted and checked, each once."""

    def values(text: str) -> list[Any]:
        found: list[Any] = []
        for item in (part.strip() for part in text.split(",")):
            if not item:
                continue
            try:
                value = parse(item)
            except ValueError as e:
                kind = getattr(parse, "__name__", "value")
                raise argparse.ArgumentTypeError(f"{item!r} is not a valid {kind}") from e
            except argparse.ArgumentTypeError as e:
                raise argparse.ArgumentTypeError(f"{item!r}: {e}") from e
            if choices and value not in choices:
                raise argparse.ArgumentTypeError(
                    f"invalid choice {item!r} (choose from {', '.join(choices)})"
                )
            if value not in found:
                found.append(value)
        if not found:
            raise argparse.ArgumentTypeError("give at least one value")
        return found

    return values
