"""How the Argo CD client retries: urllib3's Retry with exponential backoff and jitter,
Retry-After honoured (capped), a deadline, one warning per retry, and sleeps through an
injectable function so that tests see the requested delays.

urllib3 decides what is retried: for any method, a connection that could not be made
(refused, connect timeout: nothing was sent), once by default (nothing listening is rarely
a blip); for GET only, a read timeout, a dropped connection and 429/502/503/504. A POST that
may have reached the server is not retried."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from itertools import takewhile
from typing import Any

from urllib3.util.retry import Retry

RETRY_STATUSES = frozenset({429, 502, 503, 504})


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How requests are retried, and their timeouts."""

    retries: int = 4  # GETs: 429/502/503/504, read timeouts, dropped connections
    connect_retries: int = 1  # any method: no connection could be made (refused, timeout)
    backoff: float = 0.5  # the first delay; doubled each time
    backoff_max: float = 8.0
    jitter: float = 0.25  # up to this fraction is added to each delay
    retry_after_max: float = 60.0
    connect_timeout: float = 5.0
    read_timeout: float = 30.0  # `?refresh=` GETs block until the controller has refreshed
    request_timeout: float = 60.0  # one call, its retries included, to the end of its body
    max_response_bytes: int = 128 << 20  # a list of 10,000 apps, as status asks: ~20-50 MB


class ClientRetry(Retry):
    """urllib3's Retry with our backoff, observable sleeps and one `notify` call per retry."""

    def __init__(
        self,
        *args: Any,
        sleep: Callable[[float], None] = time.sleep,
        notify: Callable[[str], None] | None = None,
        rng: Callable[[], float] = random.random,
        jitter: float = 0.25,
        host: str = "",
        max_retry_after: float = 60.0,
        time_left: Callable[[], float | None] = lambda: None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._sleep_fn, self._notify, self._rng = sleep, notify, rng
        self._jitter, self._host, self._max_retry_after = jitter, host, max_retry_after
        self._time_left = time_left

    def new(self, **kw: Any) -> ClientRetry:
        kw.update(sleep=self._sleep_fn, notify=self._notify, rng=self._rng,
                  jitter=self._jitter, host=self._host, max_retry_after=self._max_retry_after,
                  time_left=self._time_left)
        return super().new(**kw)

    def is_exhausted(self) -> bool:
        """Out of retries, or the deadline passes before the next attempt could start."""
        left = self._time_left()
        return super().is_exhausted() or (left is not None and left <= self.get_backoff_time())

    def get_backoff_time(self) -> float:
        errors = len(list(takewhile(lambda h: h.redirect_location is None,
                                    reversed(self.history))))
        if errors == 0:
            return 0.0
        base = min(self.backoff_max, self.backoff_factor * 2 ** (errors - 1))
        return base * (1 + self._jitter * self._rng())

    def sleep(self, response: Any = None) -> None:
        delay = None
        if response is not None and self.respect_retry_after_header:
            try:
                delay = self.get_retry_after(response)
            except Exception:  # an unparsable Retry-After: fall back to backoff
                delay = None
            if delay is not None:
                delay = min(delay, self._max_retry_after)
        if delay is None:
            delay = self.get_backoff_time()
        left = self._time_left()
        if left is not None:
            delay = max(0.0, min(delay, left))
        if self._notify and self.history:
            last = self.history[-1]
            what = f"answered {last.status}" if last.status else _error_kind(last.error)
            self._notify(
                f"warning: Argo CD at {self._host} {what}; retry {len(self.history)} "
                f"in {delay:.1f}s"
            )
        if delay > 0:
            self._sleep_fn(delay)


def _error_kind(error: Any) -> str:
    name = type(error).__name__
    if "Timeout" in name:
        return "did not answer in time"
    if "NewConnection" in name or "Connect" in name:
        return "refused the connection"
    return f"dropped the connection ({name})"
