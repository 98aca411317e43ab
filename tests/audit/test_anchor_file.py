"""Writing the anchor file: each head on disk before its commit's request goes on,
without holding other processes' heads back while it waits for the disk."""
import fcntl
import os

from survey.audit.chain import append_anchor, latest_anchor


def test_a_head_is_fsynced_after_the_lock_is_left(tmp_path, monkeypatch):
    path = tmp_path / "anchor"
    synced = []
    real_fsync = os.fsync

    def fsync(descriptor):
        other = os.open(path, os.O_RDONLY)
        try:  # another process could take the lock now: BlockingIOError if it is still held
            fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
        finally:
            os.close(other)
        synced.append(os.fstat(descriptor).st_size)
        real_fsync(descriptor)

    monkeypatch.setattr(os, "fsync", fsync)
    assert append_anchor(str(path), 1, "a" * 64)
    first_line_ends = path.stat().st_size
    assert append_anchor(str(path), 2, "b" * 64)
    assert synced == [first_line_ends, path.stat().st_size]  # each line once it is written
    assert (latest_anchor(str(path)).count, latest_anchor(str(path)).mac) == (2, "b" * 64)


def test_an_older_head_is_not_written_after_a_newer_one(tmp_path):
    path = str(tmp_path / "anchor")
    assert append_anchor(path, 5, "a" * 64)
    assert not append_anchor(path, 4, "b" * 64)
    assert not append_anchor(path, 5, "c" * 64)
    with open(path) as file:
        assert len(file.readlines()) == 1
