"""Official early-warning files (预警信息): the CAP XML of China's national early-warning release
system (国家突发事件预警信息发布系统), read to choose a weather focus.

The file is a CAP 1.2 message (OASIS Common Alerting Protocol, namespace
urn:oasis:names:tc:emergency:cap:1.2; GB/T 35965.1-2018 应急信息交互协议 第1部分：预警信息 keeps
its layout): `alert` (identifier, sender, sent, status, msgType) with one `info` block per
language (zh-CN, often en-US too), each with `event` (暴雨), `eventCode` (valueName/value: the
event type code, 11B03 for 暴雨), `severity`, `effective`/`onset`, `expires`, `senderName`,
`headline` (临江市气象台发布暴雨蓝色预警信号) and `area` (areaDesc, geocode).

Event type codes: the meteorological ones are 11Bxx (11B01 台风, 11B03 暴雨, 11B05 寒潮, 11B06 大风,
11B09 高温, 11B14 雷电, 11B15 冰雹, 11B17 大雾, 11B21 道路结冰 …; the table the national system's
feeds use, as republished in QWeather's warning-type list). Each focus profile lists the codes
and Chinese event names it answers (`events`, editable with `focus profile edit --events`); the
code is matched first, then the event name without its colour and 预警/信号 (道路结冰橙色预警 →
道路结冰), then the profile's own name and aliases (Rainstorm → 暴雨).

Level (预警级别, four colours): `severity` as the national system writes it (Red, Orange, Yellow,
Blue, or 红色…), else CAP's own scale (Extreme, Severe, Moderate, Minor → red … blue), else the
colour named in the headline or event.

The file is read safely: at most 1 MB (a warning is a few KB), and a document type declaration
is refused before ElementTree sees the text (CAP has none; a DTD is how entity expansion —
"billion laughs" — and external entities get in).
"""

from __future__ import annotations

import re
import unicodedata
import xml.etree.ElementTree as ET
from datetime import datetime
from typing import Any
from xml.parsers import expat

from hazreg import dates
from hazreg.errors import InvalidInput

MAX_BYTES = 1_000_000
CAP_NAMESPACES = ("urn:oasis:names:tc:emergency:cap:1.2", "urn:oasis:names:tc:emergency:cap:1.1")
LEVELS = ("red", "orange", "yellow", "blue")
_SEVERITY = {
    "red": "red", "红色": "red", "红": "red", "extreme": "red",
    "orange": "orange", "橙色": "orange", "橙": "orange", "severe": "orange",
    "yellow": "yellow", "黄色": "yellow", "黄": "yellow", "moderate": "yellow",
    "blue": "blue", "蓝色": "blue", "蓝": "blue", "minor": "blue",
}
_COLOUR = re.compile(r"(红|橙|黄|蓝)色")
_SUFFIX = re.compile(r"(?:(?:红|橙|黄|蓝)色)?(?:预警信号|预警|信号)?$")
_CODE = re.compile(r"^11B\d{2}$", re.IGNORECASE)


class _Refused(Exception):
    pass


def _no_doctype(data: bytes) -> None:
    """Parse once with expat, refusing any document type declaration or entity declaration."""
    parser = expat.ParserCreate()

    def refuse(*_args: Any) -> None:
        raise _Refused

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    try:
        parser.Parse(data, True)
    except _Refused:
        raise InvalidInput("err.cap_doctype", "warning") from None
    except expat.ExpatError as error:
        raise InvalidInput("err.cap_not_xml", "warning", detail=str(error)) from None


_GB_DECLARATION = re.compile(rb"""^(\s*<\?xml[^>]*encoding\s*=\s*["'])(gb2312|gbk|gb18030)(["'])""", re.IGNORECASE)


def _as_utf8(data: bytes) -> bytes:
    """A file declared in GB2312/GBK/GB18030 (some provincial systems write them), as UTF-8:
    expat reads only UTF-8, UTF-16 and Latin-1 itself."""
    found = _GB_DECLARATION.match(data)
    if not found:
        return data
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError as error:
        raise InvalidInput("err.cap_not_xml", "warning", detail=str(error)) from None
    return _GB_DECLARATION.sub(rb"\1UTF-8\3", text.encode("utf-8"), count=1)


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _text(element: ET.Element | None) -> str:
    return unicodedata.normalize("NFC", (element.text or "")).strip() if element is not None else ""


def _child(element: ET.Element, name: str) -> ET.Element | None:
    return next((c for c in element if _local(c.tag) == name), None)


def _children(element: ET.Element, name: str) -> list[ET.Element]:
    return [c for c in element if _local(c.tag) == name]


