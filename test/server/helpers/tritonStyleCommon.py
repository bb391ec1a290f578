"""
What the Triton-style Python clients of the server tests share: tritonclient's exception,
tritonclient.utils.shared_memory's region functions, and readers for the facts the checks print.
"""

import struct
from multiprocessing import shared_memory as mpshm


class InferenceServerException(Exception):
    """tritonclient's exception: the message, and the status (gRPC: str(StatusCode); HTTP: the status code as a string)."""

    def __init__(self, msg, status=None):
        super().__init__(msg)
        self.msg, self.status = msg, status


# ---- tritonclient.utils.shared_memory ----------------------------------------------------


def create_shared_memory_region(shm_key, byte_size):
    """Its create_shared_memory_region: shm_open(key, O_CREAT | O_EXCL) sized by ftruncate, then mmap'ed."""
    return mpshm.SharedMemory(shm_key, create=True, size=byte_size)


def set_shared_memory_region(handle, values, offset=0):
    """Its set_shared_memory_region: each array's bytes copied in, one after another from `offset`."""
    for value in values:
        handle.buf[offset : offset + len(value)] = value
        offset += len(value)


def destroy_shared_memory_region(handle):
    """Its destroy_shared_memory_region: unmapped, and the object unlinked by its maker."""
    handle.close()
    handle.unlink()


# ---- the facts the checks print -------------------------------------------------------------


def read_bytes(file):
    with open(file, "rb") as handle:
        return handle.read()


def refused(call):
    """The status and message of the InferenceServerException a call raises; None if it succeeds."""
    try:
        call()
    except InferenceServerException as error:
        return {"status": error.status, "message": error.msg}
    return None


def floats(raw, offset=0, count=None):
    count = len(raw) // 4 if count is None else count
    return list(struct.unpack_from(f"<{count}f", raw, offset))


def int64s(raw, offset=0, count=None):
    count = len(raw) // 8 if count is None else count
    return [str(value) for value in struct.unpack_from(f"<{count}q", raw, offset)]
