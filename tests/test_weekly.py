"""The weekly report: every figure against values worked out by hand on a small register."""

from __future__ import annotations

import json

import pytest

from hazreg.register import Register
from hazreg.register.weekly import weekly_report


def at(monkeypatch, moment: str) -> None:
    monkeypatch.setenv("HAZREG_NOW", moment)


@pytest.fixture
def history(reg: Register, monkeypatch) -> Register:
    """Two weeks of a small register, each step at a known moment (process TZ=UTC, register Shanghai).

    W47 = 16–22 Nov 2026, W48 = 23–29 Nov 2026.
    """
    monkeypatch.setenv("TZ", "UTC")
    at(monkeypatch, "2026-11-16T02:00:00+00:00")
    reg.units.add({"name": "临江大酒店", "industry": "fire", "locality": "临江街道"})
    reg.units.add({"name": "桃源安置房项目部", "industry": "construction", "locality": "青山镇"})
    at(monkeypatch, "2026-11-17T02:00:00+00:00")
    reg.hazards.add({"unit": 1, "description": "后厨灭火器过期", "found_on": "2026-11-17", "deadline": "2026-11-20"})  # H1
    reg.hazards.add({"unit": 2, "description": "塔吊力矩限制器失效", "level": "major", "found_on": "2026-11-17",
                    "deadline": "2026-11-30", "owner": "黄立新"})  # H2
    reg.hazards.add({"unit": 1, "description": "疏散通道堆放杂物", "found_on": "2026-11-16", "deadline": "2026-11-25"})  # H3
    at(monkeypatch, "2026-11-19T02:00:00+00:00")
    reg.hazards.start(3)
    reg.hazards.done(3, on="2026-11-19")
    # Week 48.
    at(monkeypatch, "2026-11-23T01:00:00+00:00")
    reg.hazards.verify(3, "李明", "仍有杂物", fail=True)  # reopened
    at(monkeypatch, "2026-11-24T02:00:00+00:00")
    reg.hazards.add({"unit": 2, "description": "重复录入的隐患", "found_on": "2026-11-24", "deadline": "2026-12-10"})  # H4
    reg.hazards.void(4, "重复录入")
    reg.campaigns.add_inspection({"unit": 2, "on": "2026-11-24", "inspectors": "王建国", "leader": "张副区长"})
    at(monkeypatch, "2026-11-25T02:00:00+00:00")
    reg.hazards.start(1)
    reg.hazards.done(1, on="2026-11-25")  # after its deadline of 20 November: late
    reg.hazards.verify(1, "李明", "复查合格")
    at(monkeypatch, "2026-11-26T02:00:00+00:00")
    reg.hazards.add({"unit": 1, "description": "安全出口指示灯损坏", "found_on": "2026-11-26", "deadline": "2026-11-28"})  # H5
    reg.supervision.supervise("H2", "区安委办", "district", due="2026-12-31", notice="督1号")
    reg.supervision.take_action("H2", "fine", "1000")
    # Sunday 29 November 23:59 in Shanghai (15:59 UTC): still week 48 …
    at(monkeypatch, "2026-11-29T15:59:00+00:00")
    reg.hazards.add({"unit": 1, "description": "配电箱未上锁", "found_on": "2026-11-29", "deadline": "2026-12-05"})  # H6
    reg.hazards.start(6)
    # … Monday 30 November 00:00 in Shanghai (16:00 UTC): week 49.
    at(monkeypatch, "2026-11-29T16:00:00+00:00")
    reg.hazards.done(6, on="2026-11-30")
    at(monkeypatch, "2026-12-01T04:00:00+00:00")
    return reg


