"""The CI workflows, pre-commit hooks, the install steps and scripts/promotion_pair.py."""
