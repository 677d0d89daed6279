"""The fan community: accounts, boards, ideas, circles and conversations.

Nothing in this package imports `products`; the store listens to the community
through signals and the share-card registry (../shared/DESIGN.md, "One arrow").
"""
