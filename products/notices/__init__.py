"""The store speaks: notices to buyers, followers and backers, through the community's
notifications, mail preferences and digests (community/notifications/kinds.py)."""
