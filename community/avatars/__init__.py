"""Avatars: a picture beside every name.

A fan uploads one in their settings. It goes through the fan image pipeline
(community/media/processing.py: decoded and re-encoded by Pillow, no metadata, limits on
bytes and pixels), is cropped square and sized here, on the server, to SIZES, and kept
through the media storage interface (community/media/storage.py). The account holds a
token (users.avatar) the files are named from; a new upload gets a new token, so an
avatar's URL changes with the picture and can be cached for good.

Everyone else has a generated default: their initial, in white, on a colour picked from
their id (always the same for the same account; every colour of the palette carries white
text at 4.5:1 or better, WCAG AA). Its URL names the id and the initial, so a renamed
account (a closed one) gets a new one.

Templates draw one with ``{{ avatar(user, 32) }}``: an <img> with its size, a 2x source
for sharp screens, and empty alt text, because a name is always written beside it
(``avatar(user, 96, alt=...)`` where it stands alone).
"""
