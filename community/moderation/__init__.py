"""Moderating in proportion: warnings, timed suspensions and bans of members, the staff
page that shows a member's record, and the one guard that keeps a suspended member from
every write (guard.py)."""
