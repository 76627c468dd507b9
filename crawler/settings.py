"""Scrapy settings for citylabel: polite, bounded, and identifiable.

Per-run values (page budget, user agent, timeouts) are set by the spider from
its AuditConfig; these are the defaults every crawl shares.
"""
BOT_NAME = "citylabel"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

ROBOTSTXT_OBEY = True
ROBOTSTXT_PARSER = "scrapy.robotstxt.ProtegoRobotParser"

# Politeness: AutoThrottle adapts the delay to the server's latency, with a
# per-host cap on parallel requests.
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.5
AUTOTHROTTLE_MAX_DELAY = 10.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 4.0
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 0

# Bounds: hostile servers must not hold or flood the crawl.
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 20 * 1024 * 1024
DOWNLOAD_WARNSIZE = 5 * 1024 * 1024
REDIRECT_MAX_TIMES = 10
RETRY_TIMES = 2
# 429 is not retried: it is recorded as "blocked" (Retry-After handling is separate work).
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408]
HTTPERROR_ALLOW_ALL = True  # error pages are evidence (broken links), so callbacks see them
DEPTH_LIMIT = 0             # depth is managed by the frontier (crawler.frontier)

# Memory. A wide portal is discovered long before it is fetched: the scheduler keeps
# its waiting requests pickled (crawler.queues), same order as Scrapy's default queue.
SCHEDULER_MEMORY_QUEUE = "crawler.queues.PickledLifoMemoryQueue"
# Responses waiting for the judge, which takes them one at a time: 1 MB (~65 pages of
# 15 KB) keeps it busy as well as Scrapy's default 5 MB did.
SCRAPER_SLOT_MAX_ACTIVE_SIZE = 1_000_000

COOKIES_ENABLED = True
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "INFO"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"

DOWNLOADER_MIDDLEWARES = {
    # first of all: no request, redirect or probe reaches a private address unless allowed
    "crawler.middlewares.PrivateAddressMiddleware": 40,
    # before robots.txt, so out-of-scope redirects never make us fetch a foreign robots.txt
    "crawler.middlewares.ScopeMiddleware": 50,
    # after robots.txt, so a disallowed page costs no budget
    "crawler.middlewares.BudgetMiddleware": 110,
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
}
SPIDER_MIDDLEWARES = {
    "scrapy.spidermiddlewares.depth.DepthMiddleware": None,
}
EXTENSIONS = {
    "scrapy.extensions.telnet.TelnetConsole": None,
}
