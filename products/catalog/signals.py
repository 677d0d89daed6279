"""The catalog's domain events, sent inside the transaction of their cause (as the
community's are), so a listener's writes commit or roll back with it.
"""

from blinker import Namespace

_events = Namespace()

# sender is the Product; ideas is the list of origin Idea rows; actor is staff.
product_created = _events.signal("product-created")
# sender is the Product (already at its new stage); change is the StageChange row.
product_stage_changed = _events.signal("product-stage-changed")
# sender is the Product; user joined as a participant.
product_joined = _events.signal("product-joined")
# sender is the Poll; product is its Product.
poll_created = _events.signal("poll-created")