def read_cap(data: bytes) -> dict[str, Any]:
    """The CAP message in `data`: the alert's fields and its info blocks, in file order."""
    if len(data) > MAX_BYTES:
        raise InvalidInput("err.cap_too_big", "warning", size=len(data))
    data = _as_utf8(data)
    _no_doctype(data)
    root = ET.fromstring(data)  # safe now: no DTD, so no entity but the five predefined ones
    namespace = root.tag[1:].split("}", 1)[0] if root.tag.startswith("{") else ""
    if _local(root.tag) != "alert" or namespace not in CAP_NAMESPACES:
        raise InvalidInput("err.cap_not_cap", "warning", root=_local(root.tag), namespace=namespace or "—")
    infos = []
    for block in _children(root, "info"):
        codes = [_text(_child(c, "value")) for c in _children(block, "eventCode")]
        codes += [_text(c) for c in _children(block, "eventType")]  # GB/T 35965.1 feeds may name it so
        areas = _children(block, "area")
        infos.append({
            "language": _text(_child(block, "language")) or "en-US",  # CAP's default
            "event": _text(_child(block, "event")),
            "codes": [c.upper() for c in codes if c],
            "severity": _text(_child(block, "severity")),
            "urgency": _text(_child(block, "urgency")),
            "effective": _text(_child(block, "effective")) or _text(_child(block, "onset")),
            "expires": _text(_child(block, "expires")),
            "sender_name": _text(_child(block, "senderName")),
            "headline": _text(_child(block, "headline")),
            "description": _text(_child(block, "description")),
            "instruction": _text(_child(block, "instruction")),
            "areas": [_text(_child(a, "areaDesc")) for a in areas if _text(_child(a, "areaDesc"))],
            "geocodes": [_text(_child(g, "value")) for a in areas for g in _children(a, "geocode")
                         if _text(_child(g, "value"))],
        })
    if not infos:
        raise InvalidInput("err.cap_no_info", "warning")
    return {"identifier": _text(_child(root, "identifier")), "sender": _text(_child(root, "sender")),
            "sent": _text(_child(root, "sent")), "status": _text(_child(root, "status")),
            "msg_type": _text(_child(root, "msgType")), "infos": infos}


def _key(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().casefold()


def event_name(text: str) -> str:
    """An event as the warning names it, without colour and 预警/信号: 道路结冰橙色预警 → 道路结冰."""
    return _SUFFIX.sub("", unicodedata.normalize("NFC", text).strip()) or text.strip()


def match_profile(items: list[dict[str, Any]], codes: list[str], names: list[str]) -> tuple[dict[str, Any], str] | None:
    """The profile answering these event codes or names, and what matched: a code first (the
    system's classification), then an event name listed in a profile, then a profile's name or alias."""
    for code in codes:
        for item in items:
            if code.upper() in {e.upper() for e in item.get("events", []) if _CODE.match(e)}:
                return item, code.upper()
    wanted = [_key(event_name(n)) for n in names if n]
    for name in wanted:
        for item in items:
            if name in {_key(e) for e in item.get("events", []) if not _CODE.match(e)}:
                return item, name
    for name in wanted:
        for item in items:
            if name in {_key(item["name"]), *(_key(a) for a in item.get("aliases", []))}:
                return item, name
    return None


def level_of(info: dict[str, Any]) -> str | None:
    """The warning's colour: severity (national colours, else CAP's scale), else the headline's colour."""
    found = _SEVERITY.get(_key(info["severity"]))
    if found:
        return found
    for text in (info["headline"], info["event"]):
        colour = _COLOUR.search(text or "")
        if colour:
            return _SEVERITY[colour.group(1)]
    return None


def moment(text: str, tz: str) -> datetime | None:
    """A CAP dateTime (2026-11-29T10:00:00+08:00; without an offset, the register's zone)."""
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dates.zone(tz))


def shown_time(text: str, tz: str) -> str | None:
    value = moment(text, tz)
    return value.astimezone(dates.zone(tz)).strftime("%Y-%m-%d %H:%M") if value else (text or None)


def choose_info(infos: list[dict[str, Any]], lang: str) -> dict[str, Any]:
    """The block to show: the one in the interface's language, else the first."""
    return next((i for i in infos if i["language"].lower().startswith(lang)), infos[0])


def summary(alert: dict[str, Any], info: dict[str, Any], code: str | None, tz: str) -> dict[str, Any]:
    """What the officer reads above the list: headline, level, area, valid period, and whether it is still on."""
    expires = moment(info["expires"], tz) if info["expires"] else None
    return {
        "identifier": alert["identifier"], "status": alert["status"], "msg_type": alert["msg_type"],
        "sender_name": info["sender_name"], "headline": info["headline"] or info["event"], "event": info["event"],
        "code": code, "level": level_of(info), "severity": info["severity"], "areas": info["areas"],
        "effective": shown_time(info["effective"], tz) if info["effective"] else None,
        "expires": shown_time(info["expires"], tz) if info["expires"] else None,
        "expired": bool(expires and expires <= dates.now_utc()),
        "language": info["language"],
    }


def headline_event(headline: str) -> str | None:
    """The event a headline names: 临江市气象台发布暴雨蓝色预警信号 → 暴雨."""
    found = re.search(r"(?:发布|更新|升级|降级|解除|继续发布)(.+?)(?:红|橙|黄|蓝)色预警", headline or "")
    return found.group(1) if found else None


__all__ = ["LEVELS", "MAX_BYTES", "choose_info", "event_name", "headline_event", "level_of", "match_profile",
           "read_cap", "summary"]
