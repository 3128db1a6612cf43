"""Generate data/sample_transactions.csv: a small synthetic slice of card transactions.

The real training data (monthly authorisation exports joined with chargeback labels) lives in
DVC under data/raw/ and never leaves the payments VPC. Tests and local runs use this synthetic
sample instead. It mimics the columns, null patterns and the
main fraud signals of the real export; the fraud rate is enriched (about 25 %) so that a
60-row sample still holds enough positives for a time-based holdout.

Usage: python scripts/make_sample_data.py [--rows 60] [--seed 11] [--out data/sample_transactions.csv]
"""

from __future__ import annotations

import argparse
import csv
import math
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

COLUMNS = (
    "transaction_id", "account_id", "event_time", "amount", "currency", "merchant_category",
    "merchant_country", "home_country", "card_present", "channel", "account_age_days", "is_fraud",
)
ACCOUNTS = {  # account_id -> (home_country, currency, account_age_days or None)
    "acc_1001": ("DE", "EUR", 2210), "acc_1002": ("DE", "EUR", 48), "acc_1003": ("FR", "EUR", 930),
    "acc_1004": ("GB", "GBP", 1630), "acc_1005": ("GB", "GBP", 12), "acc_1006": ("US", "USD", 3400),
    "acc_1007": ("NL", "EUR", None), "acc_1008": ("ES", "EUR", 410), "acc_1009": ("US", "USD", 75),
    "acc_1010": ("IE", "EUR", 1880), "acc_1011": ("IT", "EUR", None), "acc_1012": ("FR", "EUR", 5),
}
EVERYDAY_MCC = ("5411", "5812", "5541", "5311", "4111", "5912", "5999")
HIGH_RISK_MCC = ("4829", "6051", "7995", "5967")
COUNTRIES = ("DE", "FR", "GB", "US", "NL", "ES", "IE", "IT", "RO", "NG", "BR")
START = datetime(2026, 9, 1, tzinfo=timezone.utc)


def make_row(rng: random.Random, index: int, when: datetime) -> dict[str, str]:
    """One synthetic transaction; the fraud label follows a noisy logistic risk."""
    account = rng.choice(sorted(ACCOUNTS))
    home, currency, age = ACCOUNTS[account]
    risky = rng.random() < 0.3
    mcc: str | None = rng.choice(HIGH_RISK_MCC if risky and rng.random() < 0.6 else EVERYDAY_MCC)
    if rng.random() < 0.08:
        mcc = None
    foreign = rng.random() < (0.55 if risky else 0.1)
    country = rng.choice([c for c in COUNTRIES if c != home]) if foreign else home
    card_present = rng.random() < (0.25 if risky else 0.7)
    channel = "pos" if card_present else rng.choice(("ecommerce", "ecommerce", "moto"))
    amount = round(math.exp(rng.gauss(5.6 if risky else 3.4, 1.0)), 2)
    if risky and rng.random() < 0.5:
        when = when.replace(hour=rng.randint(0, 5))
    logit = (-5.6 + 1.8 * foreign + 1.4 * (not card_present) + 0.3 * math.log1p(amount)
             + 1.6 * (mcc in HIGH_RISK_MCC) + 1.2 * (when.hour < 6) + 1.0 * (age is not None and age < 60)
             + rng.gauss(0, 0.4))
    is_fraud = rng.random() < 1 / (1 + math.exp(-logit))
    return {
        "transaction_id": f"tx_{index:05d}", "account_id": account,
        "event_time": when.isoformat(timespec="seconds"), "amount": f"{min(amount, 49_000.0):.2f}",
        "currency": currency, "merchant_category": mcc or "", "merchant_country": country,
        "home_country": home, "card_present": "true" if card_present else "false", "channel": channel,
        "account_age_days": "" if age is None else str(age), "is_fraud": "1" if is_fraud else "0",
    }


def generate(rows: int, seed: int) -> list[dict[str, str]]:
    """``rows`` transactions over September 2026, in event-time order."""
    rng = random.Random(seed)
    times = sorted(START + timedelta(minutes=rng.randint(0, 29 * 24 * 60)) for _ in range(rows))
    generated = [make_row(rng, index + 1, when) for index, when in enumerate(times)]
    return sorted(generated, key=lambda row: (row["event_time"], row["transaction_id"]))


def main(argv: list[str] | None = None) -> None:
    """Write the sample CSV."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=60)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--out", type=Path, default=Path("data/sample_transactions.csv"))
    args = parser.parse_args(argv)
    with args.out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(generate(args.rows, args.seed))


if __name__ == "__main__":
    main()
