"""Detectors of item 17 (fixed-seeds): seeds in configuration and seeding calls in code."""

from __future__ import annotations

from pathlib import Path

from conftest import run_detector, verdicts, write_dedented as write

from pytest_mlchecklist.detectors.model_development import seed_config, seeding_calls_detector
from pytest_mlchecklist.evidence import Evidence

ITEM = "fixed-seeds"

TRAIN_YAML = """
    # Training configuration (DVC stage `train`)
    seed: 42
    data:
      path: data/train.parquet
      version: 2026-10-01
    model:
      learning_rate: 0.05
      max_depth: 6
"""

TRAIN_PY = """
    import random

    import numpy as np
    import torch
    import yaml


    def main(config_path="configs/train.yaml"):
        with open(config_path) as handle:
            cfg = yaml.safe_load(handle)
        random.seed(cfg["seed"])
        np.random.seed(cfg["seed"])
        torch.manual_seed(cfg["seed"])
        torch.cuda.manual_seed_all(cfg["seed"])
"""


def details(evidence: list[Evidence]) -> str:
    return "\n".join(found.detail for found in evidence)


# --------------------------------------------------------------------------- seed-config


def test_seed_in_training_config_read_by_train_py_supports(tmp_path: Path) -> None:
    write(tmp_path, {"configs/train.yaml": TRAIN_YAML, "src/ranker/train.py": TRAIN_PY})
    evidence = run_detector(seed_config, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    found = evidence[0]
    assert (found.path, found.line) == ("configs/train.yaml", 2)
    assert "`seed: 42` in configs/train.yaml" in found.detail and "src/ranker/train.py:11" in found.detail


def test_random_state_in_toml_params_read_through_a_config_class_supports(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "params.toml": """
                [split]
                test_size = 0.2
                random_state = 7
            """,
            "churn/config.py": """
                from dataclasses import dataclass


                @dataclass(frozen=True)
                class SplitConfig:
                    test_size: float
                    random_state: int
            """,
        },
    )
    evidence = run_detector(seed_config, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "`random_state: 7` in params.toml, read in `churn/config.py:7`" == evidence[0].detail


def test_hydra_style_attribute_read_supports(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "conf/config.yaml": "trainer:\n  max_epochs: 20\nglobal_seed: 1234\n",
            "train.py": """
                import hydra
                import lightning as L


                @hydra.main(config_path="conf", config_name="config", version_base=None)
                def main(cfg):
                    L.seed_everything(cfg.global_seed, workers=True)
            """,
        },
    )
    evidence = run_detector(seed_config, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert (evidence[0].line, "train.py:7" in evidence[0].detail) == (3, True)


def test_no_config_gives_nothing(tmp_path: Path) -> None:
    write(tmp_path, {"train.py": "print('training')\n", "configs/train.yaml": "epochs: 3\n"})
    assert run_detector(seed_config, tmp_path) == []


def test_seed_nobody_reads_is_partial(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "configs/train.yaml": TRAIN_YAML,
            "src/ranker/train.py": "import random\n\nrandom.seed(0)\n",
            "tests/test_config.py": 'import yaml\n\ndef test_seed():\n    assert yaml.safe_load(open("configs/train.yaml"))["seed"] == 42\n',
        },
    )
    evidence = run_detector(seed_config, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert evidence[0].detail == "`seed: 42` in configs/train.yaml but no training code reads it"


def test_null_placeholder_and_boolean_seeds_are_partial(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "configs/a.yaml": "seed: null\n",
            "configs/b.yaml": "training:\n  seed: TBD   # pick one before the launch\n",
            "configs/c.json": '{"random_state": true}',
            "configs/d.yaml": "seed: ${oc.env:SEED}\n",
            "train.py": 'import yaml\nSEED = yaml.safe_load(open("configs/a.yaml"))["seed"]\n',
        },
    )
    evidence = run_detector(seed_config, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"] * 4
    text = details(evidence)
    assert "`seed` in configs/a.yaml is empty (null)" in text
    assert "`seed` in configs/b.yaml is text, not an integer" in text
    assert "`random_state` in configs/c.json is a boolean" in text
    assert "configs/d.yaml is interpolated" in text


def test_seeds_in_tests_vendor_and_output_json_are_not_config(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "tests/configs/train.yaml": "seed: 1\n",
            "vendor/lib/config.yaml": "seed: 5\n",
            "artifacts/model.json": '{"seed": 42, "auc": 0.9}',
            "reports/evaluation.json": '{"random_state": 42}',
            "train.py": 'import yaml\ncfg = yaml.safe_load(open("c.yaml"))\nprint(cfg["seed"], cfg["random_state"])\n',
        },
    )
    assert run_detector(seed_config, tmp_path) == []


