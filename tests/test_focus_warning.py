"""`hazreg focus --from warning.xml`: an official early-warning file (CAP 1.2, as China's national
early-warning release system sends it) names the weather, and the focus list follows.

The tests write their own CAP files: the national system's layout (alert / info in zh-CN and
en-US / eventCode 11Bxx / severity / effective, expires / area with areaDesc and geocode)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hazreg.errors import InvalidInput
from hazreg.register import Register
from hazreg.register.warning import read_cap

CAP = "urn:oasis:names:tc:emergency:cap:1.2"


def info(lang: str, event: str, code: str | None, severity: str, headline: str, *,
         effective: str = "2026-11-29T10:00:00+08:00", expires: str = "2026-11-30T10:00:00+08:00",
         area: str = "临江市江北区", sender: str = "临江市气象台") -> str:
    code_xml = f"<eventCode><valueName>CAP</valueName><value>{code}</value></eventCode>" if code else ""
    return f"""
  <info>
    <language>{lang}</language>
    <category>Met</category>
    <event>{event}</event>
    <urgency>Expected</urgency>
    <severity>{severity}</severity>
    <certainty>Likely</certainty>
    {code_xml}
    <effective>{effective}</effective>
    <expires>{expires}</expires>
    <senderName>{sender}</senderName>
    <headline>{headline}</headline>
    <description>预计未来12小时内将出现暴雨。</description>
    <area>
      <areaDesc>{area}</areaDesc>
      <geocode><valueName>GB/T 2260</valueName><value>330182</value></geocode>
    </area>
  </info>"""


def alert(*infos: str, msg_type: str = "Alert", status: str = "Actual", prefix: str = "") -> str:
    """A whole CAP message; `prefix` 'cap:' writes it with a namespace prefix instead of a default."""
    p = prefix
    xmlns = f'xmlns:{p[:-1]}="{CAP}"' if p else f'xmlns="{CAP}"'
    body = "".join(infos)
    if p:  # every element of the message carries the prefix
        import re

        body = re.sub(r"<(/?)([a-zA-Z]+)>", rf"<\1{p}\2>", body)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<{p}alert {xmlns}>
  <{p}identifier>33018241600000_20261129100000_0</{p}identifier>
  <{p}sender>33018241600000</{p}sender>
  <{p}sent>2026-11-29T10:00:00+08:00</{p}sent>
  <{p}status>{status}</{p}status>
  <{p}msgType>{msg_type}</{p}msgType>
  <{p}scope>Public</{p}scope>{body}
</{p}alert>
"""


RAIN = alert(
    info("zh-CN", "暴雨", "11B03", "Blue", "临江市气象台发布暴雨蓝色预警信号"),
    info("en-US", "Rainstorm", "11B03", "Blue", "Linjiang Meteorological Observatory issues a blue rainstorm warning",
         area="Jiangbei District, Linjiang", sender="Linjiang Meteorological Observatory"),
)


def write(tmp_path: Path, text: str | bytes, name: str = "warning.xml") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


@pytest.fixture
def town(reg: Register) -> Register:
    """Today is 2026-11-29. A construction site (暴雨, 台风), a chemical works (高温, 雷电),
    a gas station (寒潮), a restaurant with an open 地下空间 hazard (暴雨)."""
    for name, industry, risk in (("甲建筑", "construction", "red"), ("乙化工", "hazardous_chemicals", "red"),
                                 ("丙燃气", "gas", "orange"), ("丁饭店", "fire", "yellow")):
        reg.units.add({"name": name, "industry": industry, "risk": risk, "locality": "青山镇"})
    reg.hazards.add({"unit": "U4", "description": "地下空间排水不畅"})
    return reg


# -- reading the file -----------------------------------------------------------------------

