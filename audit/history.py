"""Reading the audit trail: a page of events across every tracked model, newest first, each with
who, when, what and the fields that changed (before and after).

One query finds the page (a UNION ALL over the event tables, filtered by authority and model in
each table, ordered and sliced in the database); then, per model on the page, one query loads the
events and one the previous event of each object, which gives the "before" of an update. A page
therefore costs a fixed number of queries, however long the history.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import OuterRef, Subquery, Value

from accounts.models import Authority, User
from metrics.calculations import INDICATORS_BY_CODE
from submissions.models import CollectionRound
from submissions.schema import SERVICE_LABELS

from . import models as audit_models

PAGE_SIZE = 50
#: Columns that change on every save or say nothing to a reader.
HIDDEN_FIELDS = {"id", "uuid", "created_at", "updated_at"}
#: Secrets and their hashes: never shown, even if an older event table still holds them.
SECRET_FIELDS = {"password", "token_hash", "key_hash", "roles_fingerprint"}
ACTIONS = {"insert": "Created", "update": "Changed", "delete": "Deleted"}


@dataclass(frozen=True)
class Tracked:
    key: str
    label: str
    event_model: type[Any]  # made by pghistory at run time (audit/models.py)
    #: The event column holding the authority id (None: national rows, such as benchmarks).
    authority_field: str | None = "authority"


TRACKED: list[Tracked] = [
    Tracked("authority", "Council record", audit_models.AuthorityHistory, "pgh_obj"),
    Tracked("membership", "Team membership", audit_models.MembershipHistory),
    Tracked("return", "Return", audit_models.ReturnHistory),
    Tracked("returnversion", "Return version", audit_models.ReturnVersionHistory),
    Tracked("returnrow", "Return figures row", audit_models.ReturnRowHistory),
    Tracked("warningexplanation", "Warning explanation", audit_models.WarningExplanationHistory),
    Tracked("returnevent", "Return step", audit_models.ReturnEventHistory),
    Tracked("versionresults", "Results", audit_models.VersionResultsHistory),
    Tracked("result", "Result", audit_models.ResultHistory),
    Tracked("benchmark", "National benchmark", audit_models.BenchmarkHistory, None),
    Tracked("actionplan", "Action plan", audit_models.ActionPlanHistory),
    Tracked("whatweknow", "What we know", audit_models.WhatWeKnowHistory),
    Tracked("objective", "Objective", audit_models.ObjectiveHistory),
    Tracked("action", "Action", audit_models.ActionHistory),
    Tracked("target", "Target", audit_models.TargetHistory),
    Tracked("planversion", "Signed plan version", audit_models.PlanVersionHistory),
    Tracked("quarterlyreport", "Quarterly progress report", audit_models.QuarterlyReportHistory),
    Tracked("actionupdate", "Progress update", audit_models.ActionUpdateHistory),
    Tracked("invitation", "Invitation", audit_models.InvitationHistory),
    Tracked("extension", "Closing date extension", audit_models.ClosingDateExtensionHistory),
    Tracked("extractmapping", "HR extract mapping", audit_models.ExtractMappingHistory),
    # Accounts are not a council's records: these are on the national history page only.
    Tracked("user", "User account", audit_models.UserHistory, None),
    Tracked("apitoken", "API token", audit_models.ApiTokenHistory, None),
    Tracked("securityevent", "Security event", audit_models.SecurityEventHistory, None),
]
TRACKED_BY_KEY = {t.key: t for t in TRACKED}


def register(tracked: Tracked) -> None:
    """Add a tracked model (for apps whose event models live elsewhere)."""
    TRACKED.append(tracked)
    TRACKED_BY_KEY[tracked.key] = tracked


@dataclass
class Change:
    field: str
    before: str
    after: str


@dataclass
class Entry:
    key: str
    model_label: str
    object_label: str
    action: str
    at: Any
    who: str
    via: str
    changes: list[Change] = field(default_factory=list)
    before_known: bool = True


def _page_query(authority: Authority | None, keys: list[str]) -> models.QuerySet[Any] | None:
    parts = []
    for tracked in TRACKED:
        if keys and tracked.key not in keys:
            continue
        qs = tracked.event_model.objects.all()
        if authority is not None:
            if tracked.authority_field is None:
                continue
            qs = qs.filter(**{f"{tracked.authority_field}_id": authority.pk})
        parts.append(
            qs.order_by()
            .annotate(model_key=Value(tracked.key, output_field=models.CharField()))
            .values("pgh_id", "pgh_created_at", "model_key")
        )
    if not parts:
        return None
    first, *rest = parts
    union = first.union(*rest, all=True) if rest else first
    return union.order_by("-pgh_created_at", "-pgh_id")


@dataclass(frozen=True)
class HistoryPage:
    """One page of the history, newest first, without a total. Counting every event (every council,
    every year) read the whole trail on every request, a cost growing with the history; a page
    knows there is an older one by asking for one row more than it shows. With the event tables'
    (pgh_created_at, pgh_id) index, PostgreSQL reads each table backwards and merges them, so page n
    costs n pages' worth of index entries, whatever the length of the history."""

    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


