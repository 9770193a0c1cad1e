"""Resume parsing in a separate process with time, memory, page and expansion limits.

A resume is hostile input: a 17 KB DOCX with 100k paragraphs, a 5 KB PDF whose pages share one
huge content stream, or a DOCX holding a 1 GB zero-filled part each stalled or bloated the
server when parsed on its event loop (issue 14). Here:

1. ``check_archive`` reads only the DOCX zip's central directory, before anything is
   decompressed: at most ``resume_max_uncompressed_bytes`` in all, no part larger than 1 MB
   expanding more than ``resume_max_zip_ratio`` times, at most ``MAX_ZIP_ENTRIES`` parts
   (413 ``file_too_large_unpacked``).
2. The parsing itself runs in a fresh ``python -m cuecard.profile.worker`` child: the file on
   stdin, the profile as JSON on stdout. The child caps its own address space
   (``RLIMIT_AS`` = ``resume_parse_memory_bytes``) and CPU time, re-checks the archive (the
   directory may lie about sizes; the memory cap catches what it hides), refuses PDFs with
   more than ``resume_max_pages`` pages (413 ``too_many_pages``) and stops collecting text past
   ``MAX_TEXT_CHARS``. The parent kills it after ``resume_parse_timeout_secs`` (422
   ``parse_timeout``); a child that ran out of memory answers 422 ``parse_memory``.
   Plain text and Markdown, which cannot expand, are parsed in a thread under the same text cap.

Decision (a fresh process per upload, not a ``ProcessPoolExecutor``): a pool worker that hit
its memory cap or was killed on timeout breaks the whole pool, and a long-lived worker keeps
the memory a large parse took. A fresh child costs ~0.3 s of imports per upload, which is
nothing next to a human uploading a resume, and every parse starts clean. The event loop only
waits on a pipe, so other requests are answered while a parse runs.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import sys
import zipfile
from dataclasses import asdict, dataclass
from typing import Any

MAX_ZIP_ENTRIES = 2000
RATIO_CHECK_MIN_BYTES = 1_000_000  # small parts may compress as well as they like
MAX_TEXT_CHARS = 2_000_000


class ParseRefused(Exception):
    """The file breaks a limit or cannot be read: an HTTP status, a code and a message."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@dataclass(frozen=True)
class ParseLimits:
    timeout_secs: float = 20.0
    memory_bytes: int = 1_000_000_000
    max_pages: int = 50
    max_uncompressed_bytes: int = 50_000_000
    max_zip_ratio: float = 200.0

    @classmethod
    def from_settings(cls, settings) -> ParseLimits:
        return cls(
            timeout_secs=settings.resume_parse_timeout_secs,
            memory_bytes=settings.resume_parse_memory_bytes,
            max_pages=settings.resume_max_pages,
            max_uncompressed_bytes=settings.resume_max_uncompressed_bytes,
            max_zip_ratio=settings.resume_max_zip_ratio,
        )


def _suffix(filename: str) -> str:
    name = (filename or "").lower()
    return name[name.rfind(".") :] if "." in name else ""


def check_archive(data: bytes, filename: str, limits: ParseLimits) -> None:
    """For a DOCX: refuse a zip that would expand too far, from its directory alone."""
    if _suffix(filename) != ".docx":
        return
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return  # not a zip at all: the parser says so with its own clear 400
    if len(entries) > MAX_ZIP_ENTRIES:
        raise ParseRefused(413, "file_too_large_unpacked", f"the DOCX has more than {MAX_ZIP_ENTRIES} parts")
    total = 0
    for entry in entries:
        total += entry.file_size
        ratio = entry.file_size / max(entry.compress_size, 1)
        if entry.file_size > RATIO_CHECK_MIN_BYTES and ratio > limits.max_zip_ratio:
            raise ParseRefused(
                413,
                "file_too_large_unpacked",
                f"a part of the DOCX expands {ratio:.0f} times (at most {limits.max_zip_ratio:.0f})",
            )
    if total > limits.max_uncompressed_bytes:
        raise ParseRefused(
            413,
            "file_too_large_unpacked",
            f"the DOCX unpacks to {total} bytes (at most {limits.max_uncompressed_bytes})",
        )


# -- parent side ---------------------------------------------------------------------------------


CONTAINER_SUFFIXES = (".pdf", ".docx")  # formats whose content can expand beyond the upload


