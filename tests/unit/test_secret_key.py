"""The web application's stored secret key (``DATA_DIR/secret_key``): never readable by
others, not even while it is being written, and one key when processes start together."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

from ketenradar.interfaces.web.settings import _stored_secret

#: Under umask 0, the key is made while an audit hook looks at the data folder before each
#: step on the file system (open, chmod, link, rename): the mode of every file there then.
CHILD = r"""
import json, os, stat, sys
from pathlib import Path

root = Path(sys.argv[1])
seen = []

def hook(event, args):
    if event in ("open", "os.chmod", "os.link", "os.rename", "os.remove") and root.exists():
        for p in root.iterdir():
            try:
                st = p.stat()
            except FileNotFoundError:
                continue
            seen.append([event, p.name, stat.S_IMODE(st.st_mode), st.st_size])

os.umask(0)
from ketenradar.interfaces.web.settings import _stored_secret

sys.addaudithook(hook)
key = _stored_secret(root)
print(json.dumps({"key": key, "seen": seen}))
"""


def test_secret_key_is_never_readable_by_others_even_under_umask_0(tmp_path: Path) -> None:
    root = tmp_path / "data"
    res = subprocess.run(
        [sys.executable, "-c", CHILD, str(root)], capture_output=True, text=True, timeout=60
    )
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout.splitlines()[-1])
    written = [s for s in out["seen"] if s[3] > 0]  # files holding (part of) the key
    assert written, out  # the hook did see the key being written
    exposed = [s for s in written if s[2] & 0o077]
    # before: ['os.chmod', 'secret_key.tmp', 0o666, 43] (written 0666, then chmodded)
    assert not exposed, exposed
    path = root / "secret_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text() == out["key"]
    assert [p.name for p in root.iterdir()] == ["secret_key"]  # no temporary file left


def test_processes_starting_together_get_one_key(tmp_path: Path) -> None:
    """Eight threads make the key of a new data folder at once: all get the same one (before:
    they shared one temporary name, and a thread whose file had been moved away failed)."""
    start = threading.Barrier(8)
    keys: list[str] = []
    errors: list[BaseException] = []

    def make() -> None:
        start.wait()
        try:
            keys.append(_stored_secret(root))
        except BaseException as exc:
            errors.append(exc)

    for n in range(5):  # a few fresh folders: the race is short
        root = tmp_path / f"data{n}"
        keys.clear()
        threads = [threading.Thread(target=make) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert not errors, errors
        assert len(keys) == 8 and len(set(keys)) == 1, keys
        assert (root / "secret_key").read_text() == keys[0]
        assert sorted(os.listdir(root)) == ["secret_key"]
