"""Synthetic Iraqi payment traffic with planted violations and ground-truth labels."""