async def parse_resume_isolated(data: bytes, filename: str, limits: ParseLimits) -> tuple[dict, str]:
    """(profile fields, resume text) parsed in a child process; ``ParseRefused`` otherwise.

    Plain text and Markdown cannot expand past the upload size, so they are parsed in a thread
    (with the same text cap), sparing the child's start-up for every note-sized upload."""
    check_archive(data, filename, limits)
    if _suffix(filename) not in CONTAINER_SUFFIXES:
        if len(data) > MAX_TEXT_CHARS * 4:  # UTF-8 bytes per character at most
            raise ParseRefused(413, "too_much_text", f"the file holds more than {MAX_TEXT_CHARS} characters of text")
        return _answer(await asyncio.to_thread(parse_here, data, filename, limits))
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "cuecard.profile.worker",
        filename,
        json.dumps(asdict(limits)),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        out, _ = await asyncio.wait_for(child.communicate(data), limits.timeout_secs)
    except TimeoutError:
        raise ParseRefused(
            422, "parse_timeout", f"reading this file took longer than {limits.timeout_secs:g} s"
        ) from None
    finally:
        if child.returncode is None:
            child.kill()
            await child.wait()
    try:
        answer = json.loads(out)
    except (json.JSONDecodeError, UnicodeDecodeError):
        # killed by a signal (CPU limit) or died without answering
        raise ParseRefused(422, "parse_failed", "this file could not be read within the server's limits") from None
    return _answer(answer)


def _answer(answer: dict[str, Any]) -> tuple[dict, str]:
    if not answer.get("ok"):
        raise ParseRefused(answer["status"], answer["code"], answer["message"])
    return answer["profile"], answer["text"]


# -- child side ----------------------------------------------------------------------------------


def _apply_limits(limits: ParseLimits) -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    cpu = int(limits.timeout_secs) + 2
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))


def _count_pdf_pages(data: bytes, limits: ParseLimits) -> None:
    from pypdf import PdfReader

    try:
        # The page tree's declared /Count: O(1), where len(reader.pages) walks the whole tree.
        # A lying /Count only delays the refusal to the time limit.
        root: Any = PdfReader(io.BytesIO(data)).trailer["/Root"]
        pages = int(root["/Pages"]["/Count"])
    except Exception:  # noqa: BLE001 - the parser reports a damaged PDF with its own message
        return
    if pages > limits.max_pages:
        raise ParseRefused(413, "too_many_pages", f"the PDF has {pages} pages (at most {limits.max_pages})")


def _out_of_memory(error: BaseException) -> bool:
    """Whether ``error`` or what caused it was an allocation failure under the memory cap."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, MemoryError) or "allocate" in str(seen).lower():
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def parse_here(data: bytes, filename: str, limits: ParseLimits) -> dict[str, Any]:
    """What the child prints: the profile and text, or the refusal."""
    from cuecard.profile.resume import ResumeFormatError, extract_text, parse_resume

    try:
        check_archive(data, filename, limits)
        if _suffix(filename) == ".pdf":
            _count_pdf_pages(data, limits)
        text = extract_text(data, filename)
        if len(text) > MAX_TEXT_CHARS:
            raise ParseRefused(413, "too_much_text", f"the file holds more than {MAX_TEXT_CHARS} characters of text")
        profile = parse_resume(text)
    except ParseRefused as e:
        return {"ok": False, "status": e.status, "code": e.code, "message": e.message}
    except MemoryError:
        return {
            "ok": False,
            "status": 422,
            "code": "parse_memory",
            "message": "reading this file needs too much memory",
        }
    except ResumeFormatError as e:
        if _out_of_memory(e):  # the parsers wrap what failed (zlib, lxml) in a format error
            return {
                "ok": False,
                "status": 422,
                "code": "parse_memory",
                "message": "reading this file needs too much memory",
            }
        return {"ok": False, "status": 400, "code": "unsupported_file", "message": str(e)}
    except Exception:  # noqa: BLE001 - any other parser failure is a file we cannot read
        return {
            "ok": False,
            "status": 400,
            "code": "unsupported_file",
            "message": "could not read this file as a resume",
        }
    return {"ok": True, "profile": profile.model_dump(mode="json"), "text": text}


def main() -> None:
    filename, limits = sys.argv[1], ParseLimits(**json.loads(sys.argv[2]))
    data = sys.stdin.buffer.read()
    _apply_limits(limits)
    try:
        answer = parse_here(data, filename, limits)
        out = json.dumps(answer)
    except MemoryError:
        out = json.dumps(
            {"ok": False, "status": 422, "code": "parse_memory", "message": "reading this file needs too much memory"}
        )
    sys.stdout.write(out)
    sys.stdout.flush()
    os._exit(0)  # skip interpreter teardown: nothing to clean up


if __name__ == "__main__":
    main()
