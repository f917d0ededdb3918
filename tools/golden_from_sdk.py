#!/usr/bin/env python3
"""Golden messages for the recorded fixtures, built by Anthropic's official Python SDK.

usage: pip install anthropic && python3 tools/golden_from_sdk.py FIXTURE_DIR OUT_DIR

For every `*.sse` in FIXTURE_DIR, decodes the stream with the SDK's own SSE decoder, folds the
events with the SDK's own `accumulate_event` (what `client.messages.stream(...)` uses), and
writes the final message as JSON to OUT_DIR/<name>.json. The tests compare our assembled
messages with these files, so the oracle is the official SDK, not our code. Rerun when
fixtures change; the SDK version used is recorded in OUT_DIR/SDK_VERSION.
"""
import json, pathlib, sys

import anthropic
from anthropic._streaming import SSEDecoder
from anthropic.lib.streaming._messages import accumulate_event


def assemble(raw: bytes):
    snapshot, bufs = None, {}
    for sse in SSEDecoder().iter_bytes(iter([raw])):
        if sse.event in ("ping",) or not sse.data:
            continue
        event = json.loads(sse.data)
        if event.get("type") == "error":
            raise RuntimeError(event)
        snapshot = accumulate_event(event=event, current_snapshot=snapshot, json_bufs=bufs)
    return snapshot.to_dict(mode="json")


def main(src: str, out: str) -> None:
    out_dir = pathlib.Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    for path in sorted(pathlib.Path(src).glob("*.sse")):
        message = assemble(path.read_bytes())
        (out_dir / f"{path.stem}.json").write_text(json.dumps(message, indent=2, ensure_ascii=False) + "\n")
    (out_dir / "SDK_VERSION").write_text(f"anthropic (Python) {anthropic.__version__}\n")


if __name__ == "__main__":
    main(*sys.argv[1:3])
