"""The fair draw: a weighted random order of applicants, the same every time for the same
seed and entries, so anyone holding a draw's log (products/trials/models.py TrialDraw) can
run it again and check the winners.

The algorithm (weighted sampling without replacement, Efraimidis and Spirakis, 2006):

1. Each entry is (user_id, weight, cocreator); weight = 1 + the fan's points on the
   product's board (community engagement's ledger), so every applicant has a chance and
   taking part raises it.
2. Each fan draws a number u in (0, 1) from SHA-256 of "<seed>:<user_id>" (the first 53
   bits, plus a half step so it is never 0). It depends on the seed and the fan alone, not
   on the order rows come from the database or on who else applied.
3. The fan's key is ln(u) / weight (the log of u ** (1 / weight): same order, no underflow);
   higher keys come first. Sorting by this key picks each next fan with probability
   proportional to their weight among those left.
4. When the trial puts co-creators first, every co-creator comes before every other fan,
   each group in key order. Ties (impossible in practice) go to the lower user id.

The first free places of the order are offered a place; the rest make the shortlist in
that order, and a declined place goes to the next of them.
"""

import hashlib
import math
import secrets

SCALE = 2.0 ** 53


def new_seed():
    return secrets.token_hex(8)


def uniform(seed, user_id):
    digest = hashlib.sha256(f"{seed}:{user_id}".encode()).digest()
    return (int.from_bytes(digest[:8], "big") >> 11) / SCALE + 0.5 / SCALE


def key(seed, user_id, weight):
    return math.log(uniform(seed, user_id)) / max(int(weight), 1)


def order(seed, entries, cocreators_first=False):
    """User ids of `entries` ([(user_id, weight, cocreator)]), best first."""
    def rank(entry):
        user_id, weight, cocreator = entry
        return (not (cocreators_first and cocreator), -key(seed, user_id, weight), user_id)
    return [entry[0] for entry in sorted(entries, key=rank)]
