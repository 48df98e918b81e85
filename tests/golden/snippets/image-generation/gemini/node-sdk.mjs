// npm install @google/genai; save as comet.mjs and run with COMETAPI_KEY set: node comet.mjs
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { GoogleGenAI } from "@google/genai";

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

const ai = new GoogleGenAI({
  apiKey: process.env.COMETAPI_KEY,
  httpOptions: { baseUrl: "https://api.cometapi.com", apiVersion: "v1beta" },
});

const catPngBase64 = readFileSync("cat.png", "base64");
const replyImage1PngBase64 = readFileSync("reply-image-1.png", "base64");
const response = await ai.models.generateContent({
  model: "gemini-3.1-flash-image-preview",
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
  config: {
    responseModalities: ["TEXT", "IMAGE"],
    imageConfig: { aspectRatio: "16:9", imageSize: "2K" },
  },
});
saveImages(response);
console.log(response.text);
