"""Who may do what: the rules of rights, pure functions of the grants, the plan and the item.

A right is granted to an account (a database role on PostgreSQL, a login on SQLite) at a level,
for one plan or for every plan (``plan_id`` None):

- ``staff`` of an office records, undoes and voids the records of the items that office leads —
  and of those it is another office of (责任单位), if the plan's ``rules.other_offices_record``
  says so; a person may be staff of several offices;
- ``supervisor`` (督查) voids any record; ``admin`` does as a supervisor does and also loads and
  retires plans and grants rights; ``reader`` reads. Everyone reads everything.

Rights are granted and revoked by events, never erased (``grant_events``); the rights in force are
the events folded in order (``effective``). Before the first event (a fresh database, one user)
the rules are not in force and everything is allowed, as it always was. The database's owner on
PostgreSQL may do everything (the server lets it).

On PostgreSQL the server enforces the same rules (``kpi.store.access``); kpi checks them first so
that a refusal is one line naming the rule and who may. On SQLite the file's permissions are the
boundary and these checks are a guard against mistakes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from kpi.core.plan import Item, Plan
from kpi.core.records import Update
from kpi.errors import InputError
from kpi.locale import t

Level = Literal["staff", "supervisor", "admin", "reader"]
LEVELS: tuple[Level, ...] = ("staff", "supervisor", "admin", "reader")
# Each level and the levels it includes.
_INCLUDES: dict[str, frozenset[str]] = {
    "admin": frozenset({"admin", "supervisor", "reader"}),
    "supervisor": frozenset({"supervisor", "reader"}),
    "staff": frozenset({"staff", "reader"}),
    "reader": frozenset({"reader"}),
}


class Refused(InputError):
    """An action the rights do not allow: one line naming the rule and who may (exit 2)."""


@dataclass(frozen=True, slots=True)
class GrantEvent:
    """A row of ``grant_events``: a right granted or revoked, by whom and when."""

    id: int
    action: Literal["grant", "revoke"]
    role: str
    level: Level
    office: str | None
    plan_id: str | None
    by: str
    at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class Grant:
    """A right in force: ``role`` acts as ``level`` (for ``office``) on ``plan_id`` (None: all)."""

    role: str
    level: Level
    office: str | None
    plan_id: str | None
    by: str = ""
    at: dt.datetime | None = None

    @property
    def key(self) -> tuple[str, str, str | None, str | None]:
        return (self.role, self.level, self.office, self.plan_id)

    def covers(self, plan_id: str | None) -> bool:
        """Whether this right holds on ``plan_id`` (None: on every plan, so only an all-plan one)."""
        return self.plan_id is None or self.plan_id == plan_id


def effective(events: Iterable[GrantEvent]) -> list[Grant]:
    """The rights in force after ``events`` (oldest first): a revoke undoes the same grant."""
    held: dict[tuple[str, str, str | None, str | None], Grant] = {}
    for e in sorted(events, key=lambda e: e.id):
        grant = Grant(e.role, e.level, e.office, e.plan_id, e.by, e.at)
        held.pop(grant.key, None)
        if e.action == "grant":
            held[grant.key] = grant
    return list(held.values())


@dataclass(frozen=True, slots=True)
class Rights:
    """What one account may do: its own rights, and whether rights are in force at all."""

    account: str
    grants: tuple[Grant, ...] = ()
    in_force: bool = False  # any right was ever granted in this database
    owner: bool = False  # the owner of the database's tables (PostgreSQL): every right
    enforced: bool = False  # the server enforces the rules (PostgreSQL, after kpi access init)

    @classmethod
    def of(
        cls,
        account: str,
        events: Sequence[GrantEvent],
        *,
        owner: bool = False,
        enforced: bool = False,
    ) -> Rights:
        """The rights of ``account`` after ``events``."""
        mine = tuple(g for g in effective(events) if g.role == account)
        return cls(account, mine, in_force=bool(events), owner=owner, enforced=enforced)

    @property
    def unrestricted(self) -> bool:
        return not self.in_force or self.owner

    def has(self, level: str, plan_id: str | None) -> bool:
        """Whether the account acts as ``level`` (or one that includes it) on the plan."""
        if self.unrestricted:
            return True
        return any(level in _INCLUDES[g.level] and g.covers(plan_id) for g in self.grants)

    def offices(self, plan_id: str | None) -> set[str]:
        """The offices the account is staff of on the plan."""
        return {
            g.office
            for g in self.grants
            if g.level == "staff" and g.office is not None and g.covers(plan_id)
        }


def recording_offices(plan: Plan, item: Item) -> tuple[str, ...]:
    """The offices whose staff record ``item``: its lead office, and its other offices if the
    plan lets them."""
    if plan.rules.other_offices_record:
        return item.offices
    return (item.lead_office,)


def item_of(plan: Plan, code: str) -> Item | None:
    """The plan's current item ``code``, or None (retired, or a milestone's code)."""
    try:
        return plan.item(code)
    except KeyError:
        return None


def may_record(rights: Rights, plan: Plan, item: Item) -> bool:
    """Whether the account may record (and undo its records of) ``item`` of ``plan``. The hook
    every way of recording calls — ``kpi update``, ``kpi done``, ``kpi import`` — before writing."""
    if rights.unrestricted:
        return True
    return bool(rights.offices(plan.id) & set(recording_offices(plan, item)))


def may_void(rights: Rights, plan: Plan, item: Item | None) -> bool:
    """A supervisor (or admin) voids any record; staff those of items their office records."""
    if rights.has("supervisor", plan.id):
        return True
    return item is not None and may_record(rights, plan, item)


def _office_words(plan: Plan, item: Item) -> str:
    offices = recording_offices(plan, item)
    if len(offices) == 1:
        return t("rights.led_by", office=item.lead_office)
    return t("rights.led_by_also", office=item.lead_office, others="、".join(offices[1:]))


def check_record(rights: Rights, plan: Plan, item: Item) -> None:
    if not may_record(rights, plan, item):
        raise Refused(
            t(
                "rights.no_record",
                code=item.code,
                led=_office_words(plan, item),
                user=rights.account,
            )
        )


def check_records(rights: Rights, plan: Plan, updates: Sequence[Update]) -> None:
    """Refuse a batch (an import) if any record is of an item the account may not record: one
    line for the first, one more for each other item refused; nothing is written."""
    check_items(rights, plan, [u.item_code for u in updates])


def check_items(rights: Rights, plan: Plan, codes: Iterable[str]) -> None:
    """As ``check_records``, given the codes of the items a batch records."""
    if rights.unrestricted:
        return
    refused: list[str] = []
    for code in dict.fromkeys(codes):
        item = item_of(plan, code)
        if item is not None and not may_record(rights, plan, item):
            refused.append(
                t("rights.no_record", code=code, led=_office_words(plan, item), user=rights.account)
            )
    if refused:
        raise Refused(refused[0], details=refused[1:])


def check_void(rights: Rights, plan: Plan, item: Item | None, record: Update) -> None:
    if may_void(rights, plan, item):
        return
    led = _office_words(plan, item) if item is not None else t("rights.led_by_none")
    raise Refused(t("rights.no_void", id=record.id, code=record.code, led=led, user=rights.account))


def check_undo(rights: Rights, plan: Plan, item: Item | None, record: Update) -> None:
    if item is not None and may_record(rights, plan, item):
        return
    led = _office_words(plan, item) if item is not None else t("rights.led_by_none")
    raise Refused(t("rights.no_undo", id=record.id, code=record.code, led=led, user=rights.account))


def check_load(rights: Rights, plan_id: str) -> None:
    """Loading (or retiring) a plan is an admin's, of that plan or of every plan."""
    if not rights.has("admin", plan_id):
        raise Refused(t("rights.no_load", plan=plan_id, user=rights.account))