def test_malformed_config_mentioning_a_seed_is_unreadable(tmp_path: Path) -> None:
    write(tmp_path, {"configs/train.yaml": "seed: 42\nmodel:\n  lr: [0.1, 0.2\n"})
    evidence = run_detector(seed_config, tmp_path)
    assert verdicts(evidence, ITEM) == ["unreadable"]
    assert evidence[0].path == "configs/train.yaml" and "YAML" in evidence[0].detail


# --------------------------------------------------------------------------- seeding-calls


def test_seeding_calls_in_training_code_support(tmp_path: Path) -> None:
    write(tmp_path, {"src/ranker/train.py": TRAIN_PY})
    evidence = run_detector(seeding_calls_detector, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    found = evidence[0]
    assert (found.path, found.line) == ("src/ranker/train.py", 11)
    assert "`random.seed`, `numpy.random.seed`, `torch.manual_seed` and 1 more" in found.detail
    assert "(4 calls)" in found.detail


def test_frameworks_and_random_state_keywords_support(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pipelines/fit.py": """
                from lightning.pytorch import seed_everything
                from numpy.random import default_rng
                from sklearn.ensemble import RandomForestClassifier
                from sklearn.model_selection import train_test_split

                SEED = 20261122


                def fit(features, labels):
                    seed_everything(SEED, workers=True)
                    rng = default_rng(seed=SEED)
                    x_train, x_test, y_train, y_test = train_test_split(features, labels, random_state=SEED)
                    return RandomForestClassifier(n_estimators=300, random_state=42).fit(x_train, y_train), rng
            """
        },
    )
    evidence = run_detector(seeding_calls_detector, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "`lightning.pytorch.seed_everything`" in evidence[0].detail
    assert "random_state= of train_test_split" in evidence[0].detail and "(4 calls)" in evidence[0].detail


def test_seeding_without_a_value_is_partial(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "train.py": """
                import random

                import numpy as np
                from sklearn.model_selection import KFold

                random.seed()
                rng = np.random.default_rng(None)
                folds = KFold(n_splits=5, shuffle=True, random_state=None)
            """
        },
    )
    evidence = run_detector(seeding_calls_detector, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"] * 3
    text = details(evidence)
    assert "`random.seed()` without a value seeds from the clock" in text
    assert "`numpy.random.default_rng()` without a value" in text
    assert "`KFold(random_state=None)` draws a new seed on every run" in text


def test_no_python_gives_nothing(tmp_path: Path) -> None:
    write(tmp_path, {"README.md": "# Ranker\n"})
    assert run_detector(seeding_calls_detector, tmp_path) == []


def test_seeding_only_in_tests_commented_out_or_vendored_gives_nothing(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "tests/conftest.py": "import numpy as np\nimport pytest\n\n@pytest.fixture(autouse=True)\ndef seed():\n    np.random.seed(0)\n",
            "tests/test_model.py": "import torch\n\ndef test_fit():\n    torch.manual_seed(1)\n",
            "src/ranker/train.py": """
                import numpy as np

                # np.random.seed(1)  # TODO: re-enable once the sampler is deterministic


                def sample(n):
                    return np.random.rand(n)
            """,
            "third_party/sampler/core.py": "import random\nrandom.seed(3)\n",
        },
    )
    assert run_detector(seeding_calls_detector, tmp_path) == []


def test_a_local_name_called_seed_is_not_a_seeding_call(tmp_path: Path) -> None:
    write(tmp_path, {"db/load.py": "from db import fixtures\n\ndef seed(n):\n    return n\n\nseed(3)\nfixtures.seed(4)\n"})
    assert run_detector(seeding_calls_detector, tmp_path) == []


def test_module_that_does_not_parse_is_unreadable(tmp_path: Path) -> None:
    write(tmp_path, {"train.py": "import torch\ntorch.manual_seed(42\n"})
    evidence = run_detector(seeding_calls_detector, tmp_path)
    assert verdicts(evidence, ITEM) == ["unreadable"]
    assert evidence[0].path == "train.py" and "Python" in evidence[0].detail


def test_seeding_outside_training_and_data_code_is_partial(tmp_path: Path) -> None:
    """A test runner or a benchmark that seeds ``random`` says nothing about training."""
    write(tmp_path, {"tools/regrtest.py": """
        import random


        def main(seed: int) -> None:
            random.seed(seed)
    """})
    evidence = run_detector(seeding_calls_detector, tmp_path)
    assert verdicts(evidence, "fixed-seeds") == ["partial"]
    assert "not training or data code" in evidence[0].detail
