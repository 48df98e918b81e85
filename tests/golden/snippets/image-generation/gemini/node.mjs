// Node 18+, no packages; save as comet.mjs and run with COMETAPI_KEY set: node comet.mjs
import { readFileSync } from "node:fs";

function textOf(response) {
  // The answer in a response or a stream chunk (thought summaries left out).
  const parts = response.candidates?.[0]?.content?.parts ?? [];
  return parts.filter((part) => !part.thought).map((part) => part.text ?? "").join("");
}

const catPngBase64 = readFileSync("cat.png", "base64");
const replyImage1PngBase64 = readFileSync("reply-image-1.png", "base64");
const url = "https://api.cometapi.com/v1beta/models/gemini-3.1-flash-image-preview:generateContent";
const headers = {
  "Content-Type": "application/json",
  "x-goog-api-key": process.env.COMETAPI_KEY,
};
const body = {
  contents: [
    {
      role: "user",
      parts: [
        { text: "A lighthouse in the style of this cat" },
        { inlineData: { mimeType: "image/png", data: catPngBase64 } },
      ],
    },
    {
      role: "model",
      parts: [
        { text: "Here it is." },
        {
          inlineData: { mimeType: "image/png", data: replyImage1PngBase64 },
          thoughtSignature: "c2lnbmF0dXJl",
        },
      ],
    },
    { role: "user", parts: [{ text: "Make the sky purple" }] },
  ],
  generationConfig: {
    responseModalities: ["TEXT", "IMAGE"],
    imageConfig: { aspectRatio: "16:9", imageSize: "2K" },
  },
};

const response = await fetch(url, {
  method: "POST",
  headers,
  body: JSON.stringify(body),
});
if (!response.ok) {
  throw new Error(`HTTP ${response.status}: ${await response.text()}`);
}
console.log(textOf(await response.json()));
