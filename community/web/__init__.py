"""The HTTP layer every blueprint shares: request parsing (one reader per kind of argument),
safe redirects, the forms base, pagination, error pages, i18n, rate limits, templating,
security headers, role checks, and the page cache (web/pagecache/). It stands on the kernel
and knows no domain package."""
