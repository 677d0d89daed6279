"""The "Latest" feed on the home page: what is new across the community, newest first.

New ideas, ideas' status changes, meetups in open circles, and whatever other packages
register (the store registers campaigns opening: community/ never imports products/).
A source is loader(limit, before) -> [Item], newest first, items older than `before` (a
datetime) when it is given; the feed merges the sources and cuts to the page.

The feed is part of pages shared by every reader of an audience (the home page, /latest),
so it shows only what a visitor may see: nothing hidden or removed, no idea merged away,
and no meetup of a circle that is not open (an approval or private circle's meetups are
its members' only, community/circles/access.py). Every source says so in its query.
"""
