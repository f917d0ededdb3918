"""The official Python SDK against the mock's Models and Files APIs.

Run with ANTHROPIC_BASE_URL (the mock) and ANTHROPIC_API_KEY set; exits non-zero on the
first mismatch.
"""

import io

import anthropic

client = anthropic.Anthropic(max_retries=0)

# Models: one page, the auto-paginating iterator, backwards, one model, a 404.
first = client.models.list(limit=2)
assert len(first.data) == 2 and first.has_more, first
assert first.first_id == first.data[0].id and first.last_id == first.data[1].id
everything = [model.id for model in client.models.list(limit=2)]
assert len(everything) == 5 and everything[:2] == [m.id for m in first.data], everything
assert len(set(everything)) == 5, everything
before = client.models.list(before_id=everything[3], limit=10)
assert [m.id for m in before.data] == everything[:3] and not before.has_more, before
model = client.models.retrieve(everything[0])
assert model.id == everything[0] and model.type == "model" and model.display_name
assert model.created_at.year >= 2025 and model.max_tokens and model.max_input_tokens
try:
    client.models.retrieve("claude-does-not-exist")
    raise AssertionError("a missing model should be a 404")
except anthropic.NotFoundError as err:
    assert err.status_code == 404 and err.request_id

# Files: upload (a tuple and a file object), list, metadata, refer by id, download refusal,
# delete.
text = client.files.upload(file=("notes.txt", b"The sky is green.", "text/plain"))
assert text.type == "file" and text.filename == "notes.txt", text
assert text.size_bytes == 17 and text.mime_type == "text/plain", text
assert text.downloadable is False
pdf = client.beta.files.upload(file=("report.pdf", io.BytesIO(b"%PDF-1.4 fake"), "application/pdf"))
assert pdf.size_bytes == 13 and pdf.mime_type == "application/pdf", pdf
listed = [f.id for f in client.beta.files.list(limit=1)]
assert listed == [pdf.id, text.id], listed
again = client.beta.files.retrieve_metadata(text.id)
assert (again.id, again.filename, again.size_bytes) == (text.id, text.filename, text.size_bytes), again

reply = client.beta.messages.create(
    model="claude-sonnet-4-6",
    max_tokens=64,
    betas=["files-api-2025-04-14"],
    messages=[{"role": "user", "content": [
        {"type": "document", "source": {"type": "file", "file_id": pdf.id}},
        {"type": "text", "text": "Summarise."},
    ]}],
)
assert reply.content[0].type == "text", reply

try:
    client.beta.files.download(text.id)
    raise AssertionError("an uploaded file is not downloadable")
except anthropic.BadRequestError as err:
    assert "not downloadable" in str(err)
try:
    client.files.download("file_missing")
    raise AssertionError("a missing file should be a 404")
except anthropic.NotFoundError:
    pass

deleted = client.beta.files.delete(text.id)
assert deleted.id == text.id and deleted.type == "file_deleted", deleted
try:
    client.beta.files.retrieve_metadata(text.id)
    raise AssertionError("a deleted file should be a 404")
except anthropic.NotFoundError:
    pass
assert [f.id for f in client.beta.files.list()] == [pdf.id]
print("models_files: ok")
