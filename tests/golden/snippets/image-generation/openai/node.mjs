// Node 18+, no packages; save as comet.mjs and run with COMETAPI_KEY set: node comet.mjs
import { readFileSync } from "node:fs";

const catPngBase64 = readFileSync("cat.png", "base64");
const url = "https://api.cometapi.com/v1/chat/completions";
const headers = {
  "Content-Type": "application/json",
  Authorization: `Bearer ${process.env.COMETAPI_KEY}`,
};
const body = {
  messages: [
    {
      role: "user",
      content: [
        { type: "text", text: "A lighthouse in the style of this cat" },
        {
          type: "image_url",
          image_url: { url: "data:image/png;base64," + catPngBase64 },
        },
      ],
    },
    { role: "assistant", content: "Here it is." },
    { role: "user", content: "Make the sky purple" },
  ],
  model: "gemini-3.1-flash-image-preview",
};

const response = await fetch(url, {
  method: "POST",
  headers,
  body: JSON.stringify(body),
});
if (!response.ok) {
  throw new Error(`HTTP ${response.status}: ${await response.text()}`);
}
const data = await response.json();
console.log(data.choices[0].message.content);
