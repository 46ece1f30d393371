"""Zip reading and writing that copies untouched members without recompressing them.

`zipfile` cannot write a member from already-compressed bytes, so the writer here is a
small, plain (non-zip64) zip writer. Copied members keep their compressed bytes, CRC,
compression method, date and attributes; only the optional extra fields are dropped.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass

from automation import messages as msg
from automation.xlsx.errors import WorkbookError

_LOCAL_SIGNATURE = b"PK\x03\x04"
_LOCAL_HEADER = struct.Struct("<4sHHHHHLLLHH")
_CENTRAL_HEADER = struct.Struct("<4sBBHHHHHLLLHHHHHLL")
_END_RECORD = struct.Struct("<4sHHHHLLH")
_UTF8_FLAG = 0x800
_FIXED_DATE = (1980, 1, 1, 0, 0, 0)
_MAX_32 = 0xFFFFFFFF
#: Parts bigger than this (generated lists of thousands of rows) get the fastest deflate level:
#: level 6 took as long as a fifth of a big ledger's refresh for a few per cent of size.
_FAST_COMPRESSION_ABOVE = 256_000
_VERSION_NEEDED = {zipfile.ZIP_STORED: 10, zipfile.ZIP_DEFLATED: 20, zipfile.ZIP_BZIP2: 46, zipfile.ZIP_LZMA: 63}


class ZipReader:
    """The members of a zip held in memory, by name (case-insensitive look-up)."""

    def __init__(self, data: bytes):
        self.data = memoryview(data)
        self.zip = zipfile.ZipFile(io.BytesIO(data))
        self.infos = self.zip.infolist()
        self._by_lower: dict[str, zipfile.ZipInfo] = {}
        for info in self.infos:
            key = info.filename.lower()
            if key in self._by_lower:
                raise WorkbookError(msg.XLSX_DAMAGED.format(detail=f"部件重复：{info.filename}"))
            self._by_lower[key] = info

    @property
    def names(self) -> list[str]:
        return [info.filename for info in self.infos]

    def find(self, name: str) -> str | None:
        """The stored name of a member, matched case-insensitively, or None."""
        info = self._by_lower.get(name.lower())
        return info.filename if info else None

    def info(self, name: str) -> zipfile.ZipInfo:
        return self._by_lower[name.lower()]

    def read(self, name: str) -> bytes:
        return self.zip.read(self.info(name))

    def raw(self, name: str) -> memoryview:
        """The compressed bytes of a member, exactly as stored."""
        info = self.info(name)
        offset = info.header_offset
        header = bytes(self.data[offset : offset + _LOCAL_HEADER.size])
        if len(header) < _LOCAL_HEADER.size or header[:4] != _LOCAL_SIGNATURE:
            raise WorkbookError(msg.XLSX_DAMAGED.format(detail=f"部件头损坏：{info.filename}"))
        fields = _LOCAL_HEADER.unpack(header)
        start = offset + _LOCAL_HEADER.size + fields[9] + fields[10]
        end = start + info.compress_size
        if end > len(self.data):
            raise WorkbookError(msg.XLSX_DAMAGED.format(detail=f"部件被截断：{info.filename}"))
        return self.data[start:end]


@dataclass
class _Entry:
    name: bytes
    flags: int
    method: int
    dostime: int
    dosdate: int
    crc: int
    compressed_size: int
    size: int
    create_system: int
    external_attr: int
    offset: int


def _dos_time(date_time: tuple[int, ...]) -> tuple[int, int]:
    year, month, day, hour, minute, second = date_time[:6]
    year = min(max(year, 1980), 2107)
    dosdate = (year - 1980) << 9 | month << 5 | day
    dostime = hour << 11 | minute << 5 | (second // 2)
    return dostime, dosdate


def _encode_name(name: str) -> tuple[bytes, int]:
    try:
        return name.encode("ascii"), 0
    except UnicodeEncodeError:
        return name.encode("utf-8"), _UTF8_FLAG


def deflate(data: bytes, level: int | None = None) -> tuple[int, bytes]:
    """(CRC-32, raw deflate stream) of a member's bytes. Big generated sheets get fast
    compression (level 1), small parts the usual level 6."""
    if level is None:
        level = 1 if len(data) > _FAST_COMPRESSION_ABOVE else 6
    compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
    return zlib.crc32(data), compressor.compress(data) + compressor.flush()


class BackgroundDeflate:
    """Deflates big parts in threads while the next part is rendered, and checks each deflated
    stream by inflating it again: zlib releases Python's lock, so on a machine with a free core
    neither costs time of the main thread. `verified` then names the streams known good, so the
    package's self-check need only see that the zip holds them unchanged."""

    def __init__(self) -> None:
        self._jobs: dict[str, tuple[bytes, object]] = {}
        self.verified: dict[str, tuple[int, bytes]] = {}  # lower-case name -> (CRC, deflated bytes)

    def start(self, name: str, data: bytes) -> None:
        if len(data) <= _FAST_COMPRESSION_ABOVE:
            return  # a small part: a thread would cost more than it saves
        from automation.preload import run_in_background

        self._jobs[name.lower()] = (data, run_in_background(lambda: _deflated_and_checked(data)))

    def take(self, name: str, data: bytes) -> tuple[int, bytes] | None:
        """The (CRC, deflated bytes) started for `name`, if they were started for these bytes."""
        job = self._jobs.pop(name.lower(), None)
        if job is None or job[0] is not data:
            return None
        crc, payload, intact = job[1]()
        if intact:
            self.verified[name.lower()] = (crc, payload)
        return crc, payload


