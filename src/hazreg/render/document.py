"""Enforcement documents as DOCX: a template (a small text format a user can edit) filled with a
document's fields, laid out on A4 after the national 安全生产执法文书 formats, written
deterministically (fixed zip timestamps and order, core properties from the record), so the same
fields and template always give the same bytes. python-docx is imported only here, on use.

Template lines: `!title TEXT` (centred, bold), `!subtitle TEXT` (centred: the number),
`!left TEXT` (no indent), `!right TEXT` (right-aligned: seal and date), `!blank`,
`!hazards HEAD={field} | HEAD={field} …` (a table with a row per hazard), `!officers` (the
enforcement officers and their certificate numbers), `# …` a comment; any other line is a
paragraph indented two characters. `{field}` is replaced by the field's text (`{{`, `}}` for
braces).
"""

from __future__ import annotations

import io
import string
import zipfile
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from hazreg.errors import InvalidInput

# The fields a document template may use (README: Enforcement documents).
FIELDS = (
    "office", "number", "doc_title", "issued_on", "year", "party", "credit_code", "address", "principal",
    "phone", "industry", "locality", "inspection_id", "inspection_on", "hazard_ids", "hazard_count", "deadline",
    "basis", "basis_text", "officers", "officer1", "cert1", "officer2", "cert2", "review_body", "court",
    "supervision_body", "supervision_level", "listed_on", "supervision_due", "notice_number", "delisted_on",
    "delist_note", "measures", "order_number", "order_issued_on", "reply_by", "interview_time",
    "interview_place", "days_overdue",
)
# The fields of a hazard row (`!hazards`).
ROW_FIELDS = (
    "index", "id", "description", "level", "deadline", "basis", "owner", "measures", "status", "verified_on",
    "verified_by", "verify_note", "result", "days_overdue",
)
DIRECTIVES = ("title", "subtitle", "left", "right", "blank", "hazards", "officers")
_EPOCH = (1980, 1, 1, 0, 0, 0)


def _names(text: str, line: int) -> list[str]:
    try:
        return [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]
    except ValueError:
        raise InvalidInput("err.template_line", "template", line=line, text=text) from None


def parse(text: str) -> list[tuple[str, Any]]:
    """A template's blocks, or InvalidInput naming the line with an unknown directive or field."""
    blocks: list[tuple[str, Any]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip()
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        kind, rest = "para", line.strip()
        if line.startswith("!"):
            word, _, rest = line[1:].partition(" ")
            kind, rest = word.strip(), rest.strip()
            if kind not in DIRECTIVES:
                raise InvalidInput("err.template_directive", "template", line=number, value=f"!{kind}",
                                   allowed=", ".join(f"!{d}" for d in DIRECTIVES))
        if kind == "hazards":
            columns = []
            for part in rest.split("|"):
                head, sep, cell = part.partition("=")
                if not sep or not head.strip():
                    raise InvalidInput("err.template_line", "template", line=number, text=line)
                for name in _names(cell, number):
                    if name not in ROW_FIELDS:
                        raise InvalidInput("err.template_field", "template", line=number, value=name,
                                           allowed=", ".join(ROW_FIELDS))
                columns.append((head.strip(), cell.strip()))
            blocks.append((kind, columns))
            continue
        for name in _names(rest, number):
            if name not in FIELDS:
                raise InvalidInput("err.template_field", "template", line=number, value=name, allowed=", ".join(FIELDS))
        blocks.append((kind, rest))
    if not any(kind == "title" for kind, _ in blocks):
        raise InvalidInput("err.template_no_title", "template")
    return blocks


class _Fields(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return ""


def fill(text: str, fields: Mapping[str, Any]) -> str:
    return text.format_map(_Fields({k: "" if v is None else str(v) for k, v in fields.items()}))


def _font(run: Any, name: str, size: float, bold: bool = False) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), name)


