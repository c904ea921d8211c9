"""Evidence that holds under attack: nothing private left behind, nothing hostile shown, no tracebacks."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from openpyxl import load_workbook

from hazreg.errors import InvalidInput
from hazreg.register.base import parse_id
from hazreg.sheets import neutralise, unneutralise

SRC = str(Path(__file__).resolve().parents[1] / "src")
HOSTILE = "临江\x1b]0;pwned\x07\x1b[2J大酒店"  # retitles the terminal, then clears it


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def json_out(result) -> list | dict:
    return json.loads(result.stdout)


def _hazreg(db: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "PYTHONPATH": SRC, "HAZREG_DB": str(db), **(env or {})}
    return subprocess.run([sys.executable, "-m", "hazreg", *args], capture_output=True, text=True, env=full,
                          timeout=120)


# -- formulas in CSV and XLSX ----------------------------------------------------------------------


@pytest.mark.parametrize("text", ["@SUM(A1)", "＝SUM(A1)", "＋1+cmd", "－2-cmd", "＠SUM(A1)"])
def test_at_and_full_width_formula_starts_are_neutralised_in_csv_both_languages(cli, text, tmp_path):
    cli("unit", "add", text, "--industry", "fire", "--locality", "临江街道")
    rows = list(csv.DictReader(io.StringIO(cli("export", "units").stdout)))
    assert rows[0]["name"] == "'" + text
    zh = list(csv.reader(io.StringIO(cli("--lang", "zh", "export", "units").stdout)))
    assert zh[1][2] == "'" + text
    # what export neutralises, import takes back: the name comes home unchanged
    out = tmp_path / "u.csv"
    cli("export", "units", "-o", str(out))
    cli("--db", str(tmp_path / "other.db"), "import", "units", str(out))
    assert [u["name"] for u in json_out(cli("--db", str(tmp_path / "other.db"), "unit", "list", "-f", "json"))] == [text]


def test_full_width_formula_starts_are_neutralised_like_ascii(cli):
    for ascii_form, wide in (("=", "＝"), ("+", "＋"), ("-", "－"), ("@", "＠")):
        assert neutralise(wide + "1+1") == "'" + wide + "1+1"
        assert neutralise(ascii_form + "1+1") == "'" + ascii_form + "1+1"
        assert unneutralise(neutralise(wide + "x")) == wide + "x"


def test_xlsx_cells_starting_like_a_formula_are_marked_as_text(cli, tmp_path):
    cli("unit", "add", "＝HYPERLINK(\"http://x\")", "--industry", "fire", "--locality", "临江街道")
    cli("unit", "add", "=HYPERLINK(\"http://x\")", "--industry", "fire", "--locality", "临江街道", "--force")
    cli("unit", "add", "临江大酒店", "--industry", "fire", "--locality", "临江街道")
    out = tmp_path / "u.xlsx"
    cli("export", "units", "-f", "xlsx", "-o", str(out))
    sheet = load_workbook(out).active
    names = {row[2].value: row[2] for row in sheet.iter_rows(min_row=2)}
    for text in ("＝HYPERLINK(\"http://x\")", "=HYPERLINK(\"http://x\")"):
        assert names[text].data_type == "s" and names[text].quotePrefix  # text, kept as text when edited
    assert not names["临江大酒店"].quotePrefix


# -- ids and names -------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["H١", "H٣", "H۲", "H१", "१२"])
def test_non_ascii_digits_are_not_an_id(text):
    with pytest.raises(InvalidInput):
        parse_id(text, "H")
    assert parse_id("Ｈ１２", "H") == 12  # full-width digits are ASCII digits after NFKC


def test_non_ascii_digits_are_not_a_date(cli):
    cli("unit", "add", "临江大酒店", "--industry", "fire", "--locality", "临江街道")
    assert "not a date" in cli("add", "x", "--unit", "U1", "--deadline", "٢٠٢٦-١٢-٠١", code=2).stderr
    cli("add", "x", "--unit", "U1")
    assert "not an id" in cli("show", "H١", code=2).stderr


def test_nfd_and_nfc_forms_of_a_name_find_the_same_unit(cli):
    nfc = "Café 临江"
    nfd = unicodedata.normalize("NFD", nfc)
    assert nfc != nfd
    cli("unit", "add", nfd, "--industry", "fire", "--locality", "Gare")
    assert json_out(cli("unit", "show", nfc, "-f", "json"))["name"] == nfc  # stored NFC
    assert json_out(cli("unit", "show", nfd, "-f", "json"))["id"] == "U1"
    cli("add", "x", "--unit", nfd, "--owner", unicodedata.normalize("NFD", "José"))
    assert len(json_out(cli("list", "--owner", "José", "-f", "json"))) == 1
    assert len(json_out(cli("list", "--owner", unicodedata.normalize("NFD", "José"), "-f", "json"))) == 1
    assert len(json_out(cli("list", "--unit", nfd, "-f", "json"))) == 1
    assert "already" in cli("unit", "add", nfc, "--industry", "fire", "--locality", "Gare", code=1).stderr


# -- dates out of range ----------------------------------------------------------------------------


@pytest.mark.parametrize("args", [
    ("export", "hazards", "--week", "9999-W52"), ("export", "hazards", "--since", "0001-01-01"),
    ("export", "hazards", "--until", "9999-12-31"), ("report", "weekly", "--week", "9999-W52"),
    ("report", "weekly", "--week", "0001-W01"), ("list", "--found-since", "0001-01-01"),
    ("history", "--since", "0001-01-01"), ("report", "stats", "--until", "9999-12-31"),
    ("report", "coverage", "--since", "0001-01-01"), ("export", "history", "--until", "9999-12-31"),
])
def test_extreme_years_give_a_clear_range_error(cli, args):
    cli("unit", "add", "临江大酒店", "--industry", "fire", "--locality", "临江街道")
    result = cli(*args, code=2)
    assert "Traceback" not in result.output and result.stderr.count("\n") == 1
    assert "2000-01-01" in result.stderr, result.stderr  # the range allowed is named


def test_dates_of_things_that_happened_before_2000_are_refused(cli):
    cli("unit", "add", "临江大酒店", "--industry", "fire", "--locality", "临江街道")
    assert "2000-01-01" in cli("add", "x", "--unit", "U1", "--found", "1999-12-31", code=2).stderr
    cli("add", "x", "--unit", "U1", "--found", "2000-01-01")
    assert "2000-01-01" in cli("inspect", "add", "--unit", "U1", "--on", "1990-05-01", "--by", "王建国", code=2).stderr


def test_deadlines_more_than_five_years_ahead_are_refused(cli):
    cli("unit", "add", "临江大酒店", "--industry", "fire", "--locality", "临江街道")
    assert "2031-11-29" in cli("add", "x", "--unit", "U1", "--deadline", "9999-12-31", code=2).stderr
    assert "2031-11-29" in cli("add", "x", "--unit", "U1", "--deadline", "2031-11-30", code=2).stderr
    cli("add", "x", "--unit", "U1", "--deadline", "2031-11-29")
    assert "2031-11-29" in cli("extend", "H1", "--to", "2040-01-01", "--reason", "x", code=2).stderr


# -- nothing hostile shown -------------------------------------------------------------------------


def test_confirmation_lines_escape_control_characters(cli):
    result = cli("unit", "add", HOSTILE, "--industry", "fire", "--locality", "临江街道")
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "<U+001B>]0;pwned<U+0007><U+001B>[2J" in result.stdout
    result = cli("add", "x\x1b[2J", "--unit", "U1")
    assert result.stdout.startswith("Added H1: x<U+001B>[2J (临江<U+001B>]0;pwned")
    result = cli("unit", "edit", "U1", "--locality", "青山镇\x1b[2J")
    assert "Saved U1" in result.stdout and "\x1b" not in result.output
    result = cli("--lang", "zh", "unit", "show", "临江\x1b[2J", code=1)  # errors quote what was typed, made safe
    assert "\x1b" not in result.output and "“临江<U+001B>[2J”" in result.stderr


def _weekly_with(cli, description: str, unit: str) -> None:
    cli("unit", "add", unit, "--industry", "fire", "--locality", "临江街道")
    cli("add", description, "--unit", "U1", "--found", "2026-11-16", "--deadline", "2026-11-18", "--level", "major")


def test_markdown_report_escapes_html_and_markdown(cli):
    _weekly_with(cli, "<img src=x onerror=alert(1)> **粗体** [点我](javascript:alert(1)) `code`",
                 "<script>alert(1)</script>\u202eKTV")
    md = cli("report", "weekly", "--week", "2026-W48", "-f", "md").stdout
    assert "<img" not in md and "<script>" not in md and "\u202e" not in md
    assert "&lt;img src=x onerror=alert(1)&gt;" in md and "&lt;script&gt;" in md
    assert "\\*\\*粗体\\*\\*" in md and "\\[点我\\]" in md and "\\`code\\`" in md
    assert "<U+202E>KTV" in md


def test_html_report_isolates_user_text(cli):
    _weekly_with(cli, "\u202e灭火器过期", "<b>临江</b>大酒店")
    html = cli("report", "weekly", "--week", "2026-W48", "-f", "html").stdout
    assert "<bdi>\u202e灭火器过期</bdi>" in html
    assert "<bdi>&lt;b&gt;临江&lt;/b&gt;大酒店</bdi>" in html and "<b>临江" not in html
    assert "unicode-bidi: isolate" in html  # chart labels (SVG text) too


# -- nothing private left behind -------------------------------------------------------------------


def test_exports_and_the_errors_file_are_private(cli, tmp_path):
    cli("unit", "add", "临江大酒店", "--industry", "fire", "--locality", "临江街道")
    os.umask(0o022)
    for fmt in ("csv", "xlsx", "json"):
        out = tmp_path / "new" / "deep" / f"u.{fmt}"
        cli("export", "units", "-f", fmt, "-o", str(out))
        assert mode(out) == 0o600
        assert mode(out.parent) == 0o700 and mode(out.parent.parent) == 0o700
    bad = tmp_path / "bad.csv"
    bad.write_text("单位名称,行业领域,所属镇街\n坏单位,不存在的行业,临江街道\n", encoding="utf-8")
    errors = tmp_path / "errors.csv"
    cli("import", "units", str(bad), "--errors", str(errors), code=2)
    assert mode(errors) == 0o600


def test_openpyxl_temporary_files_are_private_in_the_destination_folder(cli, tmp_path, monkeypatch):
    from openpyxl.worksheet import _writer

    cli("unit", "add", "临江大酒店", "--industry", "fire", "--locality", "临江街道")
    made: list[tuple[Path, int, int]] = []
    original = _writer.create_temporary_file

    def spy(suffix=""):
        path = Path(original(suffix))
        made.append((path, mode(path), mode(path.parent)))
        return path.as_posix()

    monkeypatch.setattr(_writer, "create_temporary_file", spy)
    out = tmp_path / "dest" / "u.xlsx"
    cli("export", "units", "-f", "xlsx", "-o", str(out))
    assert made and all(p.parent.parent == out.parent and m == 0o600 and d == 0o700 for p, m, d in made)
    assert not any(p.exists() for p, _, _ in made)
    assert sorted(x.name for x in out.parent.iterdir()) == ["u.xlsx"]  # nothing else left


def test_an_export_interrupted_by_ctrl_c_leaves_nothing(cli, tmp_path, monkeypatch):
    from hazreg.render import export

    cli("unit", "add", "临江大酒店", "--industry", "fire", "--locality", "临江街道")

    def interrupted(*args, **kwargs):
        from openpyxl.worksheet._writer import create_temporary_file

        create_temporary_file()  # openpyxl has started writing
        raise KeyboardInterrupt

    monkeypatch.setattr(export, "write_xlsx", lambda records, columns, stream, title: interrupted())
    dest = tmp_path / "dest"
    dest.mkdir()
    result = cli("export", "units", "-f", "xlsx", "-o", str(dest / "u.xlsx"), code=130)
    assert "Interrupted" in result.stderr
    assert list(dest.iterdir()) == []


@pytest.mark.sqlite_only  # file modes of a restore beside the register file
def test_restore_copies_are_private_from_the_first_byte(cli, tmp_path, monkeypatch):
    from hazreg.register import integrity

    cli("unit", "add", "临江大酒店", "--industry", "fire", "--locality", "临江街道")
    cli("backup", str(tmp_path / "b.db"))
    os.chmod(tmp_path / "b.db", 0o644)  # a copy someone made readable to all
    seen: list[tuple[str, int]] = []
    original = integrity.check_register

    def spy(reg):
        path = reg.store.path
        seen.append((path.name, mode(path)))
        return original(reg)

    monkeypatch.setattr(integrity, "check_register", spy)
    os.umask(0o022)
    cli("restore", str(tmp_path / "b.db"))
    assert seen == [(".register.db.restore", 0o600)]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_backup_makes_its_folders_private(cli, tmp_path):
    cli("unit", "add", "临江大酒店", "--industry", "fire", "--locality", "临江街道")
    os.umask(0o022)
    cli("backup", str(tmp_path / "a" / "b" / "c") + "/")
    for folder in (tmp_path / "a", tmp_path / "a" / "b", tmp_path / "a" / "b" / "c"):
        assert mode(folder) == 0o700


def test_backup_onto_the_register_or_its_folders_is_refused(cli, isolated, tmp_path):
    cli("unit", "add", "临江大酒店", "--industry", "fire", "--locality", "临江街道")
    cli("add", "x", "--unit", "U1")
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(b"evidence")
    cli("attach", "H1", str(photo))
    files = sorted(str(p) for p in (tmp_path / "register.files").rglob("*"))
    for dest in (str(isolated), str(tmp_path / "." / "register.db"), str(tmp_path / "register.db-wal"),
                 str(tmp_path / "register.db-shm"), str(tmp_path / "register.files") + "/",
                 str(tmp_path / "register.files" / "x.db"), str(tmp_path / "register.sqlite")):
        result = cli("backup", dest, "--force", code=1)
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.output
    assert sorted(str(p) for p in (tmp_path / "register.files").rglob("*")) == files
    cli("check")
    (tmp_path / "existing").mkdir()
    assert "register-20261129T040000Z.db" in cli("backup", str(tmp_path / "existing")).stdout
    assert len(json_out(cli("unit", "list", "-f", "json"))) == 1


def test_attachment_open_uses_a_private_copy_and_removes_it(cli, tmp_path, monkeypatch):
    from hazreg.cli import supervision

    cli("unit", "add", "临江大酒店", "--industry", "fire", "--locality", "临江街道")
    cli("add", "x", "--unit", "U1")
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(b"\xff\xd8evidence")
    cli("attach", "H1", str(photo))
    opened: list[tuple[Path, int, int, bytes]] = []

    def viewer(path: Path) -> None:
        opened.append((path, mode(path), mode(path.parent), path.read_bytes()))

    monkeypatch.setattr(supervision, "_view", viewer)
    monkeypatch.setattr(supervision, "VIEW_SECONDS", 0)
    os.umask(0o022)
    cli("attachment", "open", "A1")
    [(path, file_mode, folder_mode, content)] = opened
    assert (file_mode, folder_mode, content) == (0o600, 0o700, b"\xff\xd8evidence")
    assert not path.exists() and not path.parent.exists()


# -- no tracebacks: disk full, read-only, C locale -----------------------------------------------------


def _mount(*args: str) -> None:
    if os.geteuid() != 0:
        pytest.skip("mounting a small or read-only file system needs root")
    result = subprocess.run(["mount", *args], capture_output=True, text=True)
    if result.returncode:
        pytest.skip(f"cannot mount here: {result.stderr.strip()}")


@pytest.fixture
def tiny_disk(tmp_path):
    disk = tmp_path / "disk"
    disk.mkdir()
    # Room for an empty register (about 350 KB at schema 12, with its journal while it is made),
    # far less than the import below needs.
    _mount("-t", "tmpfs", "-o", "size=1200k", "tmpfs", str(disk))
    yield disk
    subprocess.run(["umount", "-l", str(disk)], check=False)


def _fill(disk: Path) -> None:
    try:
        with (disk / "filler").open("wb") as f:
            while True:
                f.write(b"\0" * 4096)
                f.flush()
    except OSError:  # no space left: that was the point
        pass


def test_a_full_disk_is_one_line_and_the_register_stays_intact(tiny_disk, tmp_path):
    db = tiny_disk / "register.db"
    assert _hazreg(db, "unit", "add", "临江大酒店", "--industry", "fire", "--locality", "临江街道").returncode == 0
    big = tmp_path / "big.csv"
    with big.open("w", encoding="utf-8") as f:
        f.write("单位名称,行业领域,所属镇街\n")
        f.writelines(f"单位{i}{'长' * 50},消防,临江街道\n" for i in range(20_000))
    for args in (("import", "units", str(big)), ("add", "灭火器过期" * 50, "--unit", "U1"),
                 ("backup", str(tiny_disk / "b.db")), ("export", "units", "-o", str(tiny_disk / "u.csv"))):
        if args[0] == "add":
            _fill(tiny_disk)
        result = _hazreg(db, *args)
        assert result.returncode == 1, (args, result.stderr)
        assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1, result.stderr
        assert "disk is full" in result.stderr or "No space left" in result.stderr, result.stderr
    (tiny_disk / "filler").unlink()
    assert _hazreg(db, "check").returncode == 0
    assert len(json.loads(_hazreg(db, "unit", "list", "-f", "json").stdout)) == 1
    assert sorted(p.name for p in tiny_disk.iterdir() if not p.name.startswith("register.db")) == []


@pytest.fixture
def read_only(tmp_path):
    source = tmp_path / "source"
    source.mkdir()
    db = source / "register.db"
    assert _hazreg(db, "unit", "add", "临江大酒店", "--industry", "fire", "--locality", "临江街道").returncode == 0
    assert _hazreg(db, "add", "灭火器过期", "--unit", "U1").returncode == 0
    view = tmp_path / "ro"
    view.mkdir()
    _mount("--bind", str(source), str(view))
    _mount("-o", "remount,bind,ro", str(view))
    yield view / "register.db"
    subprocess.run(["umount", "-l", str(view)], check=False)


def test_a_register_on_a_read_only_file_system(read_only, tmp_path):
    listing = _hazreg(read_only, "list", "-f", "json")
    assert listing.returncode == 0 and json.loads(listing.stdout)[0]["description"] == "灭火器过期"
    assert _hazreg(read_only, "show", "H1").returncode == 0
    assert _hazreg(read_only, "check").returncode == 0
    assert _hazreg(read_only, "report", "weekly", "-f", "json").returncode == 0
    backup = _hazreg(read_only, "backup", str(tmp_path / "copy.db"))
    assert backup.returncode == 0, backup.stderr
    for args in (("add", "x", "--unit", "U1"), ("start", "H1"), ("unit", "add", "y", "--industry", "fire",
                                                                     "--locality", "z")):
        result = _hazreg(read_only, *args)
        assert result.returncode == 1 and "read-only" in result.stderr and result.stderr.count("\n") == 1, result.stderr


def test_the_c_locale_without_utf8_mode(tmp_path):
    db = tmp_path / "register.db"
    env = {"LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0", "PYTHONIOENCODING": "", "HAZREG_LANG": "zh"}
    added = _hazreg(db, "unit", "add", "临江大酒店", "--industry", "消防", "--locality", "临江街道", env=env)
    assert added.returncode == 0 and "Traceback" not in added.stderr, added.stderr
    _hazreg(db, "add", "灭火器过期", "--unit", "临江大酒店", env=env)
    listing = subprocess.run([sys.executable, "-m", "hazreg", "list"], capture_output=True,
                             env={**os.environ, "PYTHONPATH": SRC, "HAZREG_DB": str(db), **env})
    assert listing.returncode == 0 and "灭火器过期" in listing.stdout.decode("utf-8"), listing.stderr
    names = json.loads(_hazreg(db, "unit", "list", "-f", "json").stdout)
    assert names[0]["name"] == "临江大酒店"  # stored as typed, not as escaped bytes
