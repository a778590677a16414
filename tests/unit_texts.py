"""Unit specifications laid out as centres receive them, built from the seeds' own criteria.

Each layout takes units (from content/03455/units, which hold the criteria of the seeds) and
returns what a centre would have: pasted text, a PDF or a Word file. The reader's tests import
each one and compare with the units it was built from; the reader's benchmark builds its
handbook here too.
"""

from __future__ import annotations

import functools
import io
from pathlib import Path

from survey.content import Criterion, Qualification, Unit, load_qualification

CONTENT = Path(__file__).resolve().parents[1] / "content" / "03455"


@functools.cache
def _qualification() -> Qualification:
    return load_qualification(CONTENT)


def seed_unit(number: str) -> Unit:
    """A unit whose criteria the seeds give (F1, F2, B1), as the content holds them."""
    unit = _qualification().unit(number)
    assert unit is not None and unit.criteria, number
    return unit


def words(c: Criterion) -> str:
    """A criterion's words in the seed: an uncertain one stops short, as the seed does."""
    return c.seed_text if c.uncertain else c.text


def lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def wrap(text: str, width: int) -> list[str]:
    """Break a text into lines of at most `width` characters, at spaces."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


# ---- pasted text -----------------------------------------------------------------------------


def pipe_table(unit: Unit) -> str:
    """A table with a column each for the outcome's number, its title, the criterion's number
    and its text, as a wiki or a converted Word file gives it."""
    rows = [
        f"Unit {unit.number} ({unit.accreditation}) - {unit.title}",
        "",
        "| LO | Learning outcome | AC | Assessment criterion |",
        "|----|------------------|----|----------------------|",
    ]
    for o in unit.outcomes:
        for i, c in enumerate(o.criteria):
            first = (str(o.number), o.title) if i == 0 else ("", "")
            rows.append(f"| {first[0]} | {first[1]} | {c.number} | {words(c)} |")
    return "\n".join(rows) + "\n"


def markdown_br(unit: Unit) -> str:
    """A markdown table: each outcome one row, its criteria in one cell split by <br>."""
    rows = [
        f"## Unit {unit.number}: {unit.title}",
        "",
        "| Learning outcomes<br>The learner will: | Assessment criteria<br>The learner can: |",
        "|:---|:---|",
    ]
    for o in unit.outcomes:
        criteria = "<br>".join(f"{c.number} {words(c)}" for c in o.criteria)
        rows.append(f"| {o.number}. {o.title} | {criteria} |")
    return "\n".join(rows) + "\n"


def register_tabs(unit: Unit) -> str:
    """The qualifications register's unit page copied from a browser: tab-separated cells,
    criteria in lower case, the unit known only by its title and reference number."""
    rows = [
        f"Unit title\t{unit.title}",
        f"Unit reference number\t{unit.accreditation}",
        "Level\t2",
        "Credit value\t4",
        "Learning outcomes\tAssessment criteria",
        "The learner will:\tThe learner can:",
    ]
    for o in unit.outcomes:
        for i, c in enumerate(o.criteria):
            left = f"{o.number} {lower_first(o.title)}" if i == 0 else ""
            rows.append(f"{left}\t{c.number} {lower_first(words(c))}")
    return "\r\n".join(rows) + "\r\n"


def narrow_copy(unit: Unit) -> str:
    """A table copied on a phone-width screen: every cell on a line of its own."""
    rows = [f"Unit {unit.number}", unit.title, "Learning outcomes", "Assessment criteria"]
    for o in unit.outcomes:
        rows += [str(o.number), o.title]
        for c in o.criteria:
            rows += [c.number, words(c)]
    return "\n".join(rows) + "\n"


def ac_numbers(unit: Unit) -> str:
    """LO1 / AC1.1. numbering, a trailing full stop after each criterion number."""
    rows = [f"UNIT {unit.number} {unit.title.upper()}", f"Unit reference: {unit.accreditation}"]
    for o in unit.outcomes:
        rows += ["", f"LO{o.number}: {o.title}", "Assessment criteria - the learner can:"]
        rows += [f"AC{c.number}. {words(c)}." for c in o.criteria]
    return "\n".join(rows) + "\n"


def numbers_twice(unit: Unit) -> str:
    """A table whose number column is repeated inside the text cells."""
    rows = [f"Unit {unit.number} {unit.title}", "", "| No. | Outcome / criterion |", "|---|---|"]
    for o in unit.outcomes:
        rows.append(f"| {o.number} | {o.number} {o.title} |")
        rows += [f"| {c.number} | {c.number} {words(c)} |" for c in o.criteria]
    return "\n".join(rows) + "\n"


def city_and_guilds(unit: Unit, unit_number: str) -> str:
    """A City & Guilds handbook: "Unit 201", criteria numbered 1, 2, 3 under each outcome."""
    rows = [
        f"Unit {unit_number}\t{unit.title}",
        f"UAN:\t{unit.accreditation}",
        "Level:\t2",
        "Credit value:\t4",
        "GLH:\t30",
        f"Aim:\tThis unit is about how to {lower_first(unit.title)}.",
        "",
        "Learning outcomes and assessment criteria",
    ]
    for o in unit.outcomes:
        rows += ["", f"Outcome {o.number}\tThe learner will: {lower_first(o.title)}", ""]
        rows += ["The learner can:"]
        rows += [f"{i}. {lower_first(words(c))}" for i, c in enumerate(o.criteria, 1)]
    rows += ["", "Range", "Customers: internal, external.", ""]
    return "\n".join(rows) + "\n"


def web_page(unit: Unit) -> str:
    """A training provider's web page: outcome headings without numbers, blank lines between."""
    rows = [f"Unit {unit.number}: {unit.title}", "", "Learning outcomes", ""]
    for o in unit.outcomes:
        rows += [o.title, "", "Assessment criteria", ""]
        rows += [f"{c.number} {words(c)}" for c in o.criteria]
        rows.append("")
    rows += ["Find out more about this qualification on our courses page.", ""]
    return "\n".join(rows)


