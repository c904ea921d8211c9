"""Localities (属地: 镇, 街道, 管委会/园区, with 村/社区 and 网格 under them) and departments (安委会
成员单位, each supervising some industries) as managed lists.

Every path that takes a locality asks `Places.locality` (a name for a new or changed record:
on the list and not retired) or `Places.filter_localities` (a filter: on the list, retired
ones too, since old records keep them). Both refuse an unknown name with the closest names on
the list. A register whose list is empty (a new one, before `locality add` or `locality
import`) takes any name: the list is checked once there is one. A register migrated from
before the list (m008) has one already: every name its records used.

A merge (`locality merge 青山 --into 青山镇`) moves every record of one locality to another and
is logged as a change of each record moved (action `merge_locality`, before and after), so the
history still replays to the register (`hazreg check`); the merged locality is retired and
names the one it went into.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from hazreg import dates
from hazreg.enums import Industry, LocalityKind
from hazreg.errors import InvalidInput, Refused
from hazreg.places import closest, near_duplicates, norm
from hazreg.register.base import Context, diff, new_uid, parse_id
from hazreg.storage import HazardFilter, UnitFilter

# The kinds that sit under a town, sub-district or zone, and those they may sit under.
_UNDER = {"village": ("town", "subdistrict", "zone"), "community": ("town", "subdistrict", "zone"),
          "grid": ("town", "subdistrict", "zone", "village", "community")}
# Records that keep locality names in a list (JSON), by record type.
_LISTS_OF = (("inspectors", "inspector"), ("leaders", "leader"), ("campaigns", "campaign"))


class Places:
    """The register's localities and departments."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    # -- localities -------------------------------------------------------------------------

    def localities(self, retired: bool = True) -> list[dict[str, Any]]:
        """The list, by name; with the name of each one's parent (and of the one merged into)."""
        rows = self.ctx.store.all_listed("localities")
        names = {r["id"]: r["name"] for r in rows}
        for r in rows:
            r["parent"] = names.get(r["parent_id"]) if r.get("parent_id") else None
            r["merged_into_name"] = names.get(r["merged_into"]) if r.get("merged_into") else None
        return [r for r in rows if retired or not r.get("retired_on")]

    def managed(self) -> bool:
        """Whether the register has a list of localities (else any name is taken)."""
        return self.ctx.store.count("localities") > 0

    def _unknown(self, name: str, names: Iterable[str]) -> InvalidInput:
        near = closest(name, names)
        if near:
            return InvalidInput("err.not_locality_near", value=name, near="、".join(near))
        return InvalidInput("err.not_locality", value=name)

    def find_locality(self, ref: str | int) -> dict[str, Any]:
        """A locality by its exact name (or id: T3); refused with the closest names if none."""
        text = norm(str(ref))
        if not text:
            raise InvalidInput("err.required", "locality")
        found = self.ctx.store.listed("localities", name=text)
        if found is None and text[:1] in "Tt" and text[1:].isdigit():
            found = self.ctx.store.listed("localities", parse_id(text, "T", "locality"))
        if found is None:
            raise self._unknown(text, (r["name"] for r in self.ctx.store.all_listed("localities")))
        return found

    def locality(self, name: str) -> str:
        """The name to record for a new or changed record: on the list and not retired."""
        text = norm(name)
        if not self.managed():
            return text
        found = self.ctx.store.listed("localities", name=text)
        if found is None:
            raise self._unknown(text, (r["name"] for r in self.localities(retired=False)))
        if found.get("retired_on"):
            into = self.ctx.store.listed("localities", found["merged_into"]) if found.get("merged_into") else None
            raise InvalidInput("err.locality_retired", value=text, on=found["retired_on"],
                               into=f"; → {into['name']}" if into else "")
        return text

    def localities_for(self, names: Sequence[str] | None) -> list[str]:
        """Names for a new or changed record's list of localities (an inspector's, a leader's)."""
        return [self.locality(n) for n in names or [] if n and n.strip()]

    def filter_localities(self, names: Sequence[str] | None) -> list[str]:
        """Names in a filter: on the list, retired ones too (old records keep them)."""
        out = [norm(n) for n in names or []]
        if out and self.managed():
            listed = {r["name"] for r in self.ctx.store.all_listed("localities")}
            for name in out:
                if name not in listed:
                    raise self._unknown(name, listed)
        return out

    def add_locality(self, name: str, kind: str | None = None, parent: str | None = None) -> dict[str, Any]:
        from hazreg.places import kind_of

        text = norm(name)
        if not text:
            raise InvalidInput("err.required", "name")
        if len(text) > 100:
            raise InvalidInput("err.too_long", "name", max=100)
        if self.ctx.store.listed("localities", name=text):
            raise Refused("err.name_taken", name=text)
        key = LocalityKind.parse(kind, "kind").value if kind else kind_of(text)
        parent_id = self._parent(key, parent)
        now = dates.timestamp()
        record = {"name": text, "kind": key, "parent_id": parent_id}
        with self.ctx.store.transaction():
            record_id = self.ctx.store.insert_listed(
                "localities", {"uid": new_uid(), **record, "created_at": now, "updated_at": now})
            self.ctx.log("locality", record_id, "create", None, record)
        return self.find_locality(text)

    def _parent(self, kind: str, parent: str | None, self_id: int | None = None) -> int | None:
        if not parent:
            return None
        found = self.find_locality(parent)
        if found.get("retired_on"):
            raise InvalidInput("err.locality_retired", "parent", value=found["name"], on=found["retired_on"], into="")
        allowed = _UNDER.get(kind, ())
        if found["kind"] not in allowed or found["id"] == self_id:
            raise InvalidInput("err.locality_parent", "parent", kind=LocalityKind.parse(kind).label(),
                               parent=found["name"], parent_kind=LocalityKind.parse(found["kind"]).label())
        return int(found["id"])

    def edit_locality(self, ref: str, kind: str | None = None, parent: str | None = None) -> dict[str, Any]:
        """Change a locality's kind or parent (`--parent ""` removes it); its name is changed by a
        merge into a new one, so records and history agree."""
        current = self.find_locality(ref)
        if kind is None and parent is None:
            raise InvalidInput("err.nothing_to_edit", allowed="--kind, --parent")
        key = LocalityKind.parse(kind, "kind").value if kind else current["kind"]
        if parent is None:
            parent_id = current["parent_id"]
            if parent_id:  # the kind changed: the parent it has must still fit
                parent_row = self.ctx.store.listed("localities", parent_id)
                parent_id = self._parent(key, parent_row["name"] if parent_row else None, current["id"])
        else:
            parent_id = self._parent(key, parent, current["id"])
        old = {"kind": current["kind"], "parent_id": current["parent_id"]}
        before, after = diff(old, {"kind": key, "parent_id": parent_id})
        if after:
            with self.ctx.store.transaction():
                self.ctx.store.update_listed("localities", current["id"], {**after, "updated_at": dates.timestamp()})
                self.ctx.log("locality", current["id"], "edit", before, after)
        return self.find_locality(current["name"])

    def retire_locality(self, ref: str, on: str | None = None) -> dict[str, Any]:
        """Retire a locality: old records keep it, new ones cannot choose it."""
        current = self.find_locality(ref)
        if current.get("retired_on"):
            raise Refused("err.already_retired", name=current["name"], on=current["retired_on"])
        day = self.ctx.happened(on, "on").isoformat()
        with self.ctx.store.transaction():
            self.ctx.store.update_listed("localities", current["id"], {"retired_on": day, "updated_at": dates.timestamp()})
            self.ctx.log("locality", current["id"], "retire", {"retired_on": None}, {"retired_on": day})
        return self.find_locality(current["name"])

    def near_duplicates(self) -> list[tuple[str, str]]:
        """Pairs of localities on the list (not retired) that may be one place (hazreg.places)."""
        return near_duplicates(r["name"] for r in self.localities(retired=False))

    def merge(self, source: str, into: str) -> dict[str, int]:
        """Move every record of locality `source` to `into`, each move logged as a change of the
        record it moved; `source` is retired, naming `into`. Returns the records moved, by kind."""
        old = self.find_locality(source)
        new = self.find_locality(into)
        if old["id"] == new["id"]:
            raise InvalidInput("err.merge_self", value=old["name"])
        if new.get("retired_on"):
            raise InvalidInput("err.locality_retired", "into", value=new["name"], on=new["retired_on"], into="")
        a, b = old["name"], new["name"]
        store, today = self.ctx.store, self.ctx.today()
        moved = {"unit": 0, "hazard": 0, "inspector": 0, "leader": 0, "campaign": 0, "locality": 0, "accident": 0,
                 "case": 0}
        note = f"{a} → {b}"
        now = dates.timestamp()
        with store.transaction():
            for unit in list(store.iter_units(UnitFilter(localities=[a]))):
                store.update_unit(unit["id"], {"locality": b, "updated_at": now})
                self.ctx.log("unit", unit["id"], "merge_locality", {"locality": a}, {"locality": b}, note)
                moved["unit"] += 1
            for hazard in list(store.iter_hazards(HazardFilter(localities=[a]), today)):
                store.update_hazard(hazard["id"], {"locality": b, "updated_at": now}, today)
                self.ctx.log("hazard", hazard["id"], "merge_locality", {"locality": a}, {"locality": b}, note)
                moved["hazard"] += 1
            for accident in store.accidents():
                if accident["locality"] == a:
                    store.update_accident(accident["id"], {"locality": b, "updated_at": now})
                    self.ctx.log("accident", accident["id"], "merge_locality", {"locality": a}, {"locality": b}, note)
                    moved["accident"] += 1
            for case in store.cases():
                if case["locality"] == a:
                    store.update_case(case["id"], {"locality": b, "updated_at": now})
                    self.ctx.log("case", case["id"], "merge_locality", {"locality": a}, {"locality": b}, note)
                    moved["case"] += 1
            for table, record_type in _LISTS_OF:
                for row in store.all_listed(table):
                    if a in row["localities"]:
                        places = list(dict.fromkeys(b if x == a else x for x in row["localities"]))
                        store.update_listed(table, row["id"], {"localities": places, "updated_at": now})
                        self.ctx.log(record_type, row["id"], "merge_locality", {"localities": row["localities"]},
                                     {"localities": places}, note)
                        moved[record_type] += 1
            for row in store.all_listed("localities"):
                if row.get("parent_id") == old["id"]:
                    store.update_listed("localities", row["id"], {"parent_id": new["id"], "updated_at": now})
                    self.ctx.log("locality", row["id"], "edit", {"parent_id": old["id"]}, {"parent_id": new["id"]}, note)
                    moved["locality"] += 1
            day = today.isoformat()
            store.update_listed("localities", old["id"], {"retired_on": day, "merged_into": new["id"], "updated_at": now})
            self.ctx.log("locality", old["id"], "merge", {"retired_on": None, "merged_into": None},
                         {"retired_on": day, "merged_into": new["id"], "moved": moved}, note)
        return moved

    def import_localities(self, rows: list[dict[str, str]]) -> list[dict[str, Any]]:
        """Localities from a CSV (name, kind, parent), parents before their children; all or
        nothing. A name already on the list is left as it is."""
        added = []
        with self.ctx.store.transaction():
            for n, row in enumerate(rows, start=2):
                name = norm(row.get("name") or row.get("名称") or "")
                if not name or self.ctx.store.listed("localities", name=name):
                    continue
                try:
                    added.append(self.add_locality(name, row.get("kind") or row.get("类型") or None,
                                                   row.get("parent") or row.get("上级") or None))
                except InvalidInput as e:
                    raise InvalidInput("err.import_row", row=n, reason=e.message()) from e
        return added

    # -- departments ------------------------------------------------------------------------

    def departments(self, retired: bool = True) -> list[dict[str, Any]]:
        return [r for r in self.ctx.store.all_listed("departments") if retired or not r.get("retired_on")]

    def find_department(self, ref: str) -> dict[str, Any]:
        text = norm(str(ref))
        if not text:
            raise InvalidInput("err.required", "department")
        found = self.ctx.store.listed("departments", name=text)
        if found is None and text[:1] in "Bb" and text[1:].isdigit():
            found = self.ctx.store.listed("departments", parse_id(text, "B", "department"))
        if found is None:
            near = closest(text, (r["name"] for r in self.ctx.store.all_listed("departments")))
            if near:
                raise InvalidInput("err.not_department_near", value=text, near="、".join(near))
            raise InvalidInput("err.not_department", value=text)
        return found

    def department(self, ref: str) -> dict[str, Any]:
        """A department a new inspection may name: on the list and not retired."""
        found = self.find_department(ref)
        if found.get("retired_on"):
            raise InvalidInput("err.department_retired", value=found["name"], on=found["retired_on"])
        return found

    @staticmethod
    def _industries(values: Sequence[str] | None) -> list[str]:
        return list(dict.fromkeys(Industry.parse(v, "industries").value for v in values or [] if v.strip()))

    def add_department(self, name: str, industries: Sequence[str] | None = None) -> dict[str, Any]:
        text = norm(name)
        if not text:
            raise InvalidInput("err.required", "name")
        if len(text) > 100:
            raise InvalidInput("err.too_long", "name", max=100)
        if self.ctx.store.listed("departments", name=text):
            raise Refused("err.name_taken", name=text)
        record = {"name": text, "industries": self._industries(industries)}
        now = dates.timestamp()
        with self.ctx.store.transaction():
            record_id = self.ctx.store.insert_listed(
                "departments", {"uid": new_uid(), **record, "created_at": now, "updated_at": now})
            self.ctx.log("department", record_id, "create", None, record)
        return self.find_department(text)

    def edit_department(self, ref: str, name: str | None = None, industries: Sequence[str] | None = None) -> dict[str, Any]:
        current = self.find_department(ref)
        if name is None and industries is None:
            raise InvalidInput("err.nothing_to_edit", allowed="--name, --industries")
        new_name: str = norm(name) if name is not None else current["name"]
        if not new_name:
            raise InvalidInput("err.required", "name")
        new = {"name": new_name,
               "industries": self._industries(industries) if industries is not None else current["industries"]}
        holder = self.ctx.store.listed("departments", name=new_name)
        if holder and holder["id"] != current["id"]:
            raise Refused("err.name_taken", name=new_name)
        before, after = diff({"name": current["name"], "industries": current["industries"]}, new)
        if after:
            with self.ctx.store.transaction():
                self.ctx.store.update_listed("departments", current["id"], {**after, "updated_at": dates.timestamp()})
                self.ctx.log("department", current["id"], "edit", before, after)
        return self.find_department(new_name)

    def retire_department(self, ref: str, on: str | None = None) -> dict[str, Any]:
        current = self.find_department(ref)
        if current.get("retired_on"):
            raise Refused("err.already_retired", name=current["name"], on=current["retired_on"])
        day = self.ctx.happened(on, "on").isoformat()
        with self.ctx.store.transaction():
            self.ctx.store.update_listed("departments", current["id"], {"retired_on": day, "updated_at": dates.timestamp()})
            self.ctx.log("department", current["id"], "retire", {"retired_on": None}, {"retired_on": day})
        return self.find_department(current["name"])

    def import_departments(self, rows: list[dict[str, str]]) -> list[dict[str, Any]]:
        """Departments from a CSV (name, industries separated by 、 , / ；); all or nothing. A
        name already on the list is left as it is."""
        import re

        added = []
        with self.ctx.store.transaction():
            for n, row in enumerate(rows, start=2):
                name = norm(row.get("name") or row.get("名称") or "")
                if not name or self.ctx.store.listed("departments", name=name):
                    continue
                text = row.get("industries") or row.get("监管行业") or ""
                try:
                    added.append(self.add_department(name, re.split(r"[、,，/；;]", text)))
                except InvalidInput as e:
                    raise InvalidInput("err.import_row", row=n, reason=e.message()) from e
        return added


class LocalityCheck:
    """The locality check of an import, row by row, without a query per row: names on the list
    (not retired) pass; an unknown one is refused with the closest names, or, with `add`, put on
    the list (its kind guessed from its name, logged like `locality add`)."""

    def __init__(self, places: Places, add: bool) -> None:
        self.places = places
        self.add = add
        self.managed = places.managed()
        rows = places.localities()
        self.active = {r["name"] for r in rows if not r.get("retired_on")}
        self.listed = {r["name"] for r in rows}

    def __call__(self, name: str) -> str:
        text = norm(name)
        if text in self.active or not text:
            return text
        if self.add and text not in self.listed:
            self.places.add_locality(text)
            self.active.add(text)
            self.listed.add(text)
            self.managed = True
            return text
        if not self.managed:
            return text
        return self.places.locality(text)  # refuses it, saying why