#: The deepest page: further pages (past 500,000 changes) are shown as this one, so a typed page
#: number cannot make a request read the whole trail; the filters reach older changes.
MAX_PAGE = 10_000


def _page_number(value: Any) -> int:
    try:
        number = int(str(value))
    except ValueError:
        return 1
    return min(max(number, 1), MAX_PAGE)


def events_page(
    *, authority: Authority | None, keys: list[str] | None = None, page_number: Any = 1
) -> tuple[HistoryPage | None, list[Entry]]:
    """Events of `authority` (all authorities and national rows if None), optionally of the models
    `keys` only, as one page of entries (empty past the oldest)."""
    query = _page_query(authority, keys or [])
    if query is None:
        return None, []
    number = _page_number(page_number)
    start = (number - 1) * PAGE_SIZE
    rows = list(query[start : start + PAGE_SIZE + 1])
    return HistoryPage(number, len(rows) > PAGE_SIZE), _entries(rows[:PAGE_SIZE])


def _display(value: Any) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return "–"
    if isinstance(value, (dict, list)):
        text = json.dumps(value, sort_keys=True, default=str)
        return text if len(text) <= 300 else text[:297] + "…"
    return str(value)


def _metric(code: Any) -> str:
    """A metric as people know it ("Metric 2: Relative likelihood of ..."), never its code."""
    indicator = INDICATORS_BY_CODE.get(str(code))
    return f"Metric {indicator.metric}: {indicator.title}" if indicator else str(code or "")


def _service(code: Any) -> str:
    return SERVICE_LABELS.get(str(code), str(code or ""))


def _metrics_data(lines: Any) -> str:
    """An objective's frozen "data from WRES metrics" (actionplans.presenters.metrics_data) as it
    reads on the plan: each metric's name, round and sentence, not the stored JSON."""
    if not isinstance(lines, list):
        return str(lines)
    return " ".join(
        f"{_metric(line.get('indicator'))} ({line.get('round')} results): {line.get('sentence')}"
        for line in lines
        if isinstance(line, dict)
    )


#: Fields whose stored codes are shown as words: metrics (one or a list) and services.
_WORDS = {
    "indicator": _metric,
    "related_indicators": lambda codes: "; ".join(_metric(c) for c in codes or []) or "–",
    "metrics_data": _metrics_data,
    "service": _service,
}

#: The kinds of warning a return can have (submissions/validation/return_warnings.py), in words.
_WARNING_KINDS = {
    "unknown_share": "Many staff of unknown ethnicity",
    "headcount_change": "A large change in headcount",
    "no_events": "No events recorded",
    "metric_outlier": "A figure outside the usual range",
}


def _warning(key: Any) -> str:
    """A warning key ("metric_outlier:adults:m3") in words: its kind, service and metric."""
    kind, *parts = str(key or "").split(":")
    words = [_WARNING_KINDS.get(kind, kind.replace("_", " "))]
    for part in parts:
        if part in SERVICE_LABELS:
            words.append(_service(part).lower())
        elif part in INDICATORS_BY_CODE:
            words.append(_metric(part))
        elif part != "headcount":
            words.append(part)
    return ", ".join(words)


#: Records a change can point at that are cheap to name (one query per kind per page), by their name.
_NAMED: dict[type[models.Model], str] = {User: "user", Authority: "authority", CollectionRound: "round"}


