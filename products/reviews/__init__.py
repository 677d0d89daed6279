"""Reviews (晒单) and product questions.

A buyer whose pre-order was delivered reviews the product once per order: a rating, text
and photos (community/media), marked "verified buyer" with the variant they bought, and
editable by them. Fans mark reviews helpful once each. Anyone signed in asks a question;
buyers (marked "bought it") and staff answer; staff pin the best answer.
"""