def test_read_cap_gives_each_info_block():
    alert_ = read_cap(RAIN.encode())
    assert alert_["identifier"] == "33018241600000_20261129100000_0"
    assert alert_["status"] == "Actual" and alert_["msg_type"] == "Alert"
    zh, en = alert_["infos"]
    assert zh["language"] == "zh-CN" and zh["event"] == "暴雨" and zh["codes"] == ["11B03"]
    assert zh["severity"] == "Blue" and zh["areas"] == ["临江市江北区"] and zh["geocodes"] == ["330182"]
    assert zh["effective"] == "2026-11-29T10:00:00+08:00" and zh["expires"] == "2026-11-30T10:00:00+08:00"
    assert en["event"] == "Rainstorm" and en["sender_name"] == "Linjiang Meteorological Observatory"


def test_read_cap_with_a_namespace_prefix():
    zh = read_cap(alert(info("zh-CN", "高温", "11B09", "Orange", "发布高温橙色预警"), prefix="cap:").encode())["infos"][0]
    assert zh["event"] == "高温" and zh["codes"] == ["11B09"] and zh["severity"] == "Orange"


def test_read_cap_in_gb18030():
    """Some provincial systems write the file in GB2312/GBK; it reads the same."""
    text = alert(info("zh-CN", "寒潮", "11B05", "Blue", "临江市气象台发布寒潮蓝色预警信号"))
    data = text.replace('encoding="UTF-8"', 'encoding="GB2312"').encode("gb18030")
    zh = read_cap(data)["infos"][0]
    assert zh["event"] == "寒潮" and zh["headline"] == "临江市气象台发布寒潮蓝色预警信号"


@pytest.mark.parametrize(("data", "words"), [
    (b"<html><body>not a warning</body></html>", "CAP"),
    (b'<alert xmlns="urn:example:other"><info/></alert>', "CAP"),
    (b"this is not XML at all", "XML"),
    (RAIN.encode()[:300], "XML"),  # cut off in the middle
    (f'<alert xmlns="{CAP}"><identifier>x</identifier></alert>'.encode(), "<info>"),
])
def test_read_cap_refuses_what_is_not_a_cap_message(data, words):
    with pytest.raises(InvalidInput) as caught:
        read_cap(data)
    assert words in caught.value.message()


def test_read_cap_refuses_entities_and_huge_files():
    laughs = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
              b'<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><info><event>&lol2;</event></info></alert>')
    with pytest.raises(InvalidInput) as caught:
        read_cap(laughs)
    assert "DOCTYPE" in caught.value.message()
    external = (b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                b'<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><info><event>&x;</event></info></alert>')
    with pytest.raises(InvalidInput):
        read_cap(external)
    with pytest.raises(InvalidInput) as caught:
        read_cap(b"<a>" + b" " * 2_000_000 + b"</a>")
    assert "1 MB" in caught.value.message() or "1 MB" in caught.value.reason()


# -- mapping the event to a profile ---------------------------------------------------------

@pytest.mark.parametrize(("event", "code", "profile"), [
    ("暴雨", "11B03", "暴雨"), ("高温", "11B09", "高温"), ("台风", "11B01", "台风"), ("大风", "11B06", "台风"),
    ("雷电", "11B14", "雷电"), ("冰雹", "11B15", "雷电"), ("寒潮", "11B05", "寒潮"), ("道路结冰", "11B21", "寒潮"),
    # no code: the Chinese event name, with or without its colour and 预警(信号)
    ("暴雨", None, "暴雨"), ("道路结冰橙色预警", None, "寒潮"), ("雷雨大风黄色预警信号", None, "台风"),
])
def test_event_maps_to_a_profile(town, event, code, profile):
    text = alert(info("zh-CN", event, code, "Yellow", f"发布{event}预警"))
    assert town.focus.from_warning(text.encode())["focus"] == profile


def test_code_wins_over_the_name(town):
    """The code is the system's classification; a free-text event name can be anything."""
    text = alert(info("zh-CN", "强降雨天气", "11B03", "Yellow", "发布暴雨黄色预警"))
    assert town.focus.from_warning(text.encode())["focus"] == "暴雨"


