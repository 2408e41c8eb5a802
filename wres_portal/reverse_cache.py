"""`reverse()` for the links every page carries, worked out once per process (issue 18).

base.html's navigation, breadcrumbs and footer reversed about 19 URLs on every request, and a
reverse() costs more CPU than most of what a page does with its data. `reverse_cached` reverses each
URL name once, with stand-ins for its arguments, keeps the result as a template without the script
prefix, and fills in each request's values and prefix. Values that reverse() would quote or treat
specially (anything but letters, digits and `_.~-`, or only dots) go through reverse() itself, as
do names whose patterns no stand-in fits (a `uuid` converter), so the URL is always the one
reverse() would give. An argument an `int` converter takes gets a stand-in of digits, and only
values of digits go into its place (anything else goes through reverse(), which refuses it as
before). The templates are dropped when ROOT_URLCONF changes.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from typing import Any

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import NoReverseMatch, get_script_prefix, reverse

_SLOT = "wresslot{}q"
#: The stand-in of an argument that only digits fit (an `int` converter's).
_DIGIT_SLOT = "8675309{:02d}1"
_SLOT_SPLIT = re.compile(r"wresslot(\d+)q|8675309(\d\d)1")
_DIGITS = re.compile(r"[0-9]+")
#: Arguments beyond this many are tried with letter stand-ins only (2**n tries for n arguments).
_MIXED_UP_TO = 4
#: Values reverse() puts in a path unchanged (not quoted, no `/`, not a `.` or `..` segment).
_PLAIN = re.compile(r"[A-Za-z0-9_.~-]*[A-Za-z0-9_~-][A-Za-z0-9_.~-]*")

#: A URL's text pieces and the indexes of the values between them; and the indexes that take digits.
Template = tuple[tuple[str | int, ...], frozenset[int]]


def reverse_cached(name: str, args: Sequence[Any] = (), kwargs: dict[str, Any] | None = None) -> str:
    """`reverse(name, args=args, kwargs=kwargs)`, from a template made once per process for the name
    and the shape of its arguments; raises NoReverseMatch as reverse() does."""
    if args and kwargs:
        return reverse(name, args=args, kwargs=kwargs)  # reverse() refuses this; let it say so
    values = [str(value) for value in (kwargs.values() if kwargs else args)]
    template = _template(name, len(args), tuple(kwargs) if kwargs else ())
    url = _filled(get_script_prefix(), template, values)
    return url or reverse(name, args=args or None, kwargs=kwargs or None)


def reverser(name: str, count: int) -> Callable[..., str]:
    """A function of `count` values giving `reverse(name, args=values)`, for the rows of a long list:
    the URL's template and the script prefix are looked up once, when it is made (once a page), not
    once a row. Values reverse() would quote go through reverse() itself, as in `reverse_cached`."""
    template = _template(name, count, ())
    prefix = get_script_prefix()

    def fill(*values: Any) -> str:
        return _filled(prefix, template, [str(value) for value in values]) or reverse(name, args=values)

    return fill


def _filled(prefix: str, template: Template | None, values: list[str]) -> str | None:
    """The URL with `values` put into `template`, or None where reverse() itself must make it: no
    template, or a value it would quote or treat specially."""
    if template is None or not all(_PLAIN.fullmatch(value) for value in values):
        return None
    pieces, digits = template
    if digits and not all(_DIGITS.fullmatch(values[i]) for i in digits):
        return None
    return prefix + "".join(piece if isinstance(piece, str) else values[piece] for piece in pieces)


@functools.cache
def _template(name: str, count: int, keys: tuple[str, ...]) -> Template | None:
    """The URL of `name` without the script prefix, as text pieces and the indexes of the values
    that go between them, with the indexes only digits fit; None when no stand-ins reverse (the
    caller asks reverse() itself). Letter stand-ins are tried first, then digits in the fewest
    places that reverse (an `int` converter's argument)."""
    n = len(keys) or count
    masks = range(2**n) if n <= _MIXED_UP_TO else range(1)
    for mask in sorted(masks, key=lambda m: bin(m).count("1")):
        digits = frozenset(i for i in range(n) if mask >> i & 1)
        slots = [_DIGIT_SLOT.format(i) if i in digits else _SLOT.format(i) for i in range(n)]
        try:
            url = reverse(
                name,
                kwargs=dict(zip(keys, slots, strict=True)) if keys else None,
                args=slots if not keys else None,
            )
        except NoReverseMatch:
            continue
        pieces = _pieces(url, n)
        return None if pieces is None else (pieces, digits)
    return None


def _pieces(url: str, n: int) -> tuple[str | int, ...] | None:
    """`url` cut at its stand-ins; None unless each of the `n` is in it once."""
    prefix = get_script_prefix()
    if not url.startswith(prefix):
        return None
    pieces: list[str | int] = []
    for i, part in enumerate(_SLOT_SPLIT.split(url[len(prefix) :])):
        if i % 3 == 0:
            if part:
                pieces.append(part)
        elif part is not None:
            pieces.append(int(part))
    if sorted(p for p in pieces if isinstance(p, int)) != list(range(n)):
        return None
    return tuple(pieces)


@receiver(setting_changed)
def _urlconf_changed(*, setting: str, **kwargs: Any) -> None:
    if setting == "ROOT_URLCONF":
        _template.cache_clear()
