"""Result files of jobs: written encrypted in chunks, read back as a stream, deleted when they expire.

A file is a sequence of Fernet tokens, one per line, each the encryption of up to
CHUNK_BYTES of the plaintext: writing and reading need one chunk of memory, whatever
the file's size, and a file copied off the disk is unreadable without the key. The
caller passes the Fernet (forms_intake passes its FIELD_ENCRYPTION_KEYS one): this
module holds no key of its own.

A run writes `<job id>.<attempt>.part` and renames it to the final name only when
it completes, so a worker killed mid-way leaves no file a user could download.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from portal.jobs.models import Job, JobState

CHUNK_BYTES = 1024 * 1024


def files_dir() -> Path:
    """Where result files live (JOBS_FILES_DIR); created on first use, readable by this user only."""
    root = Path(settings.JOBS_FILES_DIR)
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    return root


def part_path(job, attempt) -> Path:
    return files_dir() / f"{job.pk}.{attempt}.part"


def final_path(job, suffix) -> Path:
    return files_dir() / f"{job.pk}{suffix}"


def remove_parts_except(job, attempt) -> int:
    """Delete the unfinished files of this job's other runs (a killed worker's); returns how many."""
    removed = 0
    for path in files_dir().glob(f"{job.pk}.*.part"):
        if path != part_path(job, attempt):
            path.unlink(missing_ok=True)
            removed += 1
    return removed


class EncryptedWriter:
    """A binary file-like writer that encrypts each CHUNK_BYTES of what it is given."""

    def __init__(self, handle, fernet):
        self.handle = handle
        self.fernet = fernet
        self.buffer = bytearray()
        self.size = 0

    def write(self, data: bytes) -> int:
        self.buffer += data
        self.size += len(data)
        while len(self.buffer) >= CHUNK_BYTES:
            self._emit(bytes(self.buffer[:CHUNK_BYTES]))
            del self.buffer[:CHUNK_BYTES]
        return len(data)

    def flush(self):
        if self.buffer:
            self._emit(bytes(self.buffer))
            self.buffer.clear()
        self.handle.flush()

    def _emit(self, chunk: bytes):
        self.handle.write(self.fernet.encrypt(chunk) + b"\n")


@contextmanager
def encrypted_writer(path: Path, fernet):
    """Open `path` for writing (mode 0600) and yield an EncryptedWriter; flushed and synced on exit."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        writer = EncryptedWriter(handle, fernet)
        yield writer
        writer.flush()
        os.fsync(handle.fileno())


def decrypted_chunks(path: Path, fernet):
    """Yield the plaintext of an encrypted result file chunk by chunk."""
    with open(path, "rb") as handle:
        for line in handle:
            line = line.strip()
            if line:
                yield fernet.decrypt(line)


def purge_files(now=None) -> int:
    """Delete result files of expired jobs and files no job owns any more; returns how many files.

    Jobs past `expires_at` become 'expired'. A file with no job row (the job was
    deleted) or a leftover `.part` is deleted once older than JOBS_RESULT_TTL.
    """
    now = now or timezone.now()
    root = Path(settings.JOBS_FILES_DIR)
    if not root.is_dir():
        return 0
    removed = 0
    expired = Job.objects.filter(expires_at__lt=now).exclude(state=JobState.EXPIRED).exclude(result_file="")
    for job in expired.only("pk", "result_file"):
        (root / job.result_file).unlink(missing_ok=True)
        removed += 1
    expired.update(state=JobState.EXPIRED, result_file="")
    keep = set(Job.objects.exclude(result_file="").values_list("result_file", flat=True))
    cutoff = (now - timedelta(seconds=int(settings.JOBS_RESULT_TTL))).timestamp()
    for path in root.iterdir():
        if path.is_file() and path.name not in keep and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