def test_warning_result_has_headline_level_area_and_period(town):
    result = town.focus.from_warning(RAIN.encode())
    warning = result["warning"]
    assert warning["headline"] == "临江市气象台发布暴雨蓝色预警信号"
    assert warning["event"] == "暴雨" and warning["level"] == "blue" and warning["code"] == "11B03"
    assert warning["areas"] == ["临江市江北区"] and warning["sender_name"] == "临江市气象台"
    assert warning["effective"] == "2026-11-29 10:00" and warning["expires"] == "2026-11-30 10:00"
    assert warning["expired"] is False
    # the list below it is the 暴雨 focus: the construction site, then the restaurant's 地下空间 hazard
    assert [r["unit_id"] for r in result["units"]] == [1, 4]
    assert result["units"][1]["hazards"] == ["H1"]


@pytest.mark.parametrize(("severity", "level"), [
    ("Red", "red"), ("橙色", "orange"), ("Moderate", "yellow"), ("Minor", "blue"), ("Extreme", "red"),
])
def test_level_from_severity(town, severity, level):
    text = alert(info("zh-CN", "暴雨", "11B03", severity, "暴雨预警"))
    assert town.focus.from_warning(text.encode())["warning"]["level"] == level


def test_level_from_headline_when_severity_says_nothing(town):
    text = alert(info("zh-CN", "暴雨", "11B03", "Unknown", "临江市气象台发布暴雨橙色预警信号"))
    assert town.focus.from_warning(text.encode())["warning"]["level"] == "orange"


def test_unknown_event_is_refused_naming_it_and_the_profiles(town):
    text = alert(info("zh-CN", "大雾", "11B17", "Yellow", "发布大雾黄色预警"),
                 info("en-US", "Heavy Fog", "11B17", "Yellow", "Heavy fog warning"))
    with pytest.raises(InvalidInput) as caught:
        town.focus.from_warning(text.encode())
    message = caught.value.message()
    assert "大雾" in message and "高温、暴雨、台风、雷电、寒潮" in message


def test_mapping_is_editable_like_the_profiles(town):
    fog = alert(info("zh-CN", "大雾", "11B17", "Yellow", "发布大雾黄色预警"))
    with pytest.raises(InvalidInput):
        town.focus.from_warning(fog.encode())
    edited = town.focus.edit_profile("台风", events="11B01、11B06、11B17、大雾")
    assert edited["events"] == ["11B01", "11B06", "11B17", "大雾"]
    assert town.focus.from_warning(fog.encode())["focus"] == "台风"
    assert town.history()[-1]["action"] == "focus_profile"
    # a register whose profiles were edited before the mapping existed keeps the shipped mapping
    assert town.focus.profile("暴雨")["events"][:1] == ["11B03"]


def test_profiles_stored_without_events_get_the_shipped_ones(town):
    town.store.set_setting("focus_profiles", json.dumps([{"name": "暴雨", "aliases": [], "industries": ["construction"],
                                                          "keywords": ["深基坑"]}], ensure_ascii=False))
    assert "11B03" in town.focus.profile("暴雨")["events"]
    assert town.focus.from_warning(RAIN.encode())["focus"] == "暴雨"


def test_expired_cancelled_and_exercise_are_said(town):
    old = alert(info("zh-CN", "暴雨", "11B03", "Blue", "暴雨蓝色预警", effective="2026-11-20T10:00:00+08:00",
                     expires="2026-11-21T10:00:00+08:00"))
    warning = town.focus.from_warning(old.encode())["warning"]
    assert warning["expired"] is True
    cancel = alert(info("zh-CN", "暴雨", "11B03", "Blue", "解除暴雨蓝色预警"), msg_type="Cancel")
    assert town.focus.from_warning(cancel.encode())["warning"]["msg_type"] == "Cancel"
    drill = alert(info("zh-CN", "暴雨", "11B03", "Blue", "暴雨蓝色预警"), status="Exercise")
    assert town.focus.from_warning(drill.encode())["warning"]["status"] == "Exercise"


# -- the command ----------------------------------------------------------------------------

