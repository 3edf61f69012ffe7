"""The trained rights-search model kept between processes (FAQ_CACHE_DIR): reused only for the same texts and code."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import bot.faq.classifier as classifier
from bot.faq import FaqStore
from bot.faq.classifier import CACHE_KEEP, CACHE_PREFIX, Classifier

TEXTS = ["la migra toca la puerta", "tocan la puerta unos agentes", "licencia de manejar sin papeles",
         "sacar licencia sin seguro social", "grabar a la policia con el celular", "puedo grabar a los agentes"]
LABELS = [0, 0, 1, 1, 2, 2]


def _no_training(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: object, **__: object) -> Classifier:
        raise AssertionError("trained although a saved model matched")

    monkeypatch.setattr(Classifier, "train", classmethod(refuse))


def test_the_same_texts_load_the_saved_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = Classifier.cached(tmp_path, TEXTS, LABELS, 3)
    saved = list(tmp_path.glob(f"{CACHE_PREFIX}*.npz"))
    assert len(saved) == 1
    _no_training(monkeypatch)
    again = Classifier.cached(tmp_path, TEXTS, LABELS, 3)
    assert again.vocab == first.vocab
    assert np.array_equal(again.weights, first.weights) and np.array_equal(again.bias, first.bias)
    assert np.allclose(again.proba("la imigra toka"), first.proba("la imigra toka"))


def test_other_texts_labels_or_settings_train_a_new_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    Classifier.cached(tmp_path, TEXTS, LABELS, 3)
    Classifier.cached(tmp_path, [*TEXTS[:-1], "grabar video de la migra"], LABELS, 3)
    Classifier.cached(tmp_path, TEXTS, [0, 0, 1, 1, 2, 1], 3)
    monkeypatch.setattr(classifier, "L2", classifier.L2 * 2)
    Classifier.cached(tmp_path, TEXTS, LABELS, 3)
    assert len(list(tmp_path.glob(f"{CACHE_PREFIX}*.npz"))) == 4


def test_a_broken_file_is_trained_again_and_replaced(tmp_path: Path) -> None:
    first = Classifier.cached(tmp_path, TEXTS, LABELS, 3)
    [path] = tmp_path.glob(f"{CACHE_PREFIX}*.npz")
    path.write_bytes(b"not a numpy archive")
    again = Classifier.cached(tmp_path, TEXTS, LABELS, 3)
    assert np.allclose(again.weights, first.weights)
    with np.load(path, allow_pickle=False) as saved:  # the file was rewritten whole
        assert saved["weights"].shape == first.weights.shape


def test_only_the_newest_models_are_kept(tmp_path: Path) -> None:
    for extra in range(CACHE_KEEP + 2):
        Classifier.cached(tmp_path, [*TEXTS, f"texto numero {extra}"], [*LABELS, 0], 3)
    assert len(list(tmp_path.glob(f"{CACHE_PREFIX}*.npz"))) == CACHE_KEEP
    assert not list(tmp_path.glob(".*.tmp"))


def test_an_unwritable_folder_only_costs_a_training(tmp_path: Path) -> None:
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("x")
    model = Classifier.cached(blocked, TEXTS, LABELS, 3)
    assert int(model.proba("licensia de manejar").argmax()) == 1


def test_a_store_with_a_cache_folder_loads_the_model_on_reload(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                                               ) -> None:
    import shutil

    from bot.faq.model import DEFAULT_DIR

    content = tmp_path / "faq"
    shutil.copytree(DEFAULT_DIR, content, ignore=shutil.ignore_patterns("asked.tsv"))
    with (content / "basics.toml").open("a", encoding="utf-8") as fh:
        fh.write("\n# other bytes: not the content another test built in this process\n")
    cache = tmp_path / "cache"
    store = FaqStore.load(content, cache_dir=cache)
    store.warm()
    assert len(list(cache.glob(f"{CACHE_PREFIX}*.npz"))) == 1
    answer = store.lookup("la migra esta en mi puerta", "es").matches[0].entry.id
    with (content / "basics.toml").open("a", encoding="utf-8") as fh:
        fh.write("# a comment changes the bytes, not the texts the model learns from\n")
    _no_training(monkeypatch)
    store.reload()  # same training texts: the saved model is loaded
    assert store.lookup("la migra esta en mi puerta", "es").matches[0].entry.id == answer
