"""The scheduler's memory queue, compact: each waiting request is kept pickled.

Portals link widely, so a crawl discovers most of a site long before it has fetched
it: on the 20,000-page benchmark portal Scrapy's scheduler holds up to ~19,000
requests at once. As Request objects (headers, meta, callbacks, the parsed URL the
priority queue caches per request) they took ~2.4 KB each; serialised the way
Scrapy's own disk queues store them (``Request.to_dict``, pickled) they take ~0.5 KB,
in memory, with no JOBDIR and no files. The order is that of Scrapy's default
``LifoMemoryQueue`` (last in, first out within each priority), so the crawl is the
same; a request that cannot be serialised is kept as it is.
"""
from __future__ import annotations

import pickle
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.utils.request import request_from_dict


class PickledLifoMemoryQueue:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self._items: list[bytes | Request] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> "PickledLifoMemoryQueue":
        return cls(crawler)

    def push(self, request: Request) -> None:
        try:
            item: bytes | Request = pickle.dumps(request.to_dict(spider=self.crawler.spider),
                                                 protocol=pickle.HIGHEST_PROTOCOL)
        except (ValueError, TypeError, AttributeError, pickle.PicklingError):
            item = request  # e.g. a callback that is not a spider method
        self._items.append(item)

    def pop(self) -> Request | None:
        return self._load(self._items.pop()) if self._items else None

    def peek(self) -> Request | None:
        return self._load(self._items[-1]) if self._items else None

    def _load(self, item: bytes | Request) -> Request:
        if isinstance(item, Request):
            return item
        return request_from_dict(pickle.loads(item), spider=self.crawler.spider)

    def close(self) -> None:
        pass  # as Scrapy's memory queues: nothing to persist

    def __len__(self) -> int:
        return len(self._items)
