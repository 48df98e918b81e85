// Node 18+, no packages; save as comet.mjs and run with COMETAPI_KEY set: node comet.mjs

function textOf(response) {
  // The answer in a response or a stream chunk (thought summaries left out).
  const parts = response.candidates?.[0]?.content?.parts ?? [];
  return parts.filter((part) => !part.thought).map((part) => part.text ?? "").join("");
}

const url = "https://api.cometapi.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse";
const headers = {
  "Content-Type": "application/json",
  Accept: "text/event-stream",
  "x-goog-api-key": process.env.COMETAPI_KEY,
};
const body = {
  contents: [
    { role: "user", parts: [{ text: "Write a haiku about rivers." }] },
  ],
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
