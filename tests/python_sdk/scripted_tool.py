"""Scripting the mock from Python: POST a tool call to /mock/replies, read it back with the
official SDK (plain and streaming), check what the server received with GET /mock/requests,
and let a forced tool be answered from its schema with no script at all.

Runs against any mock server: `tests/programs/python_sdk.rs` starts one and sets ANTHROPIC_BASE_URL;
by hand, `cargo run -p chat-anthropic-mock -- --port 8080` and
`ANTHROPIC_BASE_URL=http://127.0.0.1:8080 ANTHROPIC_API_KEY=any python3 scripted_tool.py`."""

import json
import os
import urllib.error
import urllib.request

import anthropic

BASE_URL = os.environ["ANTHROPIC_BASE_URL"].rstrip("/")
MODEL = "claude-sonnet-4-6"
client = anthropic.Anthropic(base_url=BASE_URL, max_retries=0)

WEATHER = {
    "name": "get_weather",
    "description": "The weather in a city",
    "input_schema": {
        "type": "object",
        "properties": {
            "city": {"type": "string"},
            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
        },
        "required": ["city", "unit"],
    },
}


def admin(method, path, body=None):
    """A request to the mock's admin endpoints: the JSON answer, or (status, JSON) on error."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(BASE_URL + path, data=data, method=method)
    request.add_header("content-type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


admin("DELETE", "/mock/requests")

# Script two replies: the same tool call, for a plain request and a streamed one.
call = {
    "content": [
        {"type": "text", "text": "Let me check."},
        {
            "type": "tool_use",
            "id": "toolu_scripted_1",
            "name": "get_weather",
            "input": {"city": "Paris", "unit": "celsius"},
        },
    ]
}
queued = admin("POST", "/mock/replies", [call, call])
assert queued["queued"] == 2, queued

message = client.messages.create(
    model=MODEL,
    max_tokens=256,
    tools=[WEATHER],
    messages=[{"role": "user", "content": "Weather in Paris?"}],
)
assert message.stop_reason == "tool_use", message
assert [block.type for block in message.content] == ["text", "tool_use"], message
tool_use = message.content[1]
assert tool_use.id == "toolu_scripted_1", tool_use
assert tool_use.name == "get_weather", tool_use
assert tool_use.input == {"city": "Paris", "unit": "celsius"}, tool_use

# Streaming: the input arrives as input_json_delta pieces; the SDK assembles them.
with client.messages.stream(
    model=MODEL,
    max_tokens=256,
    tools=[WEATHER],
    messages=[{"role": "user", "content": "Weather in Paris?"}],
) as stream:
    partial = [
        event.delta.partial_json
        for event in stream
        if event.type == "content_block_delta" and event.delta.type == "input_json_delta"
    ]
    final = stream.get_final_message()
assert len(partial) > 1, partial
assert json.loads("".join(partial)) == {"city": "Paris", "unit": "celsius"}, partial
assert final.content[1].input == {"city": "Paris", "unit": "celsius"}, final
assert final.stop_reason == "tool_use", final

# A reply kept for the request that mentions it, and an error, scripted as JSONL would be.
admin("POST", "/mock/replies", {"match": "Oslo", "text": "Snowing in Oslo."})
admin("POST", "/mock/replies", {"error": {"status": 529, "type": "overloaded_error"}})
try:
    client.messages.create(
        model=MODEL, max_tokens=64, messages=[{"role": "user", "content": "Hi"}]
    )
    raise AssertionError("the scripted 529 was not raised")
except anthropic.APIStatusError as error:
    assert error.status_code == 529, error
oslo = client.messages.create(
    model=MODEL, max_tokens=64, messages=[{"role": "user", "content": "And in Oslo?"}]
)
assert oslo.content[0].text == "Snowing in Oslo.", oslo

# A bad script is refused with the API's error shape.
status, error = admin("POST", "/mock/replies", {"txt": "typo"})
assert status == 400 and error["error"]["type"] == "invalid_request_error", error

# With nothing scripted, a forced tool is called with an input made from its schema.
forced = client.messages.create(
    model=MODEL,
    max_tokens=256,
    tools=[WEATHER],
    tool_choice={"type": "tool", "name": "get_weather"},
    messages=[{"role": "user", "content": "Weather in Rome?"}],
)
assert forced.stop_reason == "tool_use", forced
assert forced.content[0].type == "tool_use" and forced.content[0].id.startswith("toolu_")
assert forced.content[0].input["unit"] in ("celsius", "fahrenheit"), forced
assert isinstance(forced.content[0].input["city"], str), forced

# What the server received (the admin requests are not in it).
received = admin("GET", "/mock/requests")["data"]
assert [request["path"] for request in received] == ["/v1/messages"] * 5, received
assert received[0]["body"]["tools"][0]["name"] == "get_weather", received[0]
assert received[1]["body"]["stream"] is True, received[1]
print("scripted_tool: ok")