def test_cli_focus_from_file_shows_the_warning_above_the_list(cli, town, tmp_path):
    """Two info blocks (zh-CN, en-US): the one in the interface's language is shown."""
    path = write(tmp_path, RAIN)
    out = cli("focus", "--from", str(path)).stdout
    lines = out.splitlines()
    assert lines[0] == "Warning: Linjiang Meteorological Observatory issues a blue rainstorm warning"
    assert "Level: Blue" in out and "Area: Jiangbei District, Linjiang" in out
    assert "Valid: 2026-11-29 10:00 to 2026-11-30 10:00" in out
    assert "Focus 暴雨 (2026-11-29): 2 units to check" in out
    assert out.index("Warning:") < out.index("甲建筑") < out.index("丁饭店")
    data = json.loads(cli("focus", "--from", str(path), "--format", "json").stdout)
    assert data["warning"]["event"] == "Rainstorm" and [u["unit_id"] for u in data["units"]] == ["U1", "U4"]


def test_cli_focus_from_file_in_chinese(cli, town, tmp_path):
    out = cli("--lang", "zh", "focus", "--from", str(write(tmp_path, RAIN))).stdout
    assert out.splitlines()[0] == "预警：临江市气象台发布暴雨蓝色预警信号"
    assert "级别：蓝色" in out and "区域：临江市江北区" in out
    assert "有效期：2026-11-29 10:00 至 2026-11-30 10:00" in out
    assert "Linjiang Meteorological Observatory" not in out


def test_cli_single_block_is_shown_whatever_the_language(cli, town, tmp_path):
    only_zh = alert(info("zh-CN", "暴雨", "11B03", "Blue", "临江市气象台发布暴雨蓝色预警信号"))
    assert "Warning: 临江市气象台发布暴雨蓝色预警信号" in cli("focus", "--from", str(write(tmp_path, only_zh))).stdout


def test_cli_focus_from_file_with_locality(cli, town, tmp_path):
    town.units.add({"name": "戊建筑", "industry": "construction", "risk": "blue", "locality": "桃源镇"})
    out = cli("focus", "--from", str(write(tmp_path, RAIN)), "--locality", "桃源镇").stdout
    assert "戊建筑" in out and "甲建筑" not in out


@pytest.mark.parametrize(("content", "words"), [
    ("<html/>", "not a CAP"),
    ("garbage", "not XML"),
])
def test_cli_refuses_in_one_line(cli, town, tmp_path, content, words):
    result = cli("focus", "--from", str(write(tmp_path, content)), code=2)
    assert words in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_cli_refuses_unknown_event(cli, town, tmp_path):
    fog = alert(info("zh-CN", "大雾", "11B17", "Yellow", "发布大雾黄色预警"))
    result = cli("focus", "--from", str(write(tmp_path, fog)), code=2)
    assert "大雾" in result.stderr and "暴雨" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_cli_missing_file_and_name_with_file(cli, town, tmp_path):
    result = cli("focus", "--from", str(tmp_path / "nowhere.xml"), code=2)
    assert "nowhere.xml" in result.stderr
    result = cli("focus", "暴雨", "--from", str(write(tmp_path, RAIN)), code=2)
    assert "--from" in result.stderr


def test_cli_expired_warns_but_lists(cli, town, tmp_path):
    old = alert(info("zh-CN", "暴雨", "11B03", "Blue", "暴雨蓝色预警", effective="2026-11-20T10:00:00+08:00",
                     expires="2026-11-21T10:00:00+08:00"))
    result = cli("focus", "--from", str(write(tmp_path, old)))
    assert "expired on 2026-11-21 10:00" in result.stderr
    assert "甲建筑" in result.stdout


def test_cli_profile_edit_events_and_list(cli, town):
    cli("focus", "profile", "edit", "台风", "--events", "11B01,大雾")
    data = json.loads(cli("focus", "profile", "list", "--format", "json").stdout)
    assert data[2]["events"] == ["11B01", "大雾"]
    assert "11B03" in cli("focus", "profile", "list").stdout
