"""Messages through the official SDK against the mock: a plain reply, a stream (helper and
raw events), and the async client. The mock answers "Mock reply to: <last user text>"."""

import asyncio
import os

import anthropic

MODEL = "claude-sonnet-4-6"
client = anthropic.Anthropic(base_url=os.environ["ANTHROPIC_BASE_URL"], max_retries=0)

# Not streaming: the JSON message.
message = client.messages.create(
    model=MODEL,
    max_tokens=64,
    system="Be brief.",
    messages=[{"role": "user", "content": "Hello there"}],
)
assert message.type == "message", message
assert message.role == "assistant", message
assert message.model == MODEL, message
assert message.id.startswith("msg_"), message
assert message.stop_reason == "end_turn", message
assert [block.type for block in message.content] == ["text"], message
assert message.content[0].text == "Mock reply to: Hello there", message
assert message.usage.input_tokens > 0 and message.usage.output_tokens > 0, message.usage
assert message._request_id and message._request_id.startswith("req_"), message._request_id

# Streaming, through the SDK's helper: text as it arrives, then the assembled message.
with client.messages.stream(
    model=MODEL,
    max_tokens=64,
    messages=[
        {"role": "user", "content": "First question"},
        {"role": "assistant", "content": "First answer"},
        {"role": "user", "content": [{"type": "text", "text": "Second question"}]},
    ],
) as stream:
    pieces = list(stream.text_stream)
    final = stream.get_final_message()
assert len(pieces) > 1, pieces
assert "".join(pieces) == "Mock reply to: Second question", pieces
assert final.content[0].text == "Mock reply to: Second question", final
assert final.stop_reason == "end_turn", final
assert final.usage.output_tokens > 0, final.usage

# Streaming, as raw events.
events = client.messages.create(
    model=MODEL,
    max_tokens=64,
    messages=[{"role": "user", "content": "Hi"}],
    stream=True,
)
types = [event.type for event in events]
assert types[0] == "message_start", types
assert types[-1] == "message_stop", types
assert "content_block_delta" in types and "message_delta" in types, types

# Thinking: a signed thinking block first, then the text.
thought = client.messages.create(
    model=MODEL,
    max_tokens=2048,
    thinking={"type": "enabled", "budget_tokens": 1024},
    messages=[{"role": "user", "content": "Think"}],
)
assert [block.type for block in thought.content] == ["thinking", "text"], thought
assert thought.content[0].signature, thought


# The async client, streaming.
async def main():
    async_client = anthropic.AsyncAnthropic(
        base_url=os.environ["ANTHROPIC_BASE_URL"], max_retries=0
    )
    async with async_client.messages.stream(
        model=MODEL, max_tokens=64, messages=[{"role": "user", "content": "Async"}]
    ) as stream:
        text = "".join([piece async for piece in stream.text_stream])
    assert text == "Mock reply to: Async", text


asyncio.run(main())
print("messages: ok")
