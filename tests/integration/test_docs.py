"""Generated documentation stays in step with its source."""
import os
import subprocess
import tempfile

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")


def test_syscalls_md_matches_syscalls_def(ctx):
    with tempfile.TemporaryDirectory() as tmp:
        generated = os.path.join(tmp, "syscalls.md")
        subprocess.run(["python3", os.path.join(ROOT, "guest/kernel/syscalls/gen_docs.py"),
                        os.path.join(ROOT, "guest/kernel/syscalls/syscalls.def"), generated], check=True)
        committed = open(os.path.join(ROOT, "docs/syscalls.md")).read()
        assert open(generated).read() == committed, \
            "docs/syscalls.md is out of date: regenerate it with guest/kernel/syscalls/gen_docs.py"
