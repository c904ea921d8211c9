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
import re
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
_CODE = re.compile(r"^11B\d{2}$", re.IGNORECASE)  # an event type code of the national early-warning system
RISK_RANK = {"red": 0, "orange": 1, "yellow": 2, "blue": 3}

DEFAULT_PROFILES: list[dict[str, Any]] = [
    {"name": "高温", "aliases": ["heat", "酷暑"],
     "industries": ["hazardous_chemicals", "gas"],
     "keywords": ["危化品储存", "有限空间", "燃气", "户外作业", "防暑"],
     "events": ["11B09", "11B10", "11B24", "高温", "热浪", "高温中暑"]},
    {"name": "暴雨", "aliases": ["rainstorm", "强降雨"],
     "industries": ["construction"],
     "keywords": ["深基坑", "塔吊", "地下空间", "低洼", "地下车库", "边坡"],
     "events": ["11B03", "11B38", "11B64", "11B49", "11B36", "暴雨", "强降雨", "短时强降雨", "台风暴雨", "渍涝风险"]},
    {"name": "台风", "aliases": ["typhoon", "大风", "台风/大风", "wind"],
     "industries": ["construction", "special_equipment"],
     "keywords": ["塔吊", "脚手架", "广告牌", "临时建筑", "起重", "高处作业"],
     "events": ["11B01", "11B06", "11B02", "11B12", "11B20", "11B58", "台风", "大风", "龙卷风", "下击暴流",
                "雷雨大风", "雷暴大风"]},
    {"name": "雷电", "aliases": ["lightning", "雷暴"],
     "industries": ["hazardous_chemicals", "fireworks"],
     "keywords": ["防雷", "避雷", "接地", "易燃易爆"],
     "events": ["11B14", "11B43", "11B31", "11B15", "雷电", "雷暴", "强对流", "冰雹"]},
    {"name": "寒潮", "aliases": ["cold", "冰冻", "寒潮/冰冻", "低温"],
     "industries": ["gas"],
     "keywords": ["取暖", "一氧化碳", "结冰", "防冻", "冻裂"],
     "events": ["11B05", "11B08", "11B21", "11B27", "11B30", "11B04", "11B33", "11B16", "11B39", "11B57",
                "寒潮", "低温冻害", "道路结冰", "冰冻", "低温雨雪冰冻", "暴雪", "大雪", "霜冻", "强降温", "道路冰雪"]},
]


def _key(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip().casefold()


def profiles(ctx: Context) -> list[dict[str, Any]]:
    """The register's focus profiles: as edited, else the defaults. A profile stored before profiles
    named warning events (`events`) answers the shipped profile's events."""
    stored = ctx.store.setting(SETTING)
    if not stored:
        return [{**p, "events": list(p["events"])} for p in DEFAULT_PROFILES]
    shipped = {p["name"]: p["events"] for p in DEFAULT_PROFILES}
    return [item if "events" in item else {**item, "events": list(shipped.get(item["name"], []))}
            for item in json.loads(stored)]


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

    def edit_profile(self, name: str, industries: list[str] | None = None, keywords: Any = None,
                     events: Any = None) -> dict[str, Any]:
        """Change a profile's industries, keywords and/or warning events (codes such as 11B03 and
        Chinese event names, read by `from_warning`); recorded in history."""
        from hazreg.models import split_names

        if industries is None and keywords is None and events is None:
            raise InvalidInput("err.focus_edit_nothing", "focus")
        item = self.profile(name)
        changed = dict(item)
        if industries is not None:
            changed["industries"] = list(dict.fromkeys(Industry.parse(v, "industry").value for v in industries))
        if keywords is not None:
            changed["keywords"] = split_names(keywords)
        if events is not None:
            changed["events"] = [e.upper() if _CODE.match(e) else e for e in split_names(events)]
        if not changed["industries"] and not changed["keywords"]:
            raise InvalidInput("err.focus_empty", "focus", name=item["name"])
        everything = [changed if p["name"] == item["name"] else p for p in self.profiles()]
        with self.ctx.store.transaction():
            self.ctx.store.set_setting(SETTING, json.dumps(everything, ensure_ascii=False))
            self.ctx.log("settings", 0, "focus_profile", {"profile": item}, {"profile": changed}, item["name"])
        return changed

    def from_warning(self, data: bytes, localities: list[str] | None = None, lang: str = "zh") -> dict[str, Any]:
        """The focus an official early-warning file (CAP XML) calls for, and the units to check for
        it, with the warning as `warning` (its block in `lang` where it has one, else the first)."""
        from hazreg.register import warning

        alert = warning.read_cap(data)
        items = self.profiles()
        shown = warning.choose_info(alert["infos"], lang)
        ordered = [shown, *(i for i in alert["infos"] if i is not shown)]
        found = None
        for info in ordered:
            names = [info["event"], warning.headline_event(info["headline"]) or ""]
            found = warning.match_profile(items, info["codes"], names)
            if found:
                break
        if found is None:
            events = [i["event"] or warning.headline_event(i["headline"]) or i["headline"] for i in ordered]
            codes = [c for i in ordered for c in i["codes"]]
            raise InvalidInput("err.cap_unmapped", "warning",
                               event="、".join(dict.fromkeys(e for e in [*events, *codes] if e)) or "—",
                               names="、".join(p["name"] for p in items))
        item, matched = found
        code = next((c for c in shown["codes"] if _CODE.match(c)), None)
        result = self.check(item["name"], localities)
        return {"warning": {**warning.summary(alert, shown, code, self.ctx.timezone), "matched": matched}, **result}


__all__ = ["DEFAULT_PROFILES", "Focus", "profile", "profiles", "units_to_check"]
