"""Payments: providers behind one interface, an append-only ledger, verified webhooks."""
