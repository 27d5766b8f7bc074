"""tpcore: the performance-critical core of a wallet and trading back-end.

Batch signing, order matching and margin run in Rust (``tpcore._core``); this package is
their typed Python front door. See ``tpcore.sign`` and the README for a tour.
"""

from tpcore._core import __version__, get_num_threads, set_num_threads
from tpcore.errors import InvalidInput, TpcoreError

__all__ = [
    "InvalidInput",
    "TpcoreError",
    "__version__",
    "get_num_threads",
    "set_num_threads",
]
