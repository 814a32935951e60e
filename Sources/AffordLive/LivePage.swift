/// The live page at `/`: static HTML and JavaScript, no build step, no external assets. It speaks
/// the same Foxglove WebSocket protocol as Foxglove itself, on the page's own host and port.
enum LivePage {
    static let html = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>affordd live</title>
<style>
body { font: 14px system-ui, sans-serif; margin: 16px; background: #111; color: #ddd; }
select, label { margin-right: 12px; }
#view { display: flex; gap: 16px; align-items: flex-start; margin-top: 12px; }
canvas { background: #000; max-width: 100%; }
.bar { display: flex; align-items: center; gap: 6px; margin: 2px 0; }
.bar span { width: 90px; } .bar div { height: 10px; background: #e69f00; }
#stats { margin-top: 8px; color: #aaa; }
</style>
</head>
<body>
<label>camera <select id="camera"></select></label>
<label>action <select id="action"></select></label>
<label>opacity <input id="alpha" type="range" min="0" max="1" step="0.05" value="0.55"></label>
<span id="conn">connecting…</span>
<div id="view"><canvas id="frame" width="640" height="480"></canvas><div><b>presence</b><div id="presence"></div>
<div id="stats"></div></div></div>
<script>
"use strict";
const $ = id => document.getElementById(id);
const channels = new Map();           // id -> channel
const subs = new Map();               // subscription id -> topic kind
let nextSub = 1, ws, image = null, heat = null, marks = [], shown = {};
const heatCanvas = document.createElement("canvas");

function kind(topic) { const m = topic.match(/^\/affordd\/([^/]+)\/(image|heatmap\/(.+)|annotations|presence|status)$/); return m && { camera: m[1], what: m[3] ? "heatmap" : m[2], action: m[3] }; }
function option(select, value) { if (![...select.options].some(o => o.value === value)) select.add(new Option(value, value)); }

function resubscribe() {
  if (!ws || ws.readyState !== 1) return;
  if (subs.size) ws.send(JSON.stringify({ op: "unsubscribe", subscriptionIds: [...subs.keys()] }));
  subs.clear(); image = heat = null; marks = [];
  const camera = $("camera").value, action = $("action").value, wanted = [];
  for (const [id, ch] of channels) {
    const k = kind(ch.topic);
    if (!k || k.camera !== camera || (k.what === "heatmap" && k.action !== action)) continue;
    subs.set(nextSub, k); wanted.push({ id: nextSub++, channelId: id });
  }
  ws.send(JSON.stringify({ op: "subscribe", subscriptions: wanted }));
}

function onAdvertise(list) {
  for (const ch of list) {
    channels.set(ch.id, ch);
    const k = kind(ch.topic); if (!k) continue;
    option($("camera"), k.camera);
    if (k.what === "heatmap" && k.camera === $("camera").value) option($("action"), k.action);
  }
  resubscribe();
}

function draw() {
  const c = $("frame"), g = c.getContext("2d");
  if (image) { if (c.width !== image.naturalWidth) { c.width = image.naturalWidth; c.height = image.naturalHeight; } g.drawImage(image, 0, 0); }
  else { g.fillStyle = "#000"; g.fillRect(0, 0, c.width, c.height); }
  if (heat) { g.globalAlpha = +$("alpha").value; g.drawImage(heatCanvas, 0, 0, c.width, c.height); g.globalAlpha = 1; }
  g.lineWidth = 2;
  for (const m of marks) {
    g.strokeStyle = g.fillStyle = m.color;
    g.beginPath(); g.arc(m.x, m.y, 6, 0, 2 * Math.PI); g.stroke();
    if (m.text) g.fillText(m.text, m.x + 8, m.y - 8);
  }
}

function colour(v) { // dark blue -> red -> yellow, alpha rising with the value
  return [Math.min(255, 3 * v), Math.max(0, Math.min(255, 3 * v - 255)), Math.max(0, 160 - 2 * v), Math.min(255, 40 + v)];
}

function onMessage(k, body) {
  if (k.what === "image") { const img = new Image(); img.onload = () => { image = img; draw(); }; img.src = "data:image/jpeg;base64," + body.data; }
  else if (k.what === "heatmap") {
    const raw = atob(body.data), w = body.width, h = body.height;
    heatCanvas.width = w; heatCanvas.height = h;
    const g = heatCanvas.getContext("2d"), px = g.createImageData(w, h);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) { const c = colour(raw.charCodeAt(y * body.step + x)); px.data.set(c, 4 * (y * w + x)); }
    g.putImageData(px, 0, 0); heat = true; draw();
  } else if (k.what === "annotations") {
    marks = body.circles.map((c, i) => ({ x: c.position.x, y: c.position.y, text: body.texts[i] && body.texts[i].text,
      color: `rgb(${255 * c.outline_color.r},${255 * c.outline_color.g},${255 * c.outline_color.b})` })); draw();
  } else if (k.what === "presence") {
    $("presence").innerHTML = body.actions.map(a => `<div class="bar"><span>${a.action}</span><div style="width:${
      Math.round(100 * (a.presence ?? 0))}px"></div>${a.presence == null ? "n/a" : a.presence.toFixed(2)}</div>`).join("");
  } else if (k.what === "status") {
    const t = body.latency && body.latency.total;
    $("stats").textContent = `${body.state} · ${(body.fps ?? 0).toFixed(1)} fps · p50 ${t && t.p50_ms != null ? t.p50_ms.toFixed(0) : "–"} ms · p99 ${
      t && t.p99_ms != null ? t.p99_ms.toFixed(0) : "–"} ms · ${body.frames_dropped ?? 0} dropped`;
  }
}

function connect() {
  ws = new WebSocket(`ws://${location.host}/`, ["foxglove.websocket.v1"]);
  ws.binaryType = "arraybuffer";
  ws.onopen = () => { $("conn").textContent = "live"; };
  ws.onclose = () => { $("conn").textContent = "disconnected, retrying…"; subs.clear(); setTimeout(connect, 1000); };
  ws.onmessage = event => {
    if (typeof event.data === "string") {
      const msg = JSON.parse(event.data);
      if (msg.op === "advertise") onAdvertise(msg.channels);
      return;
    }
    const view = new DataView(event.data);
    if (view.getUint8(0) !== 1) return;
    const k = subs.get(view.getUint32(1, true));
    if (k) onMessage(k, JSON.parse(new TextDecoder().decode(new Uint8Array(event.data, 13))));
  };
}
$("camera").onchange = () => { $("action").innerHTML = ""; for (const ch of channels.values()) { const k = kind(ch.topic); if (k && k.what === "heatmap" && k.camera === $("camera").value) option($("action"), k.action); } resubscribe(); };
$("action").onchange = resubscribe;
$("alpha").oninput = draw;
connect();
</script>
</body>
</html>
"""#
}
