"""Item 18 (hyperparameter-rationale): searches (Optuna, sweeps, Katib...) with results or a written rationale."""

from __future__ import annotations

from pathlib import Path

from conftest import run_detector, verdicts, write_file as write

from pytest_mlchecklist.detectors.model_docs import hyperparameter_notes, hyperparameter_search

ITEM = "hyperparameter-rationale"

OPTUNA_TUNE = """\
\"\"\"Hyperparameter search for the churn model (run by the monthly `tune` job).\"\"\"
import optuna
from sklearn.model_selection import cross_val_score

from churn.model import build_model
from churn.data import load_training_frame


def objective(trial: optuna.Trial) -> float:
    params = {
        "learning_rate": trial.suggest_float("learning_rate", 1e-3, 0.3, log=True),
        "max_depth": trial.suggest_int("max_depth", 3, 10),
    }
    frame = load_training_frame()
    return cross_val_score(build_model(**params), frame.X, frame.y, scoring="roc_auc", cv=5).mean()


def main() -> None:
    study = optuna.create_study(direction="maximize", study_name="churn-gbm")
    study.optimize(objective, n_trials=60)
    study.trials_dataframe().to_csv("reports/hpo/churn-trials.csv", index=False)
"""

TRIALS_CSV = """\
number,value,params_learning_rate,params_max_depth,state
0,0.801,0.12,6,COMPLETE
1,0.812,0.05,8,COMPLETE
2,0.795,0.25,4,COMPLETE
"""

RATIONALE = """\
# Model card: churn-gbm

## Hyperparameters

Tuned with Optuna (60 trials, 5-fold CV AUC, search space in `src/churn/tune.py`). The learning rate
was searched between 0.001 and 0.3; 0.05 won because higher rates overfit the last month, and a
max depth above 8 did not improve AUC.
"""

SWEEP = """\
program: train.py
method: bayes
metric:
  name: val_auc
  goal: maximize
parameters:
  learning_rate:
    min: 0.0001
    max: 0.1
  batch_size:
    values: [32, 64, 128]
  optimizer:
    value: adam
"""


def run_all(root: Path) -> list[tuple[str, str]]:
    return [
        (found.verdict, found.detail)
        for detector in (hyperparameter_search, hyperparameter_notes)
        for found in run_detector(detector, root)
        if found.item == ITEM
    ]


