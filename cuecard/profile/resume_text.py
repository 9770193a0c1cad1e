"""Text out of a resume file: PDF (pypdf), DOCX (python-docx), Markdown or plain text.

Split from :mod:`cuecard.profile.resume`, which parses the text into a profile.
"""

from __future__ import annotations

import io

SUPPORTED_SUFFIXES = (".pdf", ".docx", ".md", ".markdown", ".txt", ".text")


class ResumeFormatError(ValueError):
    """The uploaded file is not a resume we can read (unsupported type, corrupt, empty)."""


# ---------------------------------------------------------------------------------------------
# bytes -> text


def extract_text(data: bytes, filename: str) -> str:
    """Plain text of a resume file; the format is chosen by the file name's suffix."""
    name = (filename or "").lower()
    suffix = name[name.rfind(".") :] if "." in name else ""
    if not data:
        raise ResumeFormatError(f"{filename or 'The file'} is empty")
    if suffix == ".pdf":
        text = _pdf_text(data, filename)
    elif suffix == ".docx":
        text = _docx_text(data, filename)
    elif suffix in (".md", ".markdown", ".txt", ".text", ""):
        text = _plain_text(data, filename)
    else:
        raise ResumeFormatError(
            f"Unsupported resume format {suffix!r} ({filename}); use one of "
            + ", ".join(SUPPORTED_SUFFIXES)
            + (" (save .doc files as .docx)" if suffix == ".doc" else "")
        )
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    if not text.strip():
        raise ResumeFormatError(
            f"No text found in {filename}" + (" (a scanned PDF without a text layer?)" if suffix == ".pdf" else "")
        )
    return text


def _plain_text(data: bytes, filename: str) -> str:
    """Decode a text file: UTF-16 with a byte-order mark, UTF-8, else Windows-1252.

    Windows-1252 is the last resort because older editors on Windows save resumes in it; it
    accepts (almost) any byte, so a wrong guess shows odd characters rather than failing.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ResumeFormatError(f"{filename} is not valid UTF-16 text") from exc
    if b"\x00" in data[:4096]:
        raise ResumeFormatError(f"{filename} looks like a binary file, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _pdf_text(data: bytes, filename: str) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    if not data.lstrip().startswith(b"%PDF"):
        raise ResumeFormatError(f"{filename} is not a PDF file (no %PDF header)")
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                reader.decrypt("")
            except Exception as exc:  # noqa: BLE001 - any failure means we cannot read it
                raise ResumeFormatError(f"{filename} is a password-protected PDF") from exc
        pages = [page.extract_text() or "" for page in reader.pages]
    except ResumeFormatError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise ResumeFormatError(f"{filename} is a damaged PDF: {exc}") from exc
    return "\n".join(pages)


def _docx_text(data: bytes, filename: str) -> str:
    import zipfile

    import docx
    from docx.oxml.ns import qn
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ResumeFormatError(f"{filename} is not a valid DOCX file: {exc}") from exc
    except Exception as exc:  # noqa: BLE001 - python-docx raises assorted errors on junk
        raise ResumeFormatError(f"{filename} could not be read as DOCX: {exc}") from exc
    lines: list[str] = []
    # Many templates put the name and contact details in the page header.
    for section in document.sections:
        try:
            lines.extend(p.text.strip() for p in section.header.paragraphs if p.text.strip())
        except Exception:  # noqa: BLE001 - a broken header part must not lose the body
            pass
    # Body order matters (a table may hold the role header), so walk the XML children.
    for child in document.element.body.iterchildren():
        if child.tag == qn("w:p"):
            lines.append(_docx_paragraph(Paragraph(child, document)))
            # Text boxes (sidebars of two-column templates) are not part of paragraph.text;
            # Word stores each twice (DrawingML and a VML fallback), hence the de-duplication.
            boxed = [
                "".join(t.text or "" for t in p.iter(qn("w:t")))
                for p in child.iter(qn("w:p"))
                if p is not child and any(a.tag == qn("w:txbxContent") for a in p.iterancestors())
            ]
            lines.extend(dict.fromkeys(b.strip() for b in boxed if b.strip()))
        elif child.tag == qn("w:tbl"):
            table = Table(child, document)
            for row in table.rows:
                cells = list(dict.fromkeys(c.text.strip() for c in row.cells if c.text.strip()))
                if cells:
                    lines.append(" | ".join(cells))
    return "\n".join(lines)


def _docx_paragraph(paragraph) -> str:
    """Paragraph text with list items marked as bullets and headings as Markdown headings."""
    text = paragraph.text.strip()
    if not text:
        return ""
    style = (paragraph.style.name or "").lower() if paragraph.style is not None else ""
    numbered = paragraph._p.pPr is not None and paragraph._p.pPr.numPr is not None
    if "list" in style or numbered:
        return "- " + text
    if style.startswith("heading") or style == "title":
        return "# " + text
    return text


# ---------------------------------------------------------------------------------------------
# text -> Profile

# ASCII markers need a space after them ("-based" is not a bullet); the glyphs that word
# processors and PDF exports use (incl. Symbol/Wingdings private-use code points) need none.
