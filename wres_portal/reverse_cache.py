"""`reverse()` for the links every page carries, worked out once per process (issue 18).

base.html's navigation, breadcrumbs and footer reversed about 19 URLs on every request, and a
reverse() costs more CPU than most of what a page does with its data. `reverse_cached` reverses each
URL name once, with stand-ins for its arguments, keeps the result as a template without the script
prefix, and fills in each request's values and prefix. Values that reverse() would quote or treat
specially (anything but letters, digits and `_.~-`, or only dots) go through reverse() itself, as
do names whose patterns a stand-in does not fit (an `int` or `uuid` converter), so the URL is
always the one reverse() would give. The templates are dropped when ROOT_URLCONF changes.
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
_SLOT_SPLIT = re.compile(r"wresslot(\d+)q")
#: Values reverse() puts in a path unchanged (not quoted, no `/`, not a `.` or `..` segment).
_PLAIN = re.compile(r"[A-Za-z0-9_.~-]*[A-Za-z0-9_~-][A-Za-z0-9_.~-]*")

Template = tuple[str | int, ...]


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
    return prefix + "".join(piece if isinstance(piece, str) else values[piece] for piece in template)


@functools.cache
def _template(name: str, count: int, keys: tuple[str, ...]) -> Template | None:
    """The URL of `name` without the script prefix, as text pieces and the indexes of the values
    that go between them; None when stand-ins do not reverse (the caller asks reverse() itself)."""
    slots = [_SLOT.format(i) for i in range(len(keys) or count)]
    try:
        url = reverse(name, kwargs=dict(zip(keys, slots, strict=True))) if keys else reverse(name, args=slots)
    except NoReverseMatch:
        return None
    prefix = get_script_prefix()
    if not url.startswith(prefix):
        return None
    parts = _SLOT_SPLIT.split(url[len(prefix) :])
    pieces: list[str | int] = []
    for i, part in enumerate(parts):
        if i % 2:
            pieces.append(int(part))
        elif part:
            pieces.append(part)
    if sorted(p for p in pieces if isinstance(p, int)) != list(range(len(slots))):
        return None
    return tuple(pieces)


@receiver(setting_changed)
def _urlconf_changed(*, setting: str, **kwargs: Any) -> None:
    if setting == "ROOT_URLCONF":
        _template.cache_clear()