def render(template: str, fields: Mapping[str, Any], rows: Sequence[Mapping[str, Any]],
           officers: Sequence[Mapping[str, str]]) -> bytes:
    """The DOCX of a document: always the same bytes for the same template, fields, rows and officers."""
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    body_font, title_font = "仿宋", "宋体"
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    style = doc.styles["Normal"]
    style.font.name = body_font
    style.font.size = Pt(16)
    style.element.get_or_add_rPr().get_or_add_rFonts().set(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia", body_font)

    def paragraph(text: str, align: Any = None, indent: bool = False, size: float = 16, bold: bool = False,
                  font: str = body_font) -> None:
        p = doc.add_paragraph()
        p.paragraph_format.space_after = Pt(0)
        p.paragraph_format.line_spacing = Pt(28)
        if align is not None:
            p.alignment = align
        if indent:
            p.paragraph_format.first_line_indent = Pt(size * 2)
        if text:
            _font(p.add_run(text), font, size, bold)

    def table(head: list[str], body: list[list[str]], wide: frozenset[int] | set[int] = frozenset()) -> None:
        t = doc.add_table(rows=1 + len(body), cols=len(head))
        t.style = "Table Grid"
        t.alignment = WD_TABLE_ALIGNMENT.CENTER
        t.autofit = False
        # The text width of A4 less the margins; a wide column (the description) takes half.
        total = 156.0
        narrow = [i for i in range(len(head)) if i not in wide]
        share = total / 2 / len(wide) if wide and narrow else total / max(len(wide), 1)
        rest = (total - share * len(wide)) / len(narrow) if narrow else 0.0
        widths = [Mm(share if i in wide else rest) for i in range(len(head))]
        for column, width in zip(t.columns, widths, strict=True):
            column.width = width  # the grid, which LibreOffice and WPS read
        for r, cells in enumerate([head, *body]):
            for c, text in enumerate(cells):
                cell = t.cell(r, c)
                cell.width = widths[c]
                cell.text = ""
                _font(cell.paragraphs[0].add_run(text), body_font, 12, bold=r == 0)

    for kind, value in parse(template):
        if kind == "title":
            paragraph(fill(value, fields), WD_ALIGN_PARAGRAPH.CENTER, size=22, bold=True, font=title_font)
        elif kind == "subtitle":
            paragraph(fill(value, fields), WD_ALIGN_PARAGRAPH.CENTER)
        elif kind == "left":
            paragraph(fill(value, fields))
        elif kind == "right":
            paragraph(fill(value, fields), WD_ALIGN_PARAGRAPH.RIGHT)
        elif kind == "blank":
            paragraph("")
        elif kind == "para":
            paragraph(fill(value, fields), indent=True)
        elif kind == "hazards":
            wide = {i for i, (_, cell) in enumerate(value) if "{description}" in cell}
            table([head for head, _ in value], [[fill(cell, row) for _, cell in value] for row in rows], wide)
        elif kind == "officers":
            table(["执法人员", "执法证号"], [[o["name"], o["cert"]] for o in officers])
    issued = datetime.combine(date.fromisoformat(str(fields.get("issued_iso") or "2000-01-01")), datetime.min.time())
    props = doc.core_properties
    props.title = str(fields.get("doc_title") or "")
    props.identifier = str(fields.get("number") or "")
    props.author = props.last_modified_by = str(fields.get("office") or "")
    props.subject = str(fields.get("party") or "")
    props.keywords = props.comments = props.category = props.content_status = ""
    props.created = props.modified = props.last_printed = issued
    props.revision = 1
    raw = io.BytesIO()
    doc.save(raw)
    return deterministic_zip(raw.getvalue())


def deterministic_zip(data: bytes) -> bytes:
    """The same archive with fixed timestamps and attributes: equal content, equal bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 0
            target.writestr(info, source.read(item.filename))
    return out.getvalue()


def text_of(data: bytes) -> list[str]:
    """The document's text, paragraph by paragraph and cell by cell in order (tests, `doc show`)."""
    from docx import Document

    doc = Document(io.BytesIO(data))
    lines: list[str] = []
    body = doc.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append("".join(node.text or "" for node in child.iter() if node.tag.endswith("}t")))
        elif tag == "tbl":
            for tr in child.iter():
                if tr.tag.endswith("}tr"):
                    cells = []
                    for tc in tr:
                        if tc.tag.endswith("}tc"):
                            cells.append("".join(n.text or "" for n in tc.iter() if n.tag.endswith("}t")))
                    lines.append(" | ".join(cells))
    return lines


def to_pdf(docx_path: Any, timeout: int = 180) -> Any:
    """Convert with LibreOffice (soffice) beside the DOCX; the PDF's path, or None without soffice."""
    import shutil
    import subprocess
    import tempfile
    from pathlib import Path

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        return None
    source = Path(docx_path)
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
             "--outdir", str(source.parent), str(source)],
            check=True, capture_output=True, timeout=timeout,
        )
    target = source.with_suffix(".pdf")
    return target if target.exists() else None