def _deflated_and_checked(data: bytes) -> tuple[int, bytes, bool]:
    crc, payload = deflate(data)
    try:
        intact = zlib.decompress(payload, -15) == data
    except zlib.error:
        intact = False  # the self-check then reads the member in full and reports it
    return crc, payload, intact


class ZipWriter:
    """Builds a zip in memory (or in the binary file `out`), member by member, in the order
    they are added."""

    def __init__(self, out=None) -> None:
        self._out = io.BytesIO() if out is None else out
        self._start = self._out.tell()
        self._entries: list[_Entry] = []

    def copy(self, reader: ZipReader, name: str) -> None:
        """Copy a member of `reader` with its compressed bytes untouched."""
        info = reader.info(name)
        raw = reader.raw(name)
        method = info.compress_type
        self._write(info, method, info.CRC, raw, info.file_size)

    def add(self, name: str, data: bytes, template: zipfile.ZipInfo | None = None, level: int | None = None,
            deflated: tuple[int, bytes] | None = None) -> None:
        """Add a member from its uncompressed bytes.

        With a template (the member it replaces) the date, attributes and, when it was
        stored uncompressed, the method are kept; otherwise deflate and a fixed date.
        `deflated`: (CRC, deflated bytes) of `data` made already (`BackgroundDeflate`).
        """
        info = zipfile.ZipInfo(name, date_time=template.date_time if template else _FIXED_DATE)
        if template is not None:
            info.external_attr = template.external_attr
            info.create_system = template.create_system
        method = zipfile.ZIP_STORED if template is not None and template.compress_type == zipfile.ZIP_STORED else zipfile.ZIP_DEFLATED
        if method == zipfile.ZIP_DEFLATED and deflated is not None:
            crc, payload = deflated
        elif method == zipfile.ZIP_DEFLATED:
            crc, payload = deflate(data, level)
        else:
            crc, payload = zlib.crc32(data), data
        self._write(info, method, crc, payload, len(data))

    def add_stored(self, name: str, pieces: list, template: zipfile.ZipInfo | None = None) -> None:
        """Add a member stored uncompressed whose bytes are `pieces` joined (never joined here:
        a sheet of tens of megabytes is written piece by piece)."""
        crc = 0
        for piece in pieces:
            crc = zlib.crc32(piece, crc)
        info = zipfile.ZipInfo(name, date_time=template.date_time if template else _FIXED_DATE)
        self._write(info, zipfile.ZIP_STORED, crc, pieces, sum(map(len, pieces)))

    def _write(self, info: zipfile.ZipInfo, method: int, crc: int, payload, size: int) -> None:
        """`payload`: the member's bytes as stored, or a list of pieces of them."""
        pieces = payload if isinstance(payload, list) else [payload]
        stored_size = sum(map(len, pieces))
        offset = self._out.tell() - self._start
        if offset > _MAX_32 or size > _MAX_32 or stored_size > _MAX_32 or len(self._entries) >= 0xFFFF:
            raise WorkbookError(msg.XLSX_TOO_LARGE)
        name, flags = _encode_name(info.filename)
        dostime, dosdate = _dos_time(info.date_time)
        version = _VERSION_NEEDED.get(method, 20)
        self._out.write(
            _LOCAL_HEADER.pack(
                _LOCAL_SIGNATURE, version, flags, method, dostime, dosdate,
                crc & _MAX_32, stored_size, size, len(name), 0,
            )
        )
        self._out.write(name)
        for piece in pieces:
            self._out.write(piece)
        self._entries.append(
            _Entry(name, flags, method, dostime, dosdate, crc & _MAX_32, stored_size, size,
                   info.create_system, info.external_attr, offset)
        )

    def finish(self) -> bytes:
        """Write the central directory and return the whole zip (b"" when written to a file)."""
        start = self._out.tell() - self._start
        for entry in self._entries:
            version = _VERSION_NEEDED.get(entry.method, 20)
            self._out.write(
                _CENTRAL_HEADER.pack(
                    b"PK\x01\x02", max(version, 20), entry.create_system, version, entry.flags, entry.method,
                    entry.dostime, entry.dosdate, entry.crc, entry.compressed_size, entry.size,
                    len(entry.name), 0, 0, 0, 0, entry.external_attr & _MAX_32, entry.offset,
                )
            )
            self._out.write(entry.name)
        end = self._out.tell() - self._start
        if end > _MAX_32:
            raise WorkbookError(msg.XLSX_TOO_LARGE)
        count = len(self._entries)
        self._out.write(_END_RECORD.pack(b"PK\x05\x06", 0, 0, count, count, end - start, start, 0))
        return self._out.getvalue() if isinstance(self._out, io.BytesIO) else b""
