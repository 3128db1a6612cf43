"""Fraud scoring of card authorisations: contract, features, training, evaluation and serving."""
