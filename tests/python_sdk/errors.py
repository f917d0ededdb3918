"""Errors through the official SDK against the mock: the SDK's typed exceptions, with the
status, the API's error body and the request id."""

import os

import anthropic

client = anthropic.Anthropic(base_url=os.environ["ANTHROPIC_BASE_URL"], max_retries=0)

# A model the API does not serve: 404 not_found_error, "model: <name>".
try:
    client.messages.create(
        model="claude-nonexistent-model",
        max_tokens=16,
        messages=[{"role": "user", "content": "Hi"}],
    )
    raise SystemExit("an unknown model must fail")
except anthropic.NotFoundError as err:
    assert err.status_code == 404, err
    assert err.body["type"] == "error", err.body
    assert err.body["error"] == {
        "type": "not_found_error",
        "message": "model: claude-nonexistent-model",
    }, err.body
    assert err.request_id and err.request_id.startswith("req_"), err.request_id

# The same for streaming and for token counting.
for call in (
    lambda: client.messages.create(
        model="claude-nonexistent-model",
        max_tokens=16,
        messages=[{"role": "user", "content": "Hi"}],
        stream=True,
    ),
    lambda: client.messages.count_tokens(
        model="claude-nonexistent-model", messages=[{"role": "user", "content": "Hi"}]
    ),
):
    try:
        call()
        raise SystemExit("an unknown model must fail")
    except anthropic.NotFoundError as err:
        assert err.body["error"]["message"] == "model: claude-nonexistent-model", err.body

# A request the API refuses: 400 invalid_request_error.
try:
    client.messages.create(model="claude-sonnet-4-6", max_tokens=16, messages=[])
    raise SystemExit("empty messages must fail")
except anthropic.BadRequestError as err:
    assert err.status_code == 400, err
    assert err.body["error"]["type"] == "invalid_request_error", err.body

print("errors: ok")
