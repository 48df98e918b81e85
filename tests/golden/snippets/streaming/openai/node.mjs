// Node 18+, no packages; save as comet.mjs and run with COMETAPI_KEY set: node comet.mjs

function textOf(chunk) {
  return chunk.choices?.[0]?.delta?.content ?? "";
}

const url = "https://api.cometapi.com/v1/chat/completions";
const headers = {
  "Content-Type": "application/json",
  Accept: "text/event-stream",
  Authorization: `Bearer ${process.env.COMETAPI_KEY}`,
};
const body = {
  messages: [{ role: "user", content: "Write a haiku about rivers." }],
  stream_options: { include_usage: true },
  model: "gemini-2.5-flash",
  stream: true,
};

const response = await fetch(url, {
  method: "POST",
  headers,
  body: JSON.stringify(body),
});
if (!response.ok) {
  throw new Error(`HTTP ${response.status}: ${await response.text()}`);
}
const decoder = new TextDecoder();
let buffer = "";
for await (const bytes of response.body) {
  buffer += decoder.decode(bytes, { stream: true });
  const lines = buffer.split("\n");
  buffer = lines.pop();
  for (const line of lines) {
    const data = line.startsWith("data:") ? line.slice(5).trim() : "";
    if (data && data !== "[DONE]") {
      process.stdout.write(textOf(JSON.parse(data)));
    }
  }
}
process.stdout.write("\n");
