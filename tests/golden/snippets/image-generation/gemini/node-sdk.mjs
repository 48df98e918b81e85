// npm install @google/genai; save as comet.mjs and run with COMETAPI_KEY set: node comet.mjs
import { readFileSync } from "node:fs";
import { GoogleGenAI } from "@google/genai";

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
console.log(response.text);
