"""Steps that Ctrl-C must not cut in half: the interrupt waits until the step is done."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def held() -> Iterator[None]:
    """Run the block whole; a Ctrl-C pressed meanwhile is raised (as KeyboardInterrupt) after it."""
    import os
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread can take SIGINT over
        return
    caught: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: caught.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous if previous is not None else signal.default_int_handler)
    if caught:
        if previous is signal.default_int_handler or previous is None:
            raise KeyboardInterrupt
        if callable(previous):
            previous(signal.SIGINT, None)
        elif previous == signal.SIG_DFL:
            os.kill(os.getpid(), signal.SIGINT)


def fault(step: str) -> None:
    """A named point of a long step where tests kill or pause the process (HAZREG_FAULT=step
    kills it with SIGKILL there; HAZREG_PAUSE=step=seconds waits there). Costs one lookup."""
    import os

    if os.environ.get("HAZREG_FAULT") == step:
        import signal

        os.kill(os.getpid(), signal.SIGKILL)
    pause = os.environ.get("HAZREG_PAUSE", "")
    if pause.rpartition("=")[0] == step:
        import time

        time.sleep(float(pause.rpartition("=")[2]))
