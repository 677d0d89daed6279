"""The pre-order store, downstream of the community (it may import `community`)."""