@dataclass
class Names:
    """The names of the people, councils and rounds the events on a page point at, by id."""

    users: dict[int, User] = field(default_factory=dict)
    authorities: dict[int, str] = field(default_factory=dict)
    rounds: dict[int, str] = field(default_factory=dict)

    def of(self, kind: str, pk: Any) -> str:
        if kind == "user":
            user = self.users.get(pk)
            return user.display_name if user is not None else "a removed user"
        found = (self.authorities if kind == "authority" else self.rounds).get(pk)
        return found if found is not None else f"a removed {kind}"

    @classmethod
    def load(cls, snapshots: list[tuple[type[models.Model], dict[str, Any]]], user_ids: set[Any]) -> Names:
        wanted: dict[str, set[Any]] = {"user": set(user_ids), "authority": set(), "round": set()}
        for event_model, snapshot in snapshots:
            for attname, kind in _related(event_model).items():
                if snapshot.get(attname) is not None:
                    wanted[kind].add(snapshot[attname])
        return cls(
            users={u.pk: u for u in User.objects.filter(pk__in=wanted["user"])},
            authorities=dict(Authority.objects.filter(pk__in=wanted["authority"]).values_list("pk", "name")),
            rounds=dict(CollectionRound.objects.filter(pk__in=wanted["round"]).values_list("pk", "label")),
        )


def _related(event_model: type[models.Model]) -> dict[str, str]:
    """The event's links to people, councils and rounds: attname ("user_id") to kind ("user")."""
    return {
        f.attname: _NAMED[f.related_model]
        for f in event_model._meta.concrete_fields
        if f.is_relation and f.related_model in _NAMED and not f.name.startswith("pgh_")
    }


def _unnamed_links(event_model: type[models.Model]) -> set[str]:
    """Links to records with no cheap name (a version, an objective): their ids mean nothing to a
    reader, so the history leaves them out."""
    return {
        f.attname
        for f in event_model._meta.concrete_fields
        if f.is_relation and f.related_model not in _NAMED and not f.name.startswith("pgh_")
    }


def _choice(event_model: type[models.Model], attname: str, value: Any) -> Any:
    """A stored choice ("programme_lead", "draft") as its label ("Programme lead", "Draft")."""
    for f in event_model._meta.concrete_fields:
        if f.attname == attname and f.choices:
            return dict(f.flatchoices).get(value, value)
    return value


def _value(event_model: type[models.Model], name: str, value: Any, names: Names) -> str:
    if value in (None, ""):
        return _display(value)
    kind = _related(event_model).get(name)
    if kind is not None:
        return names.of(kind, value)
    words = _WORDS.get(name)
    return _display(words(value) if words else _choice(event_model, name, value))


def _snapshot(event: models.Model) -> dict[str, Any]:
    unnamed = _unnamed_links(type(event))
    return {
        f.attname: getattr(event, f.attname)
        for f in event._meta.concrete_fields
        if not f.name.startswith("pgh_")
        and f.name not in HIDDEN_FIELDS
        and f.name not in SECRET_FIELDS
        and f.attname not in unnamed
    }


def _field_label(event_model: type[models.Model], attname: str) -> str:
    for f in event_model._meta.concrete_fields:
        if f.attname == attname:
            return str(f.verbose_name)
    return attname


def _object_label(key: str, event_model: type[models.Model], snapshot: dict[str, Any], names: Names) -> str:
    """The record in people's words: names and labels, never ids or stored codes."""
    s = snapshot

    def word(attname: str) -> Any:
        return _choice(event_model, attname, s.get(attname))

    def round_of() -> str:
        return names.of("round", s.get("round_id"))

    labels = {
        "authority": lambda: f"{s.get('name')} ({s.get('ons_code')})",
        "membership": lambda: f"{names.of('user', s.get('user_id'))} as {str(word('role')).lower()}",
        "return": lambda: f"{round_of()} return",
        "returnversion": lambda: f"version {s.get('number')}",
        "returnrow": lambda: " / ".join(
            str(v) for v in (_service(s.get("service")), s.get("measure"), s.get("pay_band")) if v
        ),
        "warningexplanation": lambda: _warning(s.get("warning_key")),
        "returnevent": lambda: str(word("action")),
        "versionresults": lambda: f"results of the {round_of()} return",
        "result": lambda: f"{_metric(s.get('indicator'))}, {_service(s.get('service')).lower()}",
        "user": lambda: str(s.get("email")),
        "apitoken": lambda: f"{s.get('name')} ({s.get('prefix')}…) of {names.of('user', s.get('user_id'))}",
        "securityevent": lambda: (
            f"{word('kind')}: "
            f"{s.get('email') or (names.of('user', s['user_id']) if s.get('user_id') else 'unknown')}"
        ),
        "benchmark": lambda: (
            f"{_metric(s.get('indicator'))}, {_service(s.get('service')).lower()}, {word('scope')} "
            f"{s.get('scope_value') or ''}"
        ).strip(),
        "actionplan": lambda: f"plan for {s.get('year')}",
        "objective": lambda: f"objective {s.get('number')}",
        "action": lambda: f"action {s.get('number')}",
        "planversion": lambda: f"signed version {s.get('number')}",
        "quarterlyreport": lambda: f"quarter {s.get('quarter')} of {s.get('year')}",
        "extension": lambda: f"{round_of()} return",
        "extractmapping": lambda: f"{round_of()} return",
    }
    if key in labels:
        return labels[key]()
    return str(s.get("title") or s.get("name") or s.get("email") or "")


