"""Raw responses kept as WARC (ISO 28500) with warcio.

Evidence must survive the portal's next redesign, and a run must be re-judged
later by newer checks without crawling again (``citylabel recheck``). The body
is stored as received after content decoding, so Content-Encoding and
Transfer-Encoding headers are renamed to keep readers from decoding twice.
"""
from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Iterator

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

_DROP = {"content-encoding", "transfer-encoding", "content-length"}


@dataclass
class StoredResponse:
    url: str
    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes
    record_id: str


class WarcStore:
    """Appends response records to one gzip WARC file per run."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fh = open(self.path, "ab")
        self._writer = WARCWriter(self._fh, gzip=True)
        if self._fh.tell() == 0:
            info = self._writer.create_warcinfo_record(self.path.name, {
                "software": "citylabel", "format": "WARC File Format 1.1"})
            self._writer.write_record(info)

    def write(self, url: str, status: int, reason: str, headers: list[tuple[str, str]],
              body: bytes) -> str:
        kept = []
        for name, value in headers:
            if name.lower() in _DROP:
                kept.append((f"X-Citylabel-Original-{name}", value))
            else:
                kept.append((name, value))
        http_headers = StatusAndHeaders(f"{status} {reason or 'OK'}", kept, protocol="HTTP/1.1")
        record = self._writer.create_warc_record(url, "response", payload=BytesIO(body),
                                                 length=len(body), http_headers=http_headers)
        self._writer.write_record(record)
        # out of Python's buffer at once: a process killed with -9 loses no archived response
        self._fh.flush()
        return record.rec_headers.get_header("WARC-Record-ID")

    def write_metadata(self, url: str, content_type: str, payload: bytes) -> str:
        record = self._writer.create_warc_record(url, "metadata", payload=BytesIO(payload),
                                                 length=len(payload),
                                                 warc_content_type=content_type)
        self._writer.write_record(record)
        return record.rec_headers.get_header("WARC-Record-ID")

    def flush(self) -> None:
        self._fh.flush()

    def close(self) -> None:
        if not self._fh.closed:
            self._fh.close()


def good_length(path: Path) -> int:
    """Bytes of the file up to the end of its last complete record (a process killed
    while writing leaves a torn record at the end)."""
    end = 0
    try:
        with open(path, "rb") as fh:
            it = ArchiveIterator(fh)
            for record in it:
                record.content_stream().read()
                it.read_to_end(record)
                end = it.get_record_offset() + it.get_record_length()
    except Exception:  # noqa: BLE001 - warcio raises several kinds on a torn gzip member
        pass
    return end


def truncate_torn_tail(path: Path) -> None:
    p = Path(path)
    if p.is_file():
        end = good_length(p)
        if end < p.stat().st_size:
            with open(p, "r+b") as fh:
                fh.truncate(end)


def read_responses(path: Path) -> Iterator[StoredResponse]:
    """Every response record of a WARC file, in order, up to a torn last record."""
    with open(path, "rb") as fh:
        iterator = iter(ArchiveIterator(fh))
        while True:
            try:
                record = next(iterator)
                if record.rec_type != "response" or record.http_headers is None:
                    continue
                stored = StoredResponse(
                    url=record.rec_headers.get_header("WARC-Target-URI"),
                    status=int(record.http_headers.get_statuscode() or 0),
                    headers={k.lower(): v for k, v in record.http_headers.headers},
                    body=record.content_stream().read(),
                    record_id=record.rec_headers.get_header("WARC-Record-ID"),
                )
            except StopIteration:
                return
            except Exception:  # noqa: BLE001 - a torn record at the end of a killed run's archive
                return
            yield stored


def read_metadata(path: Path, content_type: str) -> Iterator[tuple[str, bytes]]:
    """(target URL, payload) of every metadata record of ``content_type``."""
    with open(path, "rb") as fh:
        for record in ArchiveIterator(fh):
            if (record.rec_type == "metadata"
                    and record.rec_headers.get_header("Content-Type") == content_type):
                yield record.rec_headers.get_header("WARC-Target-URI"), record.content_stream().read()
