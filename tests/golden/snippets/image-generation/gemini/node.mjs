// Node 18+, no packages; save as comet.mjs and run with COMETAPI_KEY set: node comet.mjs
import { existsSync, readFileSync, writeFileSync } from "node:fs";

function textOf(response) {
  // The answer in a response or a stream chunk (thought summaries left out).
  const parts = response.candidates?.[0]?.content?.parts ?? [];
  return parts.filter((part) => !part.thought).map((part) => part.text ?? "").join("");
}

function freePath(mimeType) {
  // The first of image-1.png, image-2.png, ... not taken yet: no file is written over.
  const extension = mimeType.split("/").pop();
  let n = 1;
  while (existsSync(`image-${n}.${extension}`)) n += 1;
  return `image-${n}.${extension}`;
}

function saveImages(response) {
  // Write the images in a response or a stream chunk as image-1.png, image-2.png, ...
  for (const part of response.candidates?.[0]?.content?.parts ?? []) {
    if (part.inlineData && !part.thought) { // a thought image is a draft
      const path = freePath(part.inlineData.mimeType);
      writeFileSync(path, Buffer.from(part.inlineData.data, "base64"));
      console.error(`saved ${path}`);
    }
  }
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
const reply = await response.json();
saveImages(reply);
console.log(textOf(reply));
