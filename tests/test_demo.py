"""The demo register shows the campaign's whole work: hazards, and also accidents this year and
last, control indicators, a running campaign with inspections (some made for a weather focus),
so that `hazreg demo` then `report weekly`, `report accidents`, `focus 暴雨` and `report form`
show real figures. Every check reads content, on both engines."""

from __future__ import annotations

import json
from datetime import date

import pytest

from hazreg.demo import build_demo, fill_demo, load_demo_data


@pytest.fixture
def demo(reg):
    """The demo's records in the test's register (a file, or a PostgreSQL database), as `hazreg demo`
    writes them into its own file."""
    fill_demo(reg)
    return reg


def js(cli, *args: str):
    return json.loads(cli(*args, "--format", "json").stdout)


def test_demo_has_accidents_of_this_year_and_last(cli, demo):
    today = date.fromisoformat("2026-11-29")  # tests/conftest.py NOW
    this = js(cli, "accident", "list", "--year", str(today.year))
    last = js(cli, "accident", "list", "--year", str(today.year - 1))
    assert len(this) >= 5 and len(last) >= 3
    everything = this + last
    assert len({a["locality"] for a in everything}) >= 3 and len({a["industry"] for a in everything}) >= 3
    assert any(a["grade"] == "larger" for a in this)  # a 较大 accident (3 deaths or more)
    assert any(not a["unit_id"] and a["party"] for a in everything)  # an illegal operator, not on the roster
    assert all(a["occurred_at"][:10] <= today.isoformat() for a in this)


def test_demo_has_targets_for_the_district_and_a_locality(cli, demo):
    targets = js(cli, "target", "list")
    scopes = {t["scope"] for t in targets}
    assert {"district", "locality"} <= scopes
    assert all(t["year"] == 2026 for t in targets)


def test_report_accidents_on_the_demo_flags_the_rise(cli, demo):
    report = js(cli, "report", "accidents")
    total = report["total"]
    assert total["accidents"] > total["accidents_last"] and total["deaths"] > total["deaths_last"]
    assert total["deaths_target"] is not None and "deaths_rising" in total["flags"]
    assert any(r["flags"] for r in report["by_locality"])
    text = cli("report", "accidents").stdout
    assert "经济开发区管委会" in text and "Construction" in text


def test_demo_inspections_record_a_focus_and_a_department(cli, demo):
    rows = js(cli, "inspect", "list", "--limit", "0")
    assert len(rows) >= 6
    assert {r["focus"] for r in rows if r.get("focus")} >= {"暴雨", "高温"}
    assert any(r.get("department") for r in rows) and any(r.get("campaign") for r in rows)
    # the focus list reads them: the inspected sites come after the never-inspected ones of their risk
    units = js(cli, "focus", "暴雨")["units"]
    assert any(u["last_inspected"] for u in units) and any(u["last_inspected"] is None for u in units)


def test_demo_has_cases_at_different_steps(demo):
    cases = {c["id"]: c for c in demo.cases.list()}
    steps = {c["step"] for c in cases.values()}
    assert {"filed", "investigated", "decided", "closed"} <= steps
    penalties = {i: demo.cases.penalties(i) for i in cases}
    # 双罚: a fine on the unit and one on its principal, two penalties of one case, both paid, case closed
    double = [i for i, ps in penalties.items()
              if {p["party_kind"] for p in ps if p["type"] == "fine"} == {"unit", "principal"}]
    assert len(double) == 1 and cases[double[0]]["step"] == "closed"
    assert all(p["owed_fen"] == 0 for p in demo.cases.execution(cases[double[0]])["penalties"])
    # partly paid: something paid, something (with the late fine) still owed
    partly = [i for i in cases if any(p["paid_fen"] > 0 and p["owed_fen"] > 0
                                      for p in demo.cases.execution(cases[i])["penalties"])]
    assert len(partly) == 1
    state = demo.cases.execution(cases[partly[0]])["penalties"][0]
    assert state["late_fen"] > 0 and state["owed_fen"] == state["fine_fen"] - state["paid_fen"] + state["late_fen"]
    # 停产整顿 decided, fine paid, waiting for 复产验收
    waiting = [i for i in cases if demo.cases.needs_resumption(i)]
    assert len(waiting) == 1 and cases[waiting[0]]["step"] == "decided"
    # a party not on the roster (an unlicensed workshop), its accident naming the case
    party = [c for c in cases.values() if c["unit_id"] is None]
    assert len(party) == 1 and party[0]["party"]
    assert any(a.get("case_id") == party[0]["id"] for a in demo.accidents.list())


