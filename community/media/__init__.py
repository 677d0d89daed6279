"""Fans' images: attached to forum posts and to store reviews (products/reviews).

Every image is decoded and re-encoded by Pillow before a byte of it is kept
(processing.py): EXIF, GPS and any other metadata are dropped, the orientation is
applied to the pixels, trailing data (a GIF/JS or PNG/ZIP polyglot) does not survive,
and anything that is not a PNG, JPEG, WebP or GIF (an SVG, a script) is refused.
Limits: bytes per file, pixels per image (checked from the header before decoding, so a
decompression bomb is never decoded), images per item, and how many a fan may attach by
level (service.allowance). Names are random; the uploader's file name is never used.

Files live behind one small interface (storage.py): the instance folder by default.
"""