def test_every_headline_figure(history):
    r = weekly_report(history, "2026-W48")
    assert (r["week"], r["monday"], r["sunday"]) == ("2026-W48", "2026-11-23", "2026-11-29")
    assert r["figures"] == {
        "found": 2,  # H5 and H6; H4 was voided
        "rectified": 1,  # H1 (H6's was recorded on Monday of week 49)
        "closed": 1,  # H1
        "voided": 1,  # H4
        "reopened": 1,  # H3, verification failed
        "open": 4,  # H2, H3, H5, H6
        "overdue": 2,  # H3 (25 Nov) and H5 (28 Nov)
        "major_open": 1,  # H2
        "major_supervised": 1,
        "major_incomplete_plan": 1,
    }
    assert r["change"] == {"found": -1, "rectified": 0, "closed": 1, "voided": 1, "reopened": 1, "open": 1,
                           "overdue": 1, "major_open": 0, "major_supervised": 1, "major_incomplete_plan": 0}


def test_the_week_before(history):
    r = weekly_report(history, "2026-W47")
    assert r["figures"]["found"] == 3 and r["figures"]["rectified"] == 1 and r["figures"]["open"] == 3
    assert r["figures"]["overdue"] == 1  # H1, due 20 November
    assert r["rates"]["on_time_week"] == 100.0  # H3 was rectified on 19 November, before 25 November


def test_rates(history):
    rates = weekly_report(history, "2026-W48")["rates"]
    assert rates["rectification_week"] == 0.0  # neither H5 nor H6 fixed by Sunday
    assert rates["rectification_cumulative"] == 20.0  # H1 of H1, H2, H3, H5, H6
    assert rates["rectification_major_week"] is None  # no major hazard found this week
    assert rates["rectification_major_cumulative"] == 0.0
    assert rates["on_time_week"] == 0.0  # H1 was rectified five days late
    assert rates["on_time_cumulative"] == 0.0


def test_breakdowns_lists_and_activity(history):
    r = weekly_report(history, "2026-W48")
    by_industry = {g["industry"]: (g["found"], g["open"], g["overdue"]) for g in r["by_industry"]}
    assert by_industry == {"fire": (2, 3, 2), "construction": (0, 1, 0)}
    by_locality = {g["locality"]: (g["found"], g["open"], g["overdue"]) for g in r["by_locality"]}
    assert by_locality == {"临江街道": (2, 3, 2), "青山镇": (0, 1, 0)}
    assert [(h["id"], h["days_overdue"]) for h in r["overdue"]] == [(3, 4), (5, 1)]
    assert [(h["id"], h["supervised"], h["missing"]) for h in r["majors"]] == [(2, True, ["measures", "funds", "contingency"])]
    assert r["activity"]["inspections"] == 1 and r["activity"]["leader_checks"] == 1
    assert r["activity"]["actions"] == {"fine": {"count": 1, "fines": "1000.00"}}
    trend = {w["week"]: (w["found"], w["closed"]) for w in r["trend"]}
    assert trend["2026-W47"] == (3, 0) and trend["2026-W48"] == (2, 1) and len(trend) == 12


def test_a_past_week_is_unchanged_by_later_edits(history, monkeypatch):
    before = weekly_report(history, "2026-W48")
    at(monkeypatch, "2026-12-02T04:00:00+00:00")
    history.supervision.extend("H5", "2026-12-20", "配件到货延迟")  # a deadline moves only by extension (issue 10)
    history.hazards.edit(5, {"level": "major"})
    history.hazards.void(2, "判定有误")
    history.hazards.verify(6, "李明")
    history.units.edit(1, {"industry": "gas"})
    after = weekly_report(history, "2026-W48")
    for key in ("figures", "change", "rates", "by_industry", "by_locality", "trend"):
        assert after[key] == before[key], key
    assert [h["id"] for h in after["overdue"]] == [h["id"] for h in before["overdue"]]


def test_default_is_the_last_complete_week(history, monkeypatch):
    at(monkeypatch, "2026-11-29T15:59:00+00:00")  # still Sunday in Shanghai: week 47 is the last complete one
    assert weekly_report(history)["week"] == "2026-W47"
    at(monkeypatch, "2026-11-29T16:00:00+00:00")  # Monday in Shanghai
    assert weekly_report(history)["week"] == "2026-W48"


