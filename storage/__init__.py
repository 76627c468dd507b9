"""Storage: persists what it is given (portals, runs, pages, findings, WARC).

It neither crawls nor judges.
"""
