"""Joining concurrent requests to one model into batches, run off the event loop.

A :class:`Batcher` belongs to one model. ``await batcher.submit(items)`` queues a request's inputs; one worker task per
model takes every request queued so far (up to ``max_items`` inputs, at least one request whole), runs the model once
on all their inputs in a worker thread, and hands each request its own results. Requests that arrive while the model
runs wait for the next batch, so under load batches grow by themselves and nothing waits for a timer.

If a joined batch fails, each of its requests is run again alone, so that one bad input fails only its own request.
The event loop never runs a model: other requests (other models, the page, glyph sheets) are served meanwhile.
"""
import asyncio
from typing import Callable, List, Optional, Tuple


class Batcher:
    """Batches for one model. ``run(items) -> results`` (one result per item, in order) is called in a worker
    thread, never twice at the same time."""

    def __init__(self, run: Callable[[List], List], max_items: int = 64):
        self._run = run
        self.max_items = max_items
        self._pending: List[Tuple[List, asyncio.Future]] = []
        self._worker: Optional[asyncio.Task] = None
        self.batches_run = 0  # for the curious (and the tests): model calls so far

    async def submit(self, items: List) -> List:
        """The results of ``items``, in order (raises what ``run`` raised on them)."""
        future = asyncio.get_running_loop().create_future()
        self._pending.append((list(items), future))
        if self._worker is None or self._worker.done():
            self._worker = asyncio.create_task(self._work())
        return await future

    def _take(self) -> List[Tuple[List, asyncio.Future]]:
        batch, size = [], 0
        while self._pending and (not batch or size + len(self._pending[0][0]) <= self.max_items):
            request = self._pending.pop(0)
            if request[1].done():  # its client went away
                continue
            batch.append(request)
            size += len(request[0])
        return batch

    async def _work(self) -> None:
        while self._pending:
            batch = self._take()
            if not batch:
                continue
            items = [item for request_items, _ in batch for item in request_items]
            try:
                results = await self._call(items)
            except Exception as error:
                if len(batch) == 1:
                    _settle(batch[0][1], error=error)
                    continue
                for request_items, future in batch:  # find the request that failed: each one alone
                    try:
                        alone = await self._call(request_items)
                    except Exception as request_error:
                        _settle(future, error=request_error)
                    else:
                        _settle(future, result=alone)
                continue
            start = 0
            for request_items, future in batch:
                _settle(future, result=results[start:start + len(request_items)])
                start += len(request_items)

    async def _call(self, items: List) -> List:
        self.batches_run += 1
        results = await asyncio.to_thread(self._run, items)
        if len(results) != len(items):
            raise RuntimeError(f"the model gave {len(results)} results for {len(items)} inputs")
        return results


def _settle(future: asyncio.Future, result=None, error: Optional[BaseException] = None) -> None:
    if future.done():  # cancelled: the client disconnected
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)
