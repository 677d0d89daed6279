"""What every package stands on and nothing web: the extensions (db with a naming
convention), database helpers and transactions, compiled statements, errors, signals, the
clock, jobs. Nothing here reads the request, the session or templates."""
