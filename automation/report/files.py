"""Writing a built document to disk: .docx or Markdown (+ PNG), each file whole or not at all,
with backups, refusing a document open in Word/WPS/LibreOffice."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from automation import messages as m
from automation.problems import LedgerError
from automation.report.blocks import ReportDocument
from automation.report.word import render_docx
from automation.report.markdown import render_markdown

FORMATS = {"docx": "docx", "md": "md", "markdown": "md"}


@dataclass
class ReportResult:
    """What `write_report` wrote: the report file, any image files beside it, notices."""

    path: Path
    images: list[Path]
    notices: list[str]


def document_kind(fmt: str) -> str:
    """"docx" or "md" for a --format value; a clear error for anything else."""
    kind = FORMATS.get(str(fmt).lower().lstrip("."))
    if kind is None:
        raise LedgerError(m.REPORT_BAD_FORMAT.format(fmt=fmt))
    return kind


def write_document(document: ReportDocument, path: Path, kind: str, backups: int) -> ReportResult:
    """Write a built document (report, district report, bulletin) as .docx or Markdown, its
    charts as PNG files beside the Markdown; each file whole or not at all."""
    if kind == "docx":
        data, notices = render_docx(document)
        atomic_write(path, data, backups)
        return ReportResult(path, [], _once(notices))
    text, images, notices = render_markdown(document, image_prefix=path.stem)
    written = []
    for name, png in images.items():
        target = path.parent / name
        atomic_write(target, png)
        written.append(target)
    atomic_write(path, text.encode("utf-8"), backups)
    return ReportResult(path, written, _once(notices))


def _once(notices: list[str]) -> list[str]:
    return list(dict.fromkeys(notices))


def owner_files(path: Path) -> list[Path]:
    """The lock files Word (~$name, or ~$ over the first two letters of a long name), WPS and
    LibreOffice keep beside a document they have open."""
    name = path.name
    names = ["~$" + name, "~$" + name[2:], "~$" + name[1:], ".~lock." + name + "#", ".~" + name]
    return [path.with_name(candidate) for candidate in dict.fromkeys(names) if candidate not in ("~$", ".~")]


def atomic_write(path: Path, data: bytes, backups: int = 0) -> None:
    """Write a file whole or not at all (safe_write: temporary file, fsync, atomic replace),
    keeping the last `backups` versions in .ledger_backups/ beside it; refuse a document that
    is open in Word/WPS/LibreOffice (DESIGN.md invariants 3 and 4)."""
    from automation.safe_write import save_workbook
    from automation.xlsx.errors import WorkbookInUseError

    path.parent.mkdir(parents=True, exist_ok=True)
    if any(owner.is_file() for owner in owner_files(path)):
        raise LedgerError(m.REPORT_FILE_LOCKED.format(path=path))
    try:
        save_workbook(path, data, backups=backups, check_open=False)
    except WorkbookInUseError:
        raise LedgerError(m.REPORT_FILE_LOCKED.format(path=path)) from None