def test_formats(history, cli, tmp_path):
    md = cli("report", "weekly", "--week", "2026-W48").stdout
    assert md.startswith("# Weekly report 2026-W48") and "| Found | 2 | -1 |" in md and "## Definitions" in md
    data = json.loads(cli("report", "weekly", "--week", "2026-W48", "-f", "json").stdout)
    assert data["figures"]["found"] == 2
    out = tmp_path / "周报.html"
    cli("--lang", "zh", "report", "weekly", "--week", "2026-W48", "-f", "html", "-o", str(out))
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "<svg" in html and "隐患排查治理周报" in html
    assert "http" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")  # nothing fetched from anywhere
    assert "<script" not in html and "Noto Sans CJK SC" in html
    assert "md, html, json" in cli("report", "weekly", "-f", "pdf", code=2).stderr


def test_stats_and_trend(history, cli, monkeypatch):
    rows = json.loads(cli("report", "stats", "--by", "industry", "-f", "json").stdout)
    by = {r["group"]: r for r in rows}
    assert by["fire"]["found"] == 4 and by["fire"]["closed"] == 1 and by["construction"]["void"] == 1
    weeks = {r["group"]: r["found"] for r in json.loads(cli("report", "stats", "--by", "week", "-f", "json").stdout)}
    assert weeks == {"2026-W47": 3, "2026-W48": 3}  # H4 counts here: it was found, then voided
    table = cli("report", "stats").stdout
    assert "█" in table and "Fire safety" in table
    assert "allowed" in cli("report", "stats", "--by", "colour", code=2).stderr
    trend = {r["week"]: r for r in json.loads(cli("report", "trend", "--weeks", "3", "-f", "json").stdout)}
    assert list(trend) == ["2026-W47", "2026-W48", "2026-W49"]
    assert (trend["2026-W47"]["open"], trend["2026-W47"]["overdue"]) == (3, 1)
    assert (trend["2026-W48"]["open"], trend["2026-W48"]["overdue"], trend["2026-W48"]["closed"]) == (4, 2, 1)
    assert "2026-W48" in cli("report", "trend").stdout


def test_html_report_renders_in_chromium(tmp_path):
    """The HTML report in a real browser: rendered to a PNG by the script the README names."""
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    if not (shutil.which("chromium") or shutil.which("chromium-browser")):
        pytest.skip("chromium is not installed (apt-get install chromium)")
    script = Path(__file__).resolve().parents[1] / "scripts" / "weekly_screenshot.py"
    png = tmp_path / "weekly.png"
    subprocess.run([sys.executable, str(script), "-o", str(png)], check=True, capture_output=True, timeout=180)
    data = png.read_bytes()
    assert data.startswith(b"\x89PNG") and len(data) > 20_000  # a real page, not a blank one


# -- the lists capped: the first N, most urgent first, and how many more -----------------

def _late_register(reg: Register, monkeypatch, n: int) -> Register:
    """`n` hazards overdue at the end of week 48 (deadlines 1–n November), and two open majors."""
    monkeypatch.setenv("TZ", "UTC")
    at(monkeypatch, "2026-11-16T02:00:00+00:00")
    reg.units.add({"name": "临江大酒店", "industry": "fire", "locality": "临江街道"})
    for i in range(n, 0, -1):  # entered latest deadline first, so the order is the report's own
        reg.hazards.add({"unit": 1, "description": f"逾期隐患{i}", "found_on": "2026-10-01",
                         "deadline": f"2026-11-{i:02d}"})
    for day in ("2026-12-20", "2026-12-10"):
        reg.hazards.add({"unit": 1, "description": "重大隐患", "level": "major", "found_on": "2026-11-16",
                         "deadline": day})
    at(monkeypatch, "2026-12-01T04:00:00+00:00")
    return reg


