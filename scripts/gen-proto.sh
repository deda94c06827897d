#!/usr/bin/env bash
# Regenerates the committed Python stubs of proto/events.proto (`make proto`).
set -euo pipefail
cd "$(dirname "$0")/.."
out=pysrc/coffee/events/proto
python=${PYTHON:-.venv/bin/python}
"$python" -m grpc_tools.protoc -Iproto --python_out="$out" --pyi_out="$out" --grpc_python_out="$out" proto/events.proto
# grpc_tools writes an absolute import of the sibling module; make it package-relative.
sed -i 's/^import events_pb2 as events__pb2/from . import events_pb2 as events__pb2/' "$out/events_pb2_grpc.py"
