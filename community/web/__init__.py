"""The HTTP layer every blueprint shares: request parsing (one reader per kind of argument),
safe redirects, the forms base, pagination, error pages, i18n, rate limits, templating,
security headers, role checks (roles.py), and the page cache (web/pagecache/). It stands on
the kernel and is below the domain packages. Two arrows still point up, to be cut: i18n's
locale switch saves the account's language through accounts.service, and panels names its
slots' models (inside a function)."""
