"""The weekly report's accident section and its chart, against figures worked out by hand.

The report week is 2026-W47 (Monday 16 to Sunday 22 November 2026); the tests' clock is
29 November. So the year to date runs to 22 November (day 326 of 365), not to today, and
the same period last year to 22 November 2025.

Accidents (U1: 青山镇, 危化品; U2: 临江街道, 消防):

    2026-02-01 U1 2 deaths     2025-03-01 U1 1 death
    2026-06-15 U1 1 death      2025-06-15 U2 0 deaths
    2026-09-09 U2 1 death      2025-11-22 U2 2 deaths   (the last day of the same period)
    2026-11-20 U2 0 deaths     2025-11-23 U1 5 deaths   (after it: not counted)
    2026-11-25 U1 3 deaths     (after the week: not counted)

Indicators 2026: the district 6 accidents and 4 deaths; 青山镇 3 and 3; 消防 4 accidents.
Pro rata to day 326: 6 → 1956/365 = 5.36; 4 → 1304/365 = 3.57; 3 → 978/365 = 2.68.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest
from tests.conftest import VALID_CODES

from hazreg.register import Register
from hazreg.register.weekly import weekly_report

SVG = "{http://www.w3.org/2000/svg}"


def _fixture(reg: Register) -> Register:
    reg.places.add_locality("青山镇")
    reg.places.add_locality("临江街道")
    reg.units.add({"name": "临江市宏达化工有限公司", "industry": "hazardous_chemicals", "locality": "青山镇",
                   "credit_code": VALID_CODES[0]})
    reg.units.add({"name": "临江大酒店", "industry": "fire", "locality": "临江街道", "credit_code": VALID_CODES[1]})
    for on, unit, deaths in [("2026-02-01", "U1", 2), ("2026-06-15", "U1", 1), ("2026-09-09", "U2", 1),
                             ("2026-11-20", "U2", 0), ("2026-11-25", "U1", 3),
                             ("2025-03-01", "U1", 1), ("2025-06-15", "U2", 0), ("2025-11-22", "U2", 2),
                             ("2025-11-23", "U1", 5)]:
        reg.accidents.add({"occurred": on, "unit": unit, "type": "fire", "deaths": deaths})
    reg.accidents.set_target(2026, deaths=4, accidents=6)
    reg.accidents.set_target(2026, deaths=3, accidents=3, locality="青山镇")
    reg.accidents.set_target(2026, accidents=4, industry="fire")
    return reg


def test_the_section_runs_to_the_weeks_sunday_figure_by_figure(reg):
    a = weekly_report(_fixture(reg), "2026-W47")["accidents"]
    assert (a["year"], a["through"], a["days"], a["days_in_year"]) == (2026, "2026-11-22", 326, 365)
    assert (a["last_from"], a["last_through"]) == ("2025-01-01", "2025-11-22")
    assert a["week"] == {"accidents": 1, "deaths": 0}  # 20 November
    assert a["total"] == {
        "name": "", "accidents": 4, "accidents_last": 3, "accidents_yoy": "33.3", "accidents_target": 6,
        "accidents_pro_rata": "5.36", "deaths": 4, "deaths_last": 3, "deaths_yoy": "33.3", "deaths_target": 4,
        "deaths_pro_rata": "3.57",
        "flags": ["deaths_used_up", "deaths_over_pace", "accidents_rising", "deaths_rising"]}
    by_locality = {r["name"]: r for r in a["by_locality"]}
    assert list(by_locality) == ["临江街道", "青山镇"]
    qs = by_locality["青山镇"]
    assert (qs["accidents"], qs["accidents_last"], qs["accidents_yoy"], qs["accidents_target"],
            qs["accidents_pro_rata"]) == (2, 1, "100.0", 3, "2.68")
    assert (qs["deaths"], qs["deaths_last"], qs["deaths_yoy"], qs["deaths_target"], qs["deaths_pro_rata"]) == (
        3, 1, "200.0", 3, "2.68")
    assert qs["flags"] == ["deaths_used_up", "deaths_over_pace", "accidents_rising", "deaths_rising"]
    lj = by_locality["临江街道"]
    assert (lj["accidents"], lj["accidents_last"], lj["accidents_yoy"], lj["deaths"], lj["deaths_last"],
            lj["deaths_yoy"], lj["accidents_target"], lj["flags"]) == (2, 2, "0.0", 1, 2, "-50.0", None, [])
    by_industry = {r["name"]: r for r in a["by_industry"]}
    fire = by_industry["fire"]
    assert (fire["accidents"], fire["accidents_last"], fire["accidents_target"], fire["accidents_pro_rata"],
            fire["deaths_target"], fire["flags"]) == (2, 2, 4, "3.57", None, [])
    chem = by_industry["hazardous_chemicals"]
    assert (chem["accidents"], chem["deaths"], chem["flags"]) == (2, 3, ["accidents_rising", "deaths_rising"])
    months = {m["month"]: (m["accidents"], m["deaths"], m["accidents_last"], m["deaths_last"]) for m in a["by_month"]}
    assert list(months) == list(range(1, 12))  # January to November
    assert months == {1: (0, 0, 0, 0), 2: (1, 2, 0, 0), 3: (0, 0, 1, 1), 4: (0, 0, 0, 0), 5: (0, 0, 0, 0),
                      6: (1, 1, 1, 0), 7: (0, 0, 0, 0), 8: (0, 0, 0, 0), 9: (1, 1, 0, 0), 10: (0, 0, 0, 0),
                      11: (1, 0, 1, 2)}


def test_the_same_rule_as_report_accidents(reg):
    """One rule: the section is `report accidents` as it would have read on the Sunday."""
    _fixture(reg)
    from datetime import date

    section = weekly_report(reg, "2026-W47")["accidents"]
    assert {k: v for k, v in section.items() if k != "week"} == reg.accidents.report(through=date(2026, 11, 22))
    # Today's report (to 29 November) counts the accident of the 25th and last year's of the 23rd.
    today = reg.accidents.report()
    assert (today["total"]["accidents"], today["total"]["accidents_last"]) == (5, 4)
    assert sum(m["accidents"] for m in today["by_month"]) == 5


def test_the_current_week_runs_to_today(reg):
    a = weekly_report(_fixture(reg), "2026-W48")["accidents"]  # 23–29 November; today is the 29th
    assert a["through"] == "2026-11-29" and a["week"] == {"accidents": 1, "deaths": 3}


def test_a_week_across_new_year_counts_the_new_year(reg):
    _fixture(reg)
    from datetime import date

    from hazreg.register.weekly import accidents_at

    a = accidents_at(reg, date(2025, 12, 29), date(2026, 1, 4))
    assert (a["year"], a["through"], a["days"]) == (2026, "2026-01-04", 4)
    assert a["total"]["accidents"] == 0 and len(a["by_month"]) == 1


def test_markdown_in_english_and_chinese(reg, cli):
    _fixture(reg)
    md = cli("report", "weekly", "--week", "2026-W47").stdout
    assert "## Accidents and control indicators, 2026-01-01 to 2026-11-22 (day 326 of 365)" in md
    assert "against 2025-01-01 to 2025-11-22" in md
    assert "This week: accidents 1, deaths 0." in md
    assert ("| Total | 4 | 3 | 33.3% | 6 | 5.36 | 4 | 3 | 33.3% | 4 | 3.57 | deaths: indicator used up; "
            "deaths ahead of the year's pace; accidents up on last year; deaths up on last year |") in md
    assert "| 青山镇 | 2 | 1 | 100.0% | 3 | 2.68 | 3 | 1 | 200.0% | 3 | 2.68 |" in md
    assert "| 临江街道 | 2 | 2 | 0.0% |  |  | 1 | 2 | -50.0% |  |  |  |" in md
    assert "| Fire safety | 2 | 2 | 0.0% | 4 | 3.57 | 1 | 2 | -50.0% |  |  |  |" in md
    assert "## Accidents by month, 2026 against 2025" in md
    assert "| Feb | 1 | 0 | 2 | 0 |" in md and "| Nov | 1 | 1 | 0 | 2 |" in md
    zh = cli("--lang", "zh", "report", "weekly", "--week", "2026-W47").stdout
    assert "## 事故与控制指标（2026-01-01 至 2026-11-22，第 326 天/共 365 天）" in zh
    assert "| 合计 | 4 | 3 | 33.3% | 6 | 5.36 | 4 | 3 | 33.3% | 4 | 3.57 | 死亡人数指标已用完；" in zh
    assert "| 消防 | 2 | 2 | 0.0% | 4 | 3.57 |" in zh
    assert "| 2月 | 1 | 0 | 2 | 0 |" in zh and "本周：事故 1 起，死亡 0 人。" in zh


def test_json(reg, cli):
    _fixture(reg)
    data = json.loads(cli("report", "weekly", "--week", "2026-W47", "-f", "json").stdout)
    assert data["accidents"]["total"]["accidents_pro_rata"] == "5.36"
    assert data["accidents"]["by_month"][1] == {"month": 2, "accidents": 1, "deaths": 2, "accidents_last": 0,
                                                "deaths_last": 0}


def _chart(html: str, kind: str) -> ET.Element:
    found = re.search(rf'<svg[^>]*data-chart="accidents-{kind}".*?</svg>', html, re.S)
    assert found, kind
    return ET.fromstring(found.group(0))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_html_chart_of_this_year_against_last(reg, cli, tmp_path, lang):
    """Each month's bars: their heights in proportion to the counts, on one scale per chart, and
    the count written over each bar."""
    _fixture(reg)
    out = tmp_path / "w.html"
    cli("--lang", lang, "report", "weekly", "--week", "2026-W47", "-f", "html", "-o", str(out))
    html = out.read_text(encoding="utf-8")
    assert "<script" not in html
    expected = {"accidents": {2026: [0, 1, 0, 0, 0, 1, 0, 0, 1, 0, 1], 2025: [0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 1]},
                "deaths": {2026: [0, 2, 0, 0, 0, 1, 0, 0, 1, 0, 0], 2025: [0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2]}}
    for kind, years in expected.items():
        svg = _chart(html, kind)
        bars = [r for r in svg.iter(SVG + "rect") if r.get("data-year")]
        assert len(bars) == 22  # 11 months × 2 years
        unit = float(svg.get("data-unit"))  # pixels per accident (or death)
        for bar in bars:
            value = years[int(bar.get("data-year"))][int(bar.get("data-month")) - 1]
            assert int(bar.get("data-value")) == value
            assert float(bar.get("height")) == pytest.approx(value * unit, abs=0.06)
            assert bar.find(SVG + "title").text.endswith(f" {value}")
        peak = max(max(v) for v in years.values())
        assert max(float(b.get("height")) for b in bars) == pytest.approx(peak * unit, abs=0.06)
        labels = [t for t in svg.iter(SVG + "text") if t.get("data-value")]
        assert sorted(int(t.text) for t in labels) == sorted(v for vs in years.values() for v in vs if v)
        months = [t.text for t in svg.iter(SVG + "text") if t.get("class") == "month"]
        assert months[:2] == (["Jan", "Feb"] if lang == "en" else ["1月", "2月"]) and len(months) == 11


def test_check_still_agrees_on_stored_weeks(reg, cli):
    """The accident section is not stored with the replayed week: stored weeks stay verifiable."""
    _fixture(reg)
    reg.hazards.add({"unit": 1, "description": "储罐区可燃气体报警器失灵", "found_on": "2026-11-17",
                     "deadline": "2026-11-20"})
    first = weekly_report(reg, "2026-W47")
    stored = reg.store.weekly_stored(first["monday"], reg.timezone)
    assert stored is not None and "by_month" not in stored[2] and "accidents_pro_rata" not in stored[2]
    assert json.loads(cli("check", "-f", "json").stdout)["ok"] is True
    # A death reported late (补报) shows in the week that covers the accident; the stored week still holds.
    reg.accidents.edit("E4", {"deaths": 1})
    again = weekly_report(reg, "2026-W47")
    assert again["accidents"]["week"] == {"accidents": 1, "deaths": 1} and again["figures"] == first["figures"]
    assert json.loads(cli("check", "-f", "json").stdout)["ok"] is True
