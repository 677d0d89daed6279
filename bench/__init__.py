"""Fanforge's benchmark kit: seeding, HTTP load, scaling (see bench/README.md).

A package so the scripts import each other as `bench.x` from the repository root:
bench/http.py would shadow the standard library's `http` if bench/ itself were on
sys.path, so every script drops its own folder from the path first (common.py).
"""
