"""A small, valid BAM file written from scratch (BGZF blocks around the binary SAM records).

The layout follows the SAM/BAM format specification (section 4): a BGZF-compressed stream of
the ``BAM\\1`` header (SAM header text, reference names and lengths), then one record per read,
then the 28-byte BGZF end-of-file block. Reads here are unpaired and fully matched (``<n>M``).
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterable

_EOF_BLOCK = bytes.fromhex("1f8b08040000000000ff0600424302001b0003000000000000000000")
_BASES = "=ACMGRSVTWYHKDBN"
_MAX_BLOCK = 0xFF00  # uncompressed bytes per BGZF block (a block must stay under 64 KiB)


def bam_bytes(reference: tuple[str, int], reads: Iterable[tuple[str, int, str, str]]) -> bytes:
    """The bytes of a BAM file with one reference ``(name, length)`` and ``reads`` as
    ``(name, 0-based position, sequence, Phred+33 qualities)``, sorted by position."""
    name, length = reference
    text = f"@HD\tVN:1.6\tSO:coordinate\n@SQ\tSN:{name}\tLN:{length}\n".encode()
    header = b"BAM\x01" + struct.pack("<i", len(text)) + text + struct.pack("<i", 1)
    header += struct.pack("<i", len(name) + 1) + name.encode() + b"\x00" + struct.pack("<i", length)
    records = b"".join(_record(*read) for read in sorted(reads, key=lambda r: r[1]))
    return _bgzf(header + records)


def _record(name: str, pos: int, seq: str, qual: str) -> bytes:
    cigar = struct.pack("<I", len(seq) << 4 | 0)  # <len>M
    packed = bytearray()
    for i in range(0, len(seq), 2):
        high = _BASES.index(seq[i]) << 4
        low = _BASES.index(seq[i + 1]) if i + 1 < len(seq) else 0
        packed.append(high | low)
    body = struct.pack(
        "<iiBBHHHiiii", 0, pos, len(name) + 1, 60, _reg2bin(pos, pos + len(seq)), 1, 0, len(seq), -1, -1, 0
    )
    body += name.encode() + b"\x00" + cigar + bytes(packed) + bytes(ord(q) - 33 for q in qual)
    return struct.pack("<i", len(body)) + body


def _reg2bin(beg: int, end: int) -> int:
    """The UCSC binning scheme's bin of the 0-based half-open interval [beg, end)."""
    end -= 1
    for shift, offset in ((14, 4681), (17, 585), (20, 73), (23, 9), (26, 1)):
        if beg >> shift == end >> shift:
            return offset + (beg >> shift)
    return 0


def _bgzf(data: bytes) -> bytes:
    blocks = []
    for start in range(0, len(data), _MAX_BLOCK):
        chunk = data[start : start + _MAX_BLOCK]
        compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
        deflated = compressor.compress(chunk) + compressor.flush()
        block_size = 18 + len(deflated) + 8  # header with the BC extra field, data, CRC32 + ISIZE
        header = b"\x1f\x8b\x08\x04\x00\x00\x00\x00\x00\xff\x06\x00BC\x02\x00" + struct.pack("<H", block_size - 1)
        blocks.append(header + deflated + struct.pack("<II", zlib.crc32(chunk), len(chunk)))
    return b"".join(blocks) + _EOF_BLOCK