def test_the_lists_show_the_first_n_most_urgent_first_and_how_many_more(reg, monkeypatch):
    from hazreg.register import weekly

    monkeypatch.setattr(weekly, "LIST_LIMIT", 3)
    _late_register(reg, monkeypatch, 7)
    r = weekly_report(reg, "2026-W48")
    assert r["figures"]["overdue"] == 7 and r["figures"]["major_open"] == 2  # the totals are unchanged
    assert [h["deadline"] for h in r["overdue"]] == ["2026-11-01", "2026-11-02", "2026-11-03"]  # most overdue first
    assert [h["days_overdue"] for h in r["overdue"]] == [28, 27, 26]
    assert [h["deadline"] for h in r["majors"]] == ["2026-12-10", "2026-12-20"]
    assert r["lists"] == {"limit": 3, "capped": True, "totals": {"overdue": 7, "majors": 2, "closed_incomplete": 0}}
    everything = weekly_report(reg, "2026-W48", everything=True)
    assert [h["deadline"] for h in everything["overdue"]] == [f"2026-11-{i:02d}" for i in range(1, 8)]
    assert everything["lists"] == {"limit": None, "capped": False,
                                   "totals": {"overdue": 7, "majors": 2, "closed_incomplete": 0}}
    assert {k: v for k, v in everything.items() if k not in ("overdue", "lists")} == \
        {k: v for k, v in r.items() if k not in ("overdue", "lists")}
    # A week read back from the store says the same as the week computed.
    assert weekly_report(reg, "2026-W48") == r


def test_the_lists_are_capped_in_every_format_and_all_shows_everything(reg, cli, monkeypatch, tmp_path):
    from hazreg.register import weekly

    monkeypatch.setattr(weekly, "LIST_LIMIT", 3)
    _late_register(reg, monkeypatch, 7)
    md = cli("report", "weekly", "--week", "2026-W48").stdout
    assert "| Overdue at Sunday | 7 |" in md
    assert "逾期隐患1 " in md and "逾期隐患3 " in md and "逾期隐患4 " not in md
    assert "… and 4 more; `report weekly --all` lists them all." in md
    md_all = cli("report", "weekly", "--week", "2026-W48", "--all").stdout
    assert "逾期隐患7 " in md_all and "more;" not in md_all
    zh = cli("--lang", "zh", "report", "weekly", "--week", "2026-W48").stdout
    assert "……另有 4 条未列出，`report weekly --all` 列出全部。" in zh
    out = tmp_path / "w.html"
    cli("report", "weekly", "--week", "2026-W48", "-f", "html", "-o", str(out))
    html = out.read_text(encoding="utf-8")
    assert "逾期隐患3<" in html and "逾期隐患4<" not in html and "… and 4 more;" in html
    data = json.loads(cli("report", "weekly", "--week", "2026-W48", "-f", "json").stdout)
    assert len(data["overdue"]) == 3 and data["figures"]["overdue"] == 7
    assert data["lists"] == {"limit": 3, "capped": True, "totals": {"overdue": 7, "majors": 2, "closed_incomplete": 0}}
    data = json.loads(cli("report", "weekly", "--week", "2026-W48", "-f", "json", "--all").stdout)
    assert len(data["overdue"]) == 7 and data["lists"]["capped"] is False


def test_a_week_stored_before_the_lists_were_capped_is_computed_again(reg, monkeypatch):
    """A stored week written by an earlier hazreg (whole lists, no `lists`) is not read: the
    report computes the week again and stores it; `check` passes before and after."""
    from hazreg.register import weekly
    from hazreg.register.integrity import check_register

    monkeypatch.setattr(weekly, "LIST_LIMIT", 3)
    _late_register(reg, monkeypatch, 5)
    r = weekly_report(reg, "2026-W48")
    seq, digest, text = reg.store.weekly_stored("2026-11-23", reg.timezone)
    old = json.loads(text)
    old.pop("lists")
    old.pop("list_limit", None)
    old["overdue"] = weekly.replayed_weeks(reg, [weekly.week_of("2026-W48", reg.today())], everything=True)["2026-11-23"]["overdue"]
    assert reg.store.store_weekly("2026-11-23", reg.timezone, seq, digest, json.dumps(old, ensure_ascii=False))
    assert check_register(reg)["ok"]
    assert weekly_report(reg, "2026-W48") == r
    assert "lists" in json.loads(reg.store.weekly_stored("2026-11-23", reg.timezone)[2])