def test_case_commands_on_the_demo(cli, demo):
    out = cli("case", "list").stdout
    assert "C-00001" in out and "临江市宏达化工有限公司" in out and "李某某" in out
    shown = cli("case", "show", "C-00001").stdout
    assert "180000.00" in shown and "40000.00" in shown


def test_report_weekly_on_the_demo_shows_every_section(cli, demo):
    data = js(cli, "report", "weekly")
    assert data["figures"]["found"] > 0 and data["by_industry"] and data["by_locality"]
    assert sum(d["inspections"] for d in data["by_department"]) > 0  # the week's inspections, by department
    assert data["coverage"] and data["coverage"]["campaign"] == "安全生产大检查"
    assert data["overdue"] and data["majors"]
    text = cli("report", "weekly").stdout
    for heading in ("## Headline figures", "## By industry", "## By locality", "## By department"):
        assert heading in text
    assert "安全生产大检查" in text
    department = next(line for line in text.splitlines() if line.startswith("| 住建局"))
    assert department.split("|")[-3].strip() != "0"  # its inspections that week


def test_every_section_of_the_weekly_report_has_something_to_say(cli, demo):
    """Each section of the last complete week's report holds figures or rows on the demo (so a
    section added later is checked too); only the list of majors closed without their five
    guarantees is empty, as it should be in a well-kept register. (On-the-spot actions on hazards
    are left to the tests that add them: test_check_tables counts on the demo having none.)"""
    data = js(cli, "report", "weekly")
    empty = [key for key, value in data.items() if key != "closed_incomplete" and not _filled(value)]
    assert empty == []
    assert data["activity"]["inspections"] > 0 and data["activity"]["unannounced"] > 0


def _filled(value) -> bool:
    """Not empty: some non-zero number, some text, some row."""
    if isinstance(value, dict):
        return any(_filled(v) for v in value.values())
    if isinstance(value, list):
        return any(_filled(v) for v in value)
    return value not in (None, "", 0, 0.0, False)


def test_report_form_on_the_demo_has_figures(cli, demo):
    form = js(cli, "report", "form", "monthly", "--period", "2026-11")
    assert "2026-11" in json.dumps(form, ensure_ascii=False)
    assert any(isinstance(v, int) and v > 0 for v in _numbers(form))


def _numbers(value):
    if isinstance(value, dict):
        for v in value.values():
            yield from _numbers(v)
    elif isinstance(value, list):
        for v in value:
            yield from _numbers(v)
    else:
        yield value


def test_demo_command_builds_the_same_register(cli, tmp_path):
    """`hazreg demo` writes the same records into its own file."""
    cli("demo", "--path", str(tmp_path / "demo.db"))
    assert len(js(cli, "--db", str(tmp_path / "demo.db"), "accident", "list", "--year", "2026")) >= 5
    assert "安全生产大检查" in cli("--db", str(tmp_path / "demo.db"), "report", "weekly").stdout


def test_demo_is_deterministic(tmp_path):
    """Two builds on the same day hold the same records (ids, dates, figures)."""
    def plain(rows):
        return [{k: v for k, v in r.items() if k not in ("uid", "created_at", "updated_at")} for r in rows]

    out = []
    for name in ("a.db", "b.db"):
        reg = build_demo(tmp_path / name, "tester")
        inspections, _ = reg.campaigns.inspections(reg.campaigns.inspection_filter())
        out.append((plain(reg.accidents.list()), reg.accidents.targets(), plain(inspections),
                    reg.accidents.report()))
        reg.store.close()
    assert out[0] == out[1]


def test_demo_data_dates_are_relative():
    data = load_demo_data()
    for accident in data["accidents"]:
        assert "occurred" not in accident and accident["year"] in ("this", "last")
    for inspection in data["inspections"]:
        assert "on" not in inspection and inspection["days_ago"] >= 0