def pdf_paste(unit: Unit, per_page: int = 9) -> str:
    """Text copied out of a PDF: narrow wrapped lines, a header and a footer on every page,
    a page break inside a criterion, and the assessment guidance straight after the criteria."""
    body: list[str] = [f"Unit {unit.number} ({unit.accreditation})", unit.title.upper()]
    for o in unit.outcomes:
        body += [f"Learning outcome {o.number} - {o.title}", "Assessment criteria - I can:"]
        for c in o.criteria:
            body += wrap(f"{c.number} {words(c)}", 46)
    body.append("Assessment guidance: evidence must come from real work with real customers.")
    pages = [body[i : i + per_page] for i in range(0, len(body), per_page)]
    out: list[str] = []
    for n, page in enumerate(pages, 1):
        out += ["OCR Level 2 NVQ Certificate in Customer Service", *page]
        out += [f"Version 2 © OCR 2011 Page {n} of {len(pages)}"]
    return "\n".join(out) + "\n"


def spaced_columns(unit: Unit) -> str:
    """A Pearson unit as `pdftotext -layout` writes it: its columns kept apart with spaces."""
    rows = [
        f"Unit {unit.number[-1]}:        {unit.title}",
        f"Unit code:     {unit.accreditation}",
        "QCF Level 2:   BTEC Specialist",
        "Credit value:  4",
        "",
        "Learning outcomes and assessment criteria",
        "",
        "In order to pass this unit, the evidence that the learner presents for assessment",
        "needs to demonstrate that they can meet all the learning outcomes for the unit.",
        "",
        "On completion of this unit a learner should:",
        "",
        "Learning outcomes                        Assessment criteria",
        "",
    ]
    for o in unit.outcomes:
        left = wrap(f"{o.number} {o.title}", 36)
        right = [ln for c in o.criteria for ln in wrap(f"{c.number} {lower_first(words(c))}", 50)]
        for i in range(max(len(left), len(right))):
            a = left[i] if i < len(left) else ""
            b = right[i] if i < len(right) else ""
            rows.append(f"{a:<41}{b}".rstrip())
        rows.append("")
    rows += ["Unit content", "", f"1 {unit.outcomes[0].title}", "Customers: internal; external"]
    return "\n".join(rows) + "\n"


def hyphenated(text: str, width: int) -> list[str]:
    """Wrap like a typesetter that hyphenates: long words are split at the line's end."""
    lines = [""]
    for word in text.split():
        room = width - len(lines[-1]) - (1 if lines[-1] else 0)
        if len(word) <= room:
            lines[-1] += (" " if lines[-1] else "") + word
        elif room >= 5 and len(word) >= 9 and word[: room + 2].isalpha():
            cut = min(room - 1, len(word) - 3)  # between two letters, three or more left over
            lines[-1] += (" " if lines[-1] else "") + word[:cut] + "-"
            lines.append(word[cut:])
        elif "-" in word and word.index("-") < room:  # a hyphenated word breaks at its hyphen
            head, tail = word.split("-", 1)
            lines[-1] += (" " if lines[-1] else "") + head + "-"
            lines.append(tail)
        else:
            lines.append(word)
    return lines


