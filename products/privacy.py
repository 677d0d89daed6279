"""The store's tables under the data rights (community/datarights/registry.py): which
account columns are the member's own, and what closing the account does to them.

Orders are kept as they are for the law's retention (ORDER_RETENTION_DAYS, from the
order's date), then the second pass empties who and where they were shipped to.
"""

from community.datarights.registry import CONTENT, DELETE, KEEP, RETAIN, after_close, declare

from .trials import photos as trial_photos

STAFF_WORK = "staff's work on the store's behalf, not the member's own data"
COUNTED = "kept as an anonymous count: totals stay as they were"
SHIPPING = ("ship_name", "ship_phone", "ship_country", "ship_region", "ship_city",
            "ship_address", "ship_postal_code", "tracking_number", "personalisation")


def declare_store():
    d = declare
    d("orders", "buyer_id", True, RETAIN, "kept for the legally required time",
      scrub=dict.fromkeys(SHIPPING), age_column="created_at")
    d("orders", "referrer_id", False, KEEP, "other buyers' orders; they name only the account's "
      "id, which no longer leads to a person")
    d("addresses", "user_id", True, DELETE)
    d("notice_batches", "exclude_user_id", False, KEEP, "a notice's delivery bookkeeping: the "
      "poster it skips")
    d("product_follows", "user_id", True, DELETE)
    for table in ("campaign_buyers", "cocreators", "f_codes", "poll_votes",
                  "product_review_helpful"):
        d(table, "user_id", True, KEEP, COUNTED)
    d("product_reviews", "author_id", True, CONTENT, "a review's rating stays in the product's "
      "score", remove={"body": ""}, images="review")
    d("product_questions", "author_id", True, CONTENT, "others answered it",
      remove={"body": ""})
    d("product_answers", "author_id", True, CONTENT, "the question stays", remove={"body": ""})
    d("trial_applications", "user_id", True, CONTENT, "a trial's draw counted it",
      remove={"answers": "{}"})
    d("trial_reports", "user_id", True, CONTENT, "the trial's reports",
      remove={"answers": "{}"})
    after_close(trial_photos.remove_of_closed)  # a removed report's photos (trial_photos)
    for table, column in (("backer_updates", "author_id"), ("campaigns", "created_by_id"),
                          ("cocreators", "granted_by_id"), ("f_codes", "issued_by_id"),
                          ("payment_actions", "requested_by_id"), ("polls", "created_by_id"),
                          ("product_stage_changes", "actor_id"), ("products", "created_by_id"),
                          ("trial_draws", "actor_id"), ("trials", "created_by_id")):
        d(table, column, False, KEEP, STAFF_WORK)
