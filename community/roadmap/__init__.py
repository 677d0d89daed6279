"""The roadmap and the changelog (issue 23).

The roadmap is the community's own view of its ideas: what the brand plans, builds and
has shipped, board by board, with votes. The changelog is the release notes staff write
when ideas ship, each crediting by name the fans who proposed them and, where an idea grew
into a product, that product's co-creators. Both live here, in the community, because
they are about ideas; the store shows on them only through links.py, a registry
products/ fills when the app starts (the arrow: community/ never imports products/).
"""
