#!/bin/sh
# Monthly retraining, run by the CronJob fraud-scoring-retrain (deploy/k8s/cronjobs.yaml) on the 5th
# in the training image (`docker build --target train .`). Trains and evaluates a candidate on last
# month's snapshot (delivered on the 2nd, docs/data.md) with the committed hyperparameters, then
# uploads it to s3://acme-fraud-models/fraud-scoring/candidates/<version>/. A candidate that fails
# a gate is not uploaded. Releasing it stays a reviewed pull request (docs/model-card.md).
set -eu

month=$(date -u -d "$(date -u +%Y-%m-01) -1 day" +%Y-%m)       # last month: 2026-11 on 2026-12-05
holdout=$(date -u -d "$(date -u +%Y-%m-01) -9 days" +%F)       # its last 9 days are the holdout
version="fraud-lr-$(date -u +%Y.%m).1"
data="data/raw/authorisations-$month.csv"

dvc pull data/raw.dvc
test -f "$data" || { echo "retrain: snapshot $data is missing" >&2; exit 2; }
md5=$(md5sum "$data" | cut -d' ' -f1)

# The run's configs: the committed ones with this month's data, version and holdout.
mkdir -p run
sed -e "s|^model_version: .*|model_version: $version|" \
    -e "s|^  path: .*|  path: $data|" \
    -e "s|^  version: .*|  version: export-$month|" \
    -e "s|^  md5: .*|  md5: $md5|" \
    -e "s|^evaluation_config: .*|evaluation_config: run/evaluation.yaml|" configs/train.yaml > run/train.yaml
sed -e "s|^  holdout_from: .*|  holdout_from: \"${holdout}T00:00:00+00:00\"|" configs/evaluation.yaml > run/evaluation.yaml

python -m fraud_scoring.train --config run/train.yaml
python -m fraud_scoring.evaluate --config run/evaluation.yaml --data "$data"   # exits 1 when a gate fails

target="s3://acme-fraud-models/fraud-scoring/candidates/$version/"
aws s3 cp artifacts/model.json "$target"
aws s3 cp artifacts/reference_profile.json "$target"
aws s3 cp reports/evaluation.json "$target"
echo "retrain: candidate $version uploaded to $target"