# ---- PDF -------------------------------------------------------------------------------------


def _fpdf(header: str, footer: str):  # noqa: ANN202
    from fpdf import FPDF

    class Handbook(FPDF):
        def header(self) -> None:
            self.set_font("Helvetica", "", 8)
            self.cell(0, 6, header, new_x="LMARGIN", new_y="NEXT")
            self.ln(2)

        def footer(self) -> None:
            self.set_y(-14)
            self.set_font("Helvetica", "", 8)
            self.cell(0, 6, f"{footer}   Page {self.page_no()}", align="C")

    pdf = Handbook(format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(20, 15, 20)
    return pdf


def pdf_table(units: list[Unit], line: float = 5.0, bottom: float = 275.0) -> bytes:
    """A ruled two-column table (outcomes | criteria) per unit, as awarding bodies print them:
    the table runs on over page breaks with its header row repeated on each page, and a
    criterion that reaches the bottom of a page goes on in the first row of the next."""
    pdf = _fpdf("Level 2 NVQ Certificate in Customer Service (03455)", "© Awarding Body 2024")
    left, split, right = 20.0, 75.0, 190.0

    def text(x: float, y: float, say: str) -> None:
        pdf.text(x + 1.5, y + line - 1.3, say)

    def header_row(y: float) -> float:
        pdf.set_font("Helvetica", "B", 9.5)
        pdf.rect(left, y, split - left, 2 * line)
        pdf.rect(split, y, right - split, 2 * line)
        text(left, y, "Learning outcomes")
        text(split, y, "Assessment criteria")
        text(left, y + line, "The learner will:")
        text(split, y + line, "The learner can:")
        pdf.set_font("Helvetica", "", 9.5)
        return y + 2 * line

    def new_page() -> float:
        pdf.add_page()
        return header_row(pdf.get_y())

    def borders(top: float, y: float, starts: list[float]) -> None:
        pdf.rect(left, top, split - left, y - top)
        pdf.rect(split, top, right - split, y - top)
        for at in starts:  # each criterion in a cell of its own
            pdf.line(split, at, right, at)

    for unit in units:
        pdf.add_page()
        pdf.set_font("Helvetica", "B", 12)
        pdf.text(left, 30, f"Unit {unit.number} ({unit.accreditation})")
        pdf.text(left, 36, unit.title)
        y = header_row(40.0)
        for o in unit.outcomes:
            titles = wrap(f"{o.number} {o.title}", 30)
            criteria = [
                (part, k == 0)
                for c in o.criteria
                for k, part in enumerate(wrap(f"{c.number} {words(c)}", 62))
            ]
            top, starts = y, []
            for i in range(max(len(titles), len(criteria))):
                if y + line > bottom:
                    borders(top, y, starts)
                    y = top = new_page()
                    starts = []
                if i < len(titles):
                    text(left, y, titles[i])
                if i < len(criteria):
                    if criteria[i][1] and y > top:
                        starts.append(y)
                    text(split, y, criteria[i][0])
                y += line
            borders(top, y, starts)
    return bytes(pdf.output())


def pdf_columns(unit: Unit) -> bytes:
    """Outcomes and criteria side by side with no rules, and the running text of a handbook."""
    pdf = _fpdf("Customer Service Handbook", "Centre copy")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 12)
    pdf.text(20, 30, f"Unit {unit.number}: {unit.title}")
    pdf.set_font("Helvetica", "", 9.5)
    y = 38.0
    for text in wrap("This unit is about the language of customer service. " * 3, 95):
        pdf.text(20, y, text)
        y += 4.6
    y += 6
    pdf.set_font("Helvetica", "B", 9.5)
    pdf.text(20, y, "Learning outcomes")
    pdf.text(85, y, "Assessment criteria")
    pdf.set_font("Helvetica", "", 9.5)
    y += 7
    for o in unit.outcomes:
        left = wrap(f"{o.number} {o.title}", 32)
        right = [ln for c in o.criteria for ln in wrap(f"{c.number} {words(c)}", 60)]
        for i in range(max(len(left), len(right))):
            if i < len(left):
                pdf.text(20, y, left[i])
            if i < len(right):
                pdf.text(85, y, right[i])
            y += 4.6
        y += 4.6
    return bytes(pdf.output())


