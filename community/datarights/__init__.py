"""Your data, your account (PIPL / GDPR): download everything the account wrote and owns,
and close the account, anonymised after a grace period.

The tables are walked, not listed by hand: every column that points at an account has a
rule in `registry` (exported or not, and what closing the account does to it), declared
by the package that owns the table (community's in `rules`, the store's from products/),
and a test fails on a column without one.
"""
