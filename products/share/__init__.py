"""Shares that travel: share posters (a PNG of an idea or a product with its live figures
and a QR code of the share link with the sharer's referral code). figures.py reads what a
poster shows, draw.py draws it, store.py keeps each one drawn once, views.py serves them.
The pages' Open Graph tags are templates/_macros/share.html."""
