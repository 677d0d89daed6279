"""Demo data for `make run` (`flask --app app demo load`), in one place. It sits beside the
app's wiring: it loads through the services of community/ and products/, and nothing there
imports it."""
