"""The official calendar for a year the package does not know yet (issue 15): `hazreg calendar`."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from hazreg import dates
from hazreg.errors import InvalidInput
from hazreg.register import open_register

# An example in the notice's shape (check it against the real notice): 2027's New Year and Spring Festival.
NOTICE = "国办发明电〔2026〕7号"
CAL_2027 = f"""date,kind,notice,name
2027-01-01,放假,{NOTICE},元旦
2027-02-05,放假,{NOTICE},春节
2027-02-08,放假,{NOTICE},春节
2027-02-09,放假,{NOTICE},春节
2027-02-10,放假,{NOTICE},春节
2027-02-11,放假,{NOTICE},春节
2027-02-12,放假,{NOTICE},春节
2027-02-20,调休上班,{NOTICE},春节
"""


@pytest.fixture(autouse=True)
def _fresh_calendar():
    yield
    dates.use_calendar({})  # the next test's register sets its own


def write(tmp_path: Path, text: str, name: str = "cal.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_without_the_year_working_days_are_estimated_and_the_cli_says_so(cli):
    result = cli("extend", "--help")  # any command: nothing estimated yet
    assert "Monday to Friday" not in result.stderr
    shown = cli("calendar", "show", "2027").stdout
    assert "Monday to Friday" in shown and "hazreg calendar import" in shown


def test_an_imported_year_counts_working_days_without_the_warning(reg, tmp_path, cli):
    import warnings

    cli("calendar", "import", str(write(tmp_path, CAL_2027)))
    fresh = open_register(reg.store.address if reg.store.engine != "sqlite" else reg.store.path, write=False)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            # From Thursday 4 February 2027: the 5th and 8th–12th are holidays; Saturday the 20th works.
            assert fresh.ctx.date("+1wd", "deadline", ) == date(2026, 11, 30)  # today is 2026-11-29
            assert dates.add_working_days(date(2027, 2, 4), 1) == date(2027, 2, 15)
            assert dates.add_working_days(date(2027, 2, 19), 1) == date(2027, 2, 20)
            assert dates.add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 4)
        assert not [w for w in caught if isinstance(w.message, dates.CalendarEstimate)]
    finally:
        fresh.store.close()
    # Through the CLI: a deadline 30 working days ahead, into January 2027, and no warning.
    reg.units.add({"name": "宾馆", "industry": "fire", "locality": "青山镇"})
    result = cli("add", "灭火器过期", "--unit", "U1", "--deadline", "+30wd")
    assert "Monday to Friday" not in result.stderr
    # 30 Nov, 23 working days in December 2026, then 4–8 and 11 January 2027 (1 January is a holiday:
    # counted Monday to Friday it would be 8 January)
    shown = json.loads(cli("show", "H1", "--format", "json").stdout)
    assert shown["deadline"] == "2027-01-11"


def test_show_says_where_a_year_comes_from(cli, tmp_path):
    assert "chinesecalendar" in cli("calendar", "show", "2026").stdout
    cli("calendar", "import", str(write(tmp_path, CAL_2027)))
    out = cli("calendar", "show", "2027").stdout
    assert NOTICE in out and "2027-02-20  working day  春节" in out and "2027-01-01  holiday  元旦" in out
    data = json.loads(cli("calendar", "show", "2027", "--format", "json").stdout)
    assert data["source"] == "register" and len(data["days"]) == 8


def test_import_is_recorded_and_a_second_import_replaces_the_year(reg, cli, tmp_path):
    first = cli("calendar", "import", str(write(tmp_path, CAL_2027))).stdout
    assert "7 holidays, 1 adjusted working days" in first
    shorter = "\n".join(CAL_2027.splitlines()[:3]) + "\n"
    again = cli("calendar", "import", str(write(tmp_path, shorter, "b.csv"))).stdout
    assert "replaced" in again
    assert len(reg.calendar.show(2027)["days"]) == 2
    entries = [e for e in reg.history() if e["record_type"] == "calendar"]
    assert [e["action"] for e in entries] == ["import", "replace"]
    assert len(entries[1]["before"]["days"]) == 8 and entries[1]["after"]["days"] == [
        "2027-01-01 holiday 元旦", "2027-02-05 holiday 春节"]
    assert entries[1]["after"]["notices"] == [NOTICE] and entries[1]["record_id"] == 2027
    shown = cli("history").stdout
    assert "calendar 2027" in shown and "2027-02-20 workday 春节" in shown


@pytest.mark.parametrize(("text", "words"), [
    ("date,kind,notice\n2027-01-01,放假,N\n2026-12-31,放假,N\n2027-02-05,放假,N\n", "row 3: 2026-12-31 is not in 2027"),
    ("date,kind,notice\n2027-01-01,放假,N\n2027-01-01,holiday,N\n", "row 3: 2027-01-01 is listed twice"),
    ("date,kind,notice\n2027-01-02,放假,N\n", "row 2: 2027-01-02 is a weekend"),
    ("date,kind,notice\n2027-01-04,调休上班,N\n", "row 2: 2027-01-04 is a weekday"),
    ("date,kind,notice\n2027-01-01,休假吧,N\n", "row 2: kind '休假吧'"),
    ("date,kind,notice\n2027-01-01,放假,\n", "row 2: no notice number"),
    ("date,kind\n2027-01-01,放假\n", "needs the columns date, kind, notice (missing: notice)"),
    ("date,kind,notice\n", "lists no days"),
])
def test_a_bad_file_is_refused_in_one_line_and_nothing_is_kept(cli, reg, tmp_path, text, words):
    result = cli("calendar", "import", str(write(tmp_path, text)), code=2)
    assert words in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert reg.store.calendar_days() == []


def test_the_register_calendar_rules_in_the_domain(reg, tmp_path):
    with pytest.raises(InvalidInput):
        reg.calendar.import_file(write(tmp_path, "date,kind,notice\n2027-13-01,放假,N\n"))
    done = reg.calendar.import_file(write(tmp_path, CAL_2027))
    assert done == {"year": 2027, "notices": [NOTICE], "replaced": False, "holidays": 7, "workdays": 1}
    assert reg.calendar.years() == [2027]
    assert not dates.is_working_day(date(2027, 2, 8)) and dates.is_working_day(date(2027, 2, 20))
    assert dates.is_working_day(date(2027, 3, 1)) and not dates.is_working_day(date(2027, 3, 6))
