"""The committed gRPC stubs match proto/events.proto (run `make proto` when this fails)."""

from __future__ import annotations

import pathlib
import shutil
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
STUBS = ROOT / "pysrc/coffee/events/proto"


def test_generated_stubs_are_fresh(tmp_path):
    work = tmp_path / "repo"
    (work / "pysrc/coffee/events/proto").mkdir(parents=True)
    shutil.copytree(ROOT / "proto", work / "proto")
    (work / "scripts").mkdir()
    shutil.copy(ROOT / "scripts/gen-proto.sh", work / "scripts/gen-proto.sh")
    subprocess.run(
        ["bash", "scripts/gen-proto.sh"],
        cwd=work,
        check=True,
        env={"PYTHON": sys.executable, "PATH": "/usr/bin:/bin"},
    )
    for name in ("events_pb2.py", "events_pb2.pyi", "events_pb2_grpc.py"):
        fresh = (work / "pysrc/coffee/events/proto" / name).read_text()
        assert fresh == (STUBS / name).read_text(), f"{name} is stale: run `make proto`"
