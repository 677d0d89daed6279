"""What a page shows of and for whoever is looking, drawn from several domain packages: the
reader of a stored page (readers), the header's account corner (header) and social proof
(social). It stands on accounts, ideas, circles, engagement, messages and notifications, so it
sits above them, beside the wiring, and no domain package imports it."""
