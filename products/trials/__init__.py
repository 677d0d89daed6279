"""Trials (内测 / 众测): staff open a trial of a product, fans apply, staff pick testers by
hand or by a logged, repeatable weighted draw, testers confirm and file reports."""
