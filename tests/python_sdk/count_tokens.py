"""Token counting through the official SDK against the mock."""

import os

import anthropic

client = anthropic.Anthropic(base_url=os.environ["ANTHROPIC_BASE_URL"], max_retries=0)


def count(text, **extra):
    return client.messages.count_tokens(
        model="claude-sonnet-4-6",
        messages=[{"role": "user", "content": text}],
        **extra,
    ).input_tokens


short = count("Hello")
long = count("Hello " * 400)
assert short > 0, short
assert long > short * 10, (short, long)
with_system = count("Hello", system="You are a careful assistant. " * 20)
assert with_system > short, (short, with_system)
tool = {
    "name": "get_weather",
    "description": "The weather in a city.",
    "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}},
}
assert count("Hello", tools=[tool]) > short
print("count_tokens: ok")
