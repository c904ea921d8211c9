"""Weather focus (恶劣天气重点监管): what to check first when bad weather comes.

A profile maps a weather condition to industries and hazard keywords: 暴雨 names construction
units and open hazards that mention 深基坑, 塔吊, 地下空间… Profiles ship as defaults and are
edited into the `focus_profiles` setting (JSON, the whole list), each edit in history.

The units to check are those in one of the profile's industries, or with an open hazard
whose description holds one of its keywords; highest risk first (red, orange, yellow, blue,
none), then the longest uninspected (never inspected first, then most days since the last
inspection), then by unit id.
"""

from __future__ import annotations

import json
import unicodedata
from datetime import date
from typing import TYPE_CHECKING, Any

from hazreg.enums import ACTIVE, Industry
from hazreg.errors import InvalidInput, NotFound
from hazreg.storage import HazardFilter, Scope

if TYPE_CHECKING:
    from hazreg.register.base import Context
    from hazreg.register.places import Places

SETTING = "focus_profiles"
RISK_RANK = {"red": 0, "orange": 1, "yellow": 2, "blue": 3}

DEFAULT_PROFILES: list[dict[str, Any]] = [
    {"name": "高温", "aliases": ["heat", "酷暑"],
     "industries": ["hazardous_chemicals", "gas"],
     "keywords": ["危化品储存", "有限空间", "燃气", "户外作业", "防暑"]},
    {"name": "暴雨", "aliases": ["rainstorm", "强降雨"],
     "industries": ["construction"],
     "keywords": ["深基坑", "塔吊", "地下空间", "低洼", "地下车库", "边坡"]},
    {"name": "台风", "aliases": ["typhoon", "大风", "台风/大风", "wind"],
     "industries": ["construction", "special_equipment"],
     "keywords": ["塔吊", "脚手架", "广告牌", "临时建筑", "起重", "高处作业"]},
    {"name": "雷电", "aliases": ["lightning", "雷暴"],
     "industries": ["hazardous_chemicals", "fireworks"],
     "keywords": ["防雷", "避雷", "接地", "易燃易爆"]},
    {"name": "寒潮", "aliases": ["cold", "冰冻", "寒潮/冰冻", "低温"],
     "industries": ["gas"],
     "keywords": ["取暖", "一氧化碳", "结冰", "防冻", "冻裂"]},
]


def _key(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip().casefold()


def profiles(ctx: Context) -> list[dict[str, Any]]:
    """The register's focus profiles: as edited, else the defaults."""
    stored = ctx.store.setting(SETTING)
    return json.loads(stored) if stored else [dict(p) for p in DEFAULT_PROFILES]


def profile(ctx: Context, name: str) -> dict[str, Any]:
    """A profile by its name or one of its aliases (暴雨, 大风, typhoon)."""
    wanted = _key(name or "")
    for item in profiles(ctx):
        if wanted in {_key(item["name"]), *(_key(a) for a in item.get("aliases", []))}:
            return item
    raise NotFound("err.focus_not_found", name=name, names="、".join(p["name"] for p in profiles(ctx)))


def units_to_check(ctx: Context, item: dict[str, Any], localities: list[str]) -> list[dict[str, Any]]:
    """The profile's units in these localities (all if none), in the order to check them."""
    today = ctx.today()
    # An empty window (since after until) leaves every unit a "gap": its last inspection, if any.
    in_industry = {ind: {u["id"] for u in ctx.store.coverage_gaps(Scope([ind], localities), date.max, date.min)}
                   for ind in item["industries"]}
    by_industry = set().union(*in_industry.values())
    matched: dict[int, list[tuple[int, str]]] = {}
    if item["keywords"]:
        found, _ = ctx.store.hazards(HazardFilter(statuses=[s.value for s in ACTIVE], localities=localities), today)
        for hazard in found:
            words = [k for k in item["keywords"] if k in (hazard.get("description") or "")]
            if words:
                matched.setdefault(hazard["unit_id"], []).append((hazard["id"], "、".join(words)))
    ids = sorted(by_industry | set(matched))
    units = ctx.store.coverage_gaps(Scope((), localities, ids), date.max, date.min) if ids else []
    rows = []
    for unit in units:
        last = unit.get("last_inspected")
        hits = sorted(matched.get(unit["id"], []))
        rows.append({
            "unit_id": unit["id"], "name": unit["name"], "locality": unit["locality"], "risk": unit.get("risk"),
            "industries": [i for i in item["industries"] if unit["id"] in in_industry[i]],
            "keywords": sorted({w for _, words in hits for w in words.split("、")}, key=item["keywords"].index),
            "hazards": [f"H{h}" for h, _ in hits],
            "last_inspected": last,
            "days_uninspected": (today - date.fromisoformat(last)).days if last else None,
        })
    rows.sort(key=lambda r: (RISK_RANK.get(r["risk"], 4), r["last_inspected"] is not None,
                             -(r["days_uninspected"] or 0), r["unit_id"]))
    return rows


class Focus:
    """The register's weather focus: profiles, and the units to check for one of them."""

    def __init__(self, ctx: Context, places: Places) -> None:
        self.ctx = ctx
        self.places = places

    def profiles(self) -> list[dict[str, Any]]:
        return profiles(self.ctx)

    def profile(self, name: str) -> dict[str, Any]:
        return profile(self.ctx, name)

    def unit_ids(self, name: str, localities: list[str] | None = None) -> list[int]:
        return [r["unit_id"] for r in self.check(name, localities)["units"]]

    def check(self, name: str, localities: list[str] | None = None) -> dict[str, Any]:
        """The units and open hazards to check now for focus `name`, in the order to check them."""
        item = self.profile(name)
        places = self.places.filter_localities(localities)
        return {"focus": item["name"], "today": self.ctx.today().isoformat(), "localities": places,
                "industries": item["industries"], "keywords": item["keywords"],
                "units": units_to_check(self.ctx, item, places)}

    def edit_profile(self, name: str, industries: list[str] | None = None, keywords: Any = None) -> dict[str, Any]:
        """Change a profile's industries and/or keywords; recorded in history."""
        from hazreg.models import split_names

        if industries is None and keywords is None:
            raise InvalidInput("err.focus_edit_nothing", "focus")
        item = self.profile(name)
        changed = dict(item)
        if industries is not None:
            changed["industries"] = list(dict.fromkeys(Industry.parse(v, "industry").value for v in industries))
        if keywords is not None:
            changed["keywords"] = split_names(keywords)
        if not changed["industries"] and not changed["keywords"]:
            raise InvalidInput("err.focus_empty", "focus", name=item["name"])
        everything = [changed if p["name"] == item["name"] else p for p in self.profiles()]
        with self.ctx.store.transaction():
            self.ctx.store.set_setting(SETTING, json.dumps(everything, ensure_ascii=False))
            self.ctx.log("settings", 0, "focus_profile", {"profile": item}, {"profile": changed}, item["name"])
        return changed


__all__ = ["DEFAULT_PROFILES", "Focus", "profile", "profiles", "units_to_check"]