def _entries(rows: list[dict[str, Any]]) -> list[Entry]:
    by_model: dict[str, list[int]] = {}
    for row in rows:
        by_model.setdefault(row["model_key"], []).append(row["pgh_id"])
    # pghistory makes one event model per tracked model, each with pgh_id, pgh_obj_id and pgh_context.
    events: dict[tuple[str, int], Any] = {}
    previous: dict[tuple[str, int], Any] = {}
    for key, ids in by_model.items():
        event_model = TRACKED_BY_KEY[key].event_model
        manager = event_model.objects
        before = manager.filter(pgh_obj_id=OuterRef("pgh_obj_id"), pgh_id__lt=OuterRef("pgh_id")).order_by(
            "-pgh_id"
        )
        loaded = list(manager.filter(pgh_id__in=ids).annotate(prev_id=Subquery(before.values("pgh_id")[:1])))
        prev_rows = {p.pgh_id: p for p in manager.filter(pgh_id__in=[e.prev_id for e in loaded if e.prev_id])}
        for event in loaded:
            events[(key, event.pgh_id)] = event
            if event.prev_id in prev_rows:
                previous[(key, event.pgh_id)] = prev_rows[event.prev_id]
    user_ids = {user for e in events.values() if (user := (e.pgh_context or {}).get("user"))}
    names = Names.load(
        [(type(e), _snapshot(e)) for e in [*events.values(), *previous.values()]],
        user_ids,
    )
    return [
        _entry(row["model_key"], events[(row["model_key"], row["pgh_id"])], previous, names)
        for row in rows
        if (row["model_key"], row["pgh_id"]) in events
    ]


def _who(context: dict[str, Any] | None, names: Names) -> tuple[str, str]:
    context = context or {}
    user = names.users.get(context.get("user"))  # type: ignore[arg-type]
    via = context.get("url") or context.get("source") or ""
    if user is not None:
        return user.display_name, via
    if context.get("user"):
        return "A removed user", via
    return "System", via or "no context recorded"


def _entry(key: str, event: Any, previous: dict[tuple[str, int], models.Model], names: Names) -> Entry:
    tracked = TRACKED_BY_KEY[key]
    after = _snapshot(event)
    before_event = previous.get((key, event.pgh_id))
    before = _snapshot(before_event) if before_event is not None else None
    who, via = _who(event.pgh_context, names)
    label = event.pgh_label
    changes: list[Change] = []
    if label == "update":
        if before is not None:
            for name, value in after.items():
                if before.get(name) != value:
                    changes.append(
                        Change(
                            _field_label(tracked.event_model, name),
                            _value(tracked.event_model, name, before.get(name), names),
                            _value(tracked.event_model, name, value, names),
                        )
                    )
        else:
            changes = [
                Change(
                    _field_label(tracked.event_model, n),
                    "not recorded",
                    _value(tracked.event_model, n, v, names),
                )
                for n, v in after.items()
            ]
    elif label == "delete":
        changes = [
            Change(_field_label(tracked.event_model, n), _value(tracked.event_model, n, v, names), "–")
            for n, v in after.items()
        ]
    else:
        changes = [
            Change(_field_label(tracked.event_model, n), "–", _value(tracked.event_model, n, v, names))
            for n, v in after.items()
        ]
    return Entry(
        key=key,
        model_label=tracked.label,
        object_label=_object_label(key, tracked.event_model, after, names),
        action=ACTIONS.get(label, label),
        at=event.pgh_created_at,
        who=who,
        via=via,
        changes=changes,
        before_known=label != "update" or before is not None,
    )
