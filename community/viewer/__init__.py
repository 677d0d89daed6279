"""What a page shows of and for whoever is looking, drawn from several domain packages: the
reader of a stored page (readers), the header's account corner (header), social proof
(social), the votes a fan has left in a round (votes_left), and the phone shell's tab bar
badge and the Me page (shell). It stands on accounts, ideas,
circles, engagement, messages, notifications and rounds, so it sits above them, beside the
wiring, and no domain package imports it."""
