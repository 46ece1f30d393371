"""A folder run does not CRC-test every zip member of every unit (a thread per file that only
competes with the other worker): a damaged member the figures come from still leaves the file
named and out; one the figures never read (docProps) no longer costs the unit its figures."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from automation.units import analyse_units
from tests.ledger_factory import STANDARD_KEYS, STANDARD_TODAY, headers_of, standard_rows, write_ledger


def damage_member(path: Path, member: str) -> None:
    """Flip bytes in the middle of one member's compressed data (the zip still opens)."""
    data = bytearray(path.read_bytes())
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo(member)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    middle = start + info.compress_size // 2
    for offset in range(middle, min(middle + 8, start + info.compress_size)):
        data[offset] ^= 0xFF
    path.write_bytes(bytes(data))


def test_damaged_members_in_a_folder(tmp_path: Path):
    folder = tmp_path / "units"
    for name in ("甲", "乙", "丙"):
        write_ledger(folder / f"{name}.xlsx", headers_of(STANDARD_KEYS), standard_rows())
    with zipfile.ZipFile(folder / "乙.xlsx") as archive:
        names = archive.namelist()
        sheet = next(name for name in names if name.startswith("xl/worksheets/"))
        unread = next(name for name in names if name.startswith("docProps/"))
    damage_member(folder / "乙.xlsx", sheet)
    damage_member(folder / "丙.xlsx", unread)
    district = analyse_units([folder], None, STANDARD_TODAY)
    assert [part.file for part in district.left_out] == ["乙.xlsx"]
    assert "乙.xlsx" in district.left_out[0].error and "损坏" in district.left_out[0].error
    totals = {unit: figures["total"] for unit, figures in district.statistics.groups["unit"].items()}
    assert totals == {"甲": 8, "丙": 8}  # standard_rows: 8 items each