def check_grant(rights: Rights, plan_id: str | None) -> None:
    """Granting is an admin's: of every plan for a right on every plan, else of that plan."""
    if not rights.in_force:
        raise Refused(t("rights.not_in_force"))
    if not rights.has("admin", plan_id):
        if plan_id is not None:
            raise Refused(t("rights.no_grant", plan=plan_id, user=rights.account))
        if any(g.level == "admin" for g in rights.grants):
            raise Refused(t("rights.no_grant_all", user=rights.account))
        raise Refused(t("rights.no_grant_any", user=rights.account))


_LEVEL_NAMES = {
    "staff": "rights.level_staff",
    "supervisor": "rights.level_supervisor",
    "admin": "rights.level_admin",
    "reader": "rights.level_reader",
}


def check_init(rights: Rights) -> None:
    """Setting rights up is anyone's before any right is granted, then an all-plan admin's."""
    if rights.in_force and not rights.has("admin", None):
        raise Refused(t("rights.no_init", user=rights.account))


def grants_to_add(
    events: Sequence[GrantEvent],
    role: str,
    level: Level,
    offices: Sequence[str],
    plan_id: str | None,
    by: str,
) -> list[GrantEvent]:
    """The grant events that give ``role`` the right (once per office for staff), leaving out
    any it holds already."""
    held = {g.key for g in effective(events)}
    each: list[str | None] = [*offices] or [None]
    return [
        GrantEvent(0, "grant", role, level, office, plan_id, by=by, at=None)
        for office in dict.fromkeys(each)
        if (role, level, office, plan_id) not in held
    ]


def grants_to_revoke(
    events: Sequence[GrantEvent],
    role: str,
    level: str | None,
    offices: Sequence[str],
    plan_id: str | None,
    by: str,
) -> list[GrantEvent]:
    """The revoke events that take away each right of ``role`` matching what is given: a level,
    offices, a plan (none given: every right of the role)."""
    return [
        GrantEvent(0, "revoke", g.role, g.level, g.office, g.plan_id, by=by, at=None)
        for g in effective(events)
        if g.role == role
        and (level is None or g.level == level)
        and (not offices or g.office in offices)
        and (plan_id is None or g.plan_id == plan_id)
    ]


def level_name(level: str) -> str:
    """The level as people call it: 填报人员, 督查人员, 管理员, 查阅人员."""
    return t(_LEVEL_NAMES[level]) if level in _LEVEL_NAMES else level


def describe_grant(level: str, office: str | None, plan_id: str | None) -> str:
    """A right in words: ``社区服务办 填报人员（全部计划）``."""
    who = level_name(level) if office is None else f"{office} {level_name(level)}"
    where = t("rights.every_plan") if plan_id is None else t("rights.one_plan", plan=plan_id)
    return f"{who}{where}"