def pdf_handbook(units: list[Unit], pages_of_prose: int = 1, bottom: float = 275.0) -> bytes:
    """A handbook: a few pages of running text, then each unit in a ruled table."""
    pdf = _fpdf("Level 2 NVQ Certificate in Customer Service (03455)", "© Awarding Body 2024")
    pdf.set_font("Helvetica", "", 10)
    for _ in range(pages_of_prose):
        pdf.add_page()
        y = 30.0
        for text in wrap("Centres must register candidates before assessment begins. " * 40, 95):
            pdf.text(20, y, text)
            y += 5
    return _merge(bytes(pdf.output()), pdf_table(units, bottom=bottom))


def _merge(first: bytes, second: bytes) -> bytes:
    """Two PDFs one after the other (pypdfium2 comes with pdfplumber)."""
    import pypdfium2

    out = pypdfium2.PdfDocument.new()
    for data in (first, second):
        doc = pypdfium2.PdfDocument(data)
        out.import_pages(doc)
    buffer = io.BytesIO()
    out.save(buffer)
    return buffer.getvalue()


def pdf_image_only() -> bytes:
    """A scanned page: a picture, no text."""
    from fpdf import FPDF
    from PIL import Image

    pdf = FPDF()
    pdf.add_page()
    picture = io.BytesIO()
    Image.new("RGB", (60, 20), "white").save(picture, format="PNG")
    pdf.image(picture, x=20, y=20, w=120)
    return bytes(pdf.output())


# ---- Word ------------------------------------------------------------------------------------


def docx_table(unit: Unit) -> bytes:
    """A Word tracker: a heading, then a table with the outcome's cell merged down its rows."""
    import docx

    document = docx.Document()
    document.add_heading(f"Unit {unit.number} {unit.title}", level=1)
    document.add_paragraph(f"Unit accreditation number: {unit.accreditation}")
    rows = sum(len(o.criteria) for o in unit.outcomes) + 1
    table = document.add_table(rows=rows, cols=3)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ("Learning outcome", "Criteria", "Evidence ref"),
                          strict=True):  # fmt: skip
        cell.text = text
    r = 1
    for o in unit.outcomes:
        first = r
        for c in o.criteria:
            table.cell(r, 1).text = f"{c.number} {words(c)}"
            r += 1
        merged = table.cell(first, 0).merge(table.cell(r - 1, 0))
        merged.text = f"{o.number} {o.title}"
    document.add_paragraph("Assessor signature: ____________  Date: ________")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def docx_tracker(unit: Unit) -> bytes:
    """A centre's Word tracker: the title, then "Unit B1", then a row per outcome and criterion,
    their numbers in a column of their own, and tick boxes to fill in."""
    import docx

    document = docx.Document()
    document.add_paragraph(f"{unit.title} ({unit.accreditation})", style="Title")
    document.add_paragraph(f"Unit {unit.number}")
    table = document.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ("Ref", "Outcome / criterion", "Met", "Evidence"),
                          strict=True):  # fmt: skip
        cell.text = text
    for o in unit.outcomes:
        row = table.add_row().cells
        row[0].text, row[1].text = f"LO{o.number}", o.title
        for c in o.criteria:
            row = table.add_row().cells
            row[0].text, row[1].text, row[2].text = c.number, words(c), "\u2610"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def docx_numbered(unit: Unit) -> bytes:
    """A Word document whose outcomes and criteria are numbered by Word's multilevel list
    (1, 1.1, 1.2 …): the numbers are not in the text."""
    import docx
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    document = docx.Document()
    numbering = document.part.numbering_part.element
    numbering.insert(
        0,
        parse_xml(
            f'<w:abstractNum {nsdecls("w")} w:abstractNumId="90">'
            '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/>'
            '<w:lvlText w:val="%1"/></w:lvl>'
            '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/>'
            '<w:lvlText w:val="%1.%2"/></w:lvl></w:abstractNum>'
        ),
    )
    numbering.append(
        parse_xml(f'<w:num {nsdecls("w")} w:numId="90"><w:abstractNumId w:val="90"/></w:num>')
    )
    document.add_paragraph(f"Unit {unit.number}: {unit.title}", style="Title")

    def numbered(text: str, level: int) -> None:
        p = document.add_paragraph(text)
        p._p.get_or_add_pPr().append(
            parse_xml(
                f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/><w:numId w:val="90"/></w:numPr>'
            )
        )

    for o in unit.outcomes:
        numbered(o.title, 0)
        for c in o.criteria:
            numbered(words(c), 1)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
