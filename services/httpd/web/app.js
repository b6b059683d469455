// Runs the matchmaking WebSocket flow from the browser and shows each message.
"use strict";

const log = document.getElementById("log");
const result = document.getElementById("result");

function show(text, cls) {
  const item = document.createElement("li");
  item.textContent = text;
  if (cls) item.className = cls;
  log.appendChild(item);
}

function describe(reply) {
  if (reply === "Acknowledged") return ["Acknowledged", ""];
  const [tag, body] = Object.entries(reply)[0];
  if (tag === "SessionReady") return [`SessionReady: ${body.ip}:${body.port} (token ${body.token.length} chars)`, "ready"];
  if (tag === "Error") return [`Error ${body[0]}: ${body[1]}`, "error"];
  return [`${tag}: ${body}`, ""];
}

document.getElementById("find").addEventListener("submit", (event) => {
  event.preventDefault();
  log.replaceChildren();
  result.textContent = "";
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const socket = new WebSocket(`${scheme}//${location.host}/matchmaker/ws`);
  const request = {
    game: document.getElementById("game").value,
    version: document.getElementById("version").value,
    client_ip: document.getElementById("client-ip").value || null,
  };
  socket.onopen = () => { show(`sent ${JSON.stringify(request)}`); socket.send(JSON.stringify(request)); };
  socket.onmessage = (message) => {
    const [text, cls] = describe(JSON.parse(message.data));
    show(text, cls);
    if (cls) { result.textContent = text; result.className = cls; }
  };
  socket.onclose = (close) => show(`closed (${close.code}${close.reason ? ": " + close.reason : ""})`);
  socket.onerror = () => show("connection error", "error");
});
