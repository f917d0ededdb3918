"""The Message Batches API of the mock, driven by the official `anthropic` SDK.

Run with ANTHROPIC_BASE_URL pointing at the mock server and any ANTHROPIC_API_KEY; exits
non-zero on the first failed check.
"""

import os
import sys
import time

import anthropic


def wait_until_ended(client, batch_id, deadline_s=30.0):
    start = time.monotonic()
    while True:
        batch = client.messages.batches.retrieve(batch_id)
        if batch.processing_status == "ended":
            return batch
        if time.monotonic() - start > deadline_s:
            raise AssertionError(f"batch {batch_id} still {batch.processing_status}")
        time.sleep(0.02)


def params(text, **extra):
    return {
        "model": "claude-sonnet-4-6",
        "max_tokens": 64,
        "messages": [{"role": "user", "content": text}],
        **extra,
    }


def main():
    client = anthropic.Anthropic(
        base_url=os.environ["ANTHROPIC_BASE_URL"],
        api_key=os.environ.get("ANTHROPIC_API_KEY", "test-key"),
        max_retries=0,
    )
    batches = client.messages.batches

    # create → in_progress (or already ended if the mock is fast), typed by the SDK
    batch = batches.create(
        requests=[
            {"custom_id": "hello", "params": params("Hello")},
            {"custom_id": "bad", "params": params("Hi", max_tokens=-1)},
        ]
    )
    assert batch.type == "message_batch", batch
    assert batch.id.startswith("msgbatch_"), batch.id
    assert batch.processing_status in ("in_progress", "ended"), batch.processing_status
    assert batch.request_counts.processing + batch.request_counts.succeeded + batch.request_counts.errored == 2

    # retrieve until ended; counts and results_url
    ended = wait_until_ended(client, batch.id)
    assert ended.request_counts.succeeded == 1, ended.request_counts
    assert ended.request_counts.errored == 1, ended.request_counts
    assert ended.ended_at is not None and ended.results_url, ended

    # results: the SDK's own JSONL decoder, typed results
    results = {r.custom_id: r.result for r in batches.results(batch.id)}
    assert set(results) == {"hello", "bad"}, results
    assert results["hello"].type == "succeeded", results["hello"]
    assert results["hello"].message.content[0].text == "Mock reply to: Hello", results["hello"]
    assert results["bad"].type == "errored", results["bad"]
    assert results["bad"].error.error.type == "invalid_request_error", results["bad"]

    # cancel: a second batch, canceled (the mock may have ended it already when fast)
    second = batches.create(requests=[{"custom_id": "c1", "params": params("One")}])
    canceled = batches.cancel(second.id)
    assert canceled.processing_status in ("canceling", "ended"), canceled
    second_ended = wait_until_ended(client, second.id)
    counts = second_ended.request_counts
    assert counts.canceled + counts.succeeded == 1, counts

    # list: auto-pagination over pages of one, newest first
    listed = [b.id for b in batches.list(limit=1)]
    assert listed[:2] == [second.id, batch.id], listed

    # delete an ended batch; then it is gone (404 typed by the SDK)
    deleted = batches.delete(batch.id)
    assert deleted.type == "message_batch_deleted" and deleted.id == batch.id, deleted
    try:
        batches.retrieve(batch.id)
    except anthropic.NotFoundError:
        pass
    else:
        raise AssertionError("a deleted batch was still found")

    # the API's validation: duplicate custom_id → 400
    try:
        batches.create(
            requests=[
                {"custom_id": "dup", "params": params("a")},
                {"custom_id": "dup", "params": params("b")},
            ]
        )
    except anthropic.BadRequestError as err:
        assert "custom_id" in str(err), err
    else:
        raise AssertionError("a duplicate custom_id was accepted")

    print("batches: ok")


if __name__ == "__main__":
    try:
        main()
    except Exception as err:  # noqa: BLE001 - any failure fails the harness
        print(f"batches: FAILED: {err!r}", file=sys.stderr)
        raise