# ---------------------------------------------------------------------- searches
def test_optuna_search_with_trials_export_supports(tmp_path: Path) -> None:
    write(tmp_path, "src/churn/tune.py", OPTUNA_TUNE)
    write(tmp_path, "reports/hpo/churn-trials.csv", TRIALS_CSV)
    evidence = run_detector(hyperparameter_search, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    found = evidence[0]
    assert found.path == "src/churn/tune.py" and found.line == 19
    assert "Optuna study (60 trials)" in found.detail and "reports/hpo/churn-trials.csv" in found.detail
    assert "3 trials" in found.detail


def test_optuna_search_with_written_rationale_supports(tmp_path: Path) -> None:
    write(tmp_path, "src/churn/tune.py", OPTUNA_TUNE)
    write(tmp_path, "docs/model-card.md", RATIONALE)
    evidence = run_detector(hyperparameter_search, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "written rationale in `docs/model-card.md`" in evidence[0].detail


def test_search_without_record_is_partial(tmp_path: Path) -> None:
    write(tmp_path, "src/churn/tune.py", OPTUNA_TUNE)
    evidence = run_detector(hyperparameter_search, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "no record of its results" in evidence[0].detail


def test_sklearn_grid_search_through_aliases(tmp_path: Path) -> None:
    write(tmp_path, "train/fit.py", """\
from sklearn import model_selection as ms
from sklearn.linear_model import LogisticRegression

search = ms.GridSearchCV(LogisticRegression(max_iter=500), {"C": [0.01, 0.1, 1, 10]}, scoring="roc_auc", cv=5)
""")
    write(tmp_path, "train/search_results.json", '{"best_params": {"C": 0.1}, "best_score": 0.83}')
    evidence = run_detector(hyperparameter_search, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "GridSearchCV" in evidence[0].detail and "best parameters (1 parameter)" in evidence[0].detail


def test_wandb_sweep_alone_is_partial_and_with_notes_supports(tmp_path: Path) -> None:
    write(tmp_path, "sweeps/churn.yaml", SWEEP)
    evidence = run_detector(hyperparameter_search, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "W&B sweep (bayes over 2 parameters, metric `val_auc`)" in evidence[0].detail
    assert evidence[0].line == 2
    write(tmp_path, "docs/model-card.md", RATIONALE)
    assert verdicts(run_detector(hyperparameter_search, tmp_path), ITEM) == ["supports"]


def test_hydra_sweeper_and_katib_experiment(tmp_path: Path) -> None:
    write(tmp_path, "conf/sweep.yaml", """\
defaults:
  - override hydra/sweeper: optuna
hydra:
  sweeper:
    n_trials: 40
    params:
      model.lr: interval(0.0001, 0.1)
      model.depth: range(3, 10)
""")
    write(tmp_path, "deploy/katib.yaml", """\
apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata: {name: churn-hpo}
spec:
  objective: {type: maximize, objectiveMetricName: auc}
  algorithm: {algorithmName: bayesianoptimization}
  parameters:
    - {name: lr, parameterType: double, feasibleSpace: {min: "0.001", max: "0.3"}}
""")
    details = sorted(found.detail for found in run_detector(hyperparameter_search, tmp_path))
    assert any("Hydra optuna sweeper over 2 parameters" in detail for detail in details)
    assert any("Katib Experiment (bayesianoptimization over 1 parameter)" in detail for detail in details)


def test_trials_export_alone_supports_and_best_params_alone_is_partial(tmp_path: Path) -> None:
    write(tmp_path, "reports/tuning/cv_results.csv", """\
mean_fit_time,param_C,param_penalty,params,mean_test_score,rank_test_score
0.8,0.1,l2,"{'C': 0.1}",0.82,1
0.7,1,l2,"{'C': 1}",0.81,2
""")
    evidence = run_detector(hyperparameter_search, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "scikit-learn cv_results with 2 trials" in evidence[0].detail
    other = tmp_path / "other"
    write(other, "models/best_params.yaml", "best_params:\n  learning_rate: 0.05\n  max_depth: 6\n")
    evidence = run_detector(hyperparameter_search, other)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "not the search that found them" in evidence[0].detail


def test_final_values_only_are_partial(tmp_path: Path) -> None:
    write(tmp_path, "configs/train.yaml", """\
seed: 42
model:
  learning_rate: 0.1   # chosen by hand
  max_depth: 6
  n_estimators: 400
""")
    evidence = run_detector(hyperparameter_search, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "hyperparameters in configs/train.yaml" in evidence[0].detail and "no search or rationale" in evidence[0].detail


def test_fine_tuning_and_commented_out_search_are_not_searches(tmp_path: Path) -> None:
    write(tmp_path, "src/nlp/finetune.py", """\
from transformers import Trainer, TrainingArguments

# import optuna
# study = optuna.create_study()


def fine_tune(model, dataset):
    args = TrainingArguments(output_dir="out", learning_rate=2e-5, num_train_epochs=3)
    return Trainer(model=model, args=args, train_dataset=dataset).train()
""")
    assert run_all(tmp_path) == []


def test_search_in_a_test_module_is_not_evidence(tmp_path: Path) -> None:
    write(tmp_path, "tests/test_tune.py", OPTUNA_TUNE)
    assert run_all(tmp_path) == []


def test_nothing_there(tmp_path: Path) -> None:
    write(tmp_path, "README.md", "# Churn\n")
    write(tmp_path, "src/churn/train.py", "def train() -> None:\n    pass\n")
    assert run_all(tmp_path) == []


def test_malformed_files_are_unreadable(tmp_path: Path) -> None:
    write(tmp_path, "src/churn/tune.py", "import optuna\nstudy = optuna.create_study(\n")
    write(tmp_path, "sweeps/bad.yaml", "method: grid\nparameters: [unclosed\n")
    evidence = run_detector(hyperparameter_search, tmp_path)
    assert verdicts(evidence, ITEM) == ["unreadable", "unreadable"]
    assert {found.path for found in evidence} == {"src/churn/tune.py", "sweeps/bad.yaml"}


# ---------------------------------------------------------------------- written notes
def test_notes_with_search_and_reasons_support(tmp_path: Path) -> None:
    write(tmp_path, "docs/model-card.md", """\
# Model card: fraud-lr

## Hyperparameters

`configs/train.yaml`: learning rate 0.1, 200 epochs, L2 0.01. Chosen with a small grid on the
2026-08 export (learning rate 0.03/0.1/0.3, L2 0/0.001/0.01/0.1): a learning rate of 0.3
oscillated, and L2 above 0.01 dropped recall by 4 points.
""")
    evidence = run_detector(hyperparameter_notes, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert evidence[0].line == 3 and "records the search" in evidence[0].detail


def test_notes_with_a_trials_table_support(tmp_path: Path) -> None:
    write(tmp_path, "docs/training.md", """\
# Training

## Hyperparameter search

| learning rate | depth | val AUC |
|---|---|---|
| 0.3 | 6 | 0.801 |
| 0.1 | 6 | 0.824 |
| 0.03 | 8 | 0.819 |

0.1 with depth 6 was the best trade-off between AUC and training time.
""")
    assert verdicts(run_detector(hyperparameter_notes, tmp_path), ITEM) == ["supports"]


def test_notes_with_values_only_or_reasons_only_are_partial(tmp_path: Path) -> None:
    write(tmp_path, "docs/model-card.md", """\
# Model card

## Hyperparameters

- learning_rate: 0.1
- epochs: 200

## Training configuration

We kept a batch size of 8 because the dataset is small.
""")
    evidence = run_detector(hyperparameter_notes, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial", "partial"]
    assert "lists values without the search" in evidence[0].detail
    assert "records no search" in evidence[1].detail


def test_placeholder_notes_are_partial(tmp_path: Path) -> None:
    write(tmp_path, "docs/model-card.md", "# Model card\n\n## Hyperparameters\n\nTODO\n")
    evidence = run_detector(hyperparameter_notes, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "empty" in evidence[0].detail
