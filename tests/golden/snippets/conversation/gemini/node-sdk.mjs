// npm install @google/genai; save as comet.mjs and run with COMETAPI_KEY set: node comet.mjs
import { GoogleGenAI } from "@google/genai";

const ai = new GoogleGenAI({
  apiKey: process.env.COMETAPI_KEY,
  httpOptions: { baseUrl: "https://api.cometapi.com", apiVersion: "v1beta" },
});

const response = await ai.models.generateContent({
  model: "gemini-2.5-flash",
  contents: [
    { role: "user", parts: [{ text: "My name is Ada." }] },
    { role: "model", parts: [{ text: "Nice to meet you, Ada." }] },
    { role: "user", parts: [{ text: "What is my name?" }] },
  ],
});
console.log(response.text);
