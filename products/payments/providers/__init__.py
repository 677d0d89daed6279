"""Payment providers by name; FANFORGE_PAYMENTS_PROVIDER chooses the one checkout uses."""
