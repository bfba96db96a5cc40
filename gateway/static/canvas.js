// The canvas viewer: a replica of one canvas's state, kept by applying its canvas_commit events
// (RFC 6902) in revision order, resynced from a snapshot when it falls behind retention, with
// the tool buttons CANVAS_READY (and GET .../state) list for this viewer.
//
// Open /ui/canvas.html?canvas=/v1/<tenant>/<mode>/<project>/<surface>/<app>/canvases/<id>
// Authentication: the atoms_gateway_token cookie (EventSource cannot send headers), or a
// loopback gateway without token verification.

const CANVAS_PATH = /^\/v1(\/[A-Za-z0-9][A-Za-z0-9._-]{0,127}){5}\/canvases\/[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const MAX_LOG = 50;

const view = {
  type: document.getElementById("canvas-type"),
  revision: document.getElementById("revision"),
  status: document.getElementById("status"),
  tools: document.getElementById("tools"),
  panel: document.getElementById("panel"),
  state: document.getElementById("state"),
  log: document.getElementById("log"),
};

const replica = { canvasType: null, revision: null, state: null };
let source = null;

function setStatus(text, state) {
  view.status.textContent = text;
  view.status.dataset.state = state;
}

// --- RFC 6902 on the replica (the gateway validated every operation before committing) ---

function parsePointer(pointer) {
  if (pointer === "") return [];
  return pointer.slice(1).split("/").map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function parentOf(doc, parts) {
  let node = doc;
  for (const part of parts.slice(0, -1)) node = Array.isArray(node) ? node[Number(part)] : node[part];
  return node;
}

function getAt(doc, pointer) {
  let node = doc;
  for (const part of parsePointer(pointer)) node = Array.isArray(node) ? node[Number(part)] : node[part];
  return node;
}

function addAt(doc, pointer, value) {
  const parts = parsePointer(pointer);
  if (parts.length === 0) return value;
  const parent = parentOf(doc, parts);
  const last = parts[parts.length - 1];
  if (Array.isArray(parent)) parent.splice(last === "-" ? parent.length : Number(last), 0, value);
  else parent[last] = value;
  return doc;
}

function removeAt(doc, pointer) {
  const parts = parsePointer(pointer);
  const parent = parentOf(doc, parts);
  const last = parts[parts.length - 1];
  if (Array.isArray(parent)) parent.splice(Number(last), 1);
  else delete parent[last];
  return doc;
}

function applyOps(doc, ops) {
  for (const op of ops) {
    const value = "value" in op ? structuredClone(op.value) : undefined;
    if (op.op === "add") doc = addAt(doc, op.path, value);
    else if (op.op === "remove") doc = removeAt(doc, op.path);
    else if (op.op === "replace") doc = op.path === "" ? value : addAt(removeAt(doc, op.path), op.path, value);
    else if (op.op === "move") {
      const moved = getAt(doc, op.from);
      doc = addAt(removeAt(doc, op.from), op.path, moved);
    } else if (op.op === "copy") doc = addAt(doc, op.path, structuredClone(getAt(doc, op.from)));
    // "test" changes nothing: the gateway already checked it.
  }
  return doc;
}

// --- rendering (text only: nothing from the stream becomes markup) ---

function render() {
  view.type.textContent = replica.canvasType ?? "–";
  view.revision.textContent = replica.revision ?? "–";
  view.state.textContent = JSON.stringify(replica.state, null, 2);
  document.body.dataset.revision = String(replica.revision ?? "");
}

function logLine(text) {
  const item = document.createElement("li");
  item.textContent = text;
  view.log.prepend(item);
  while (view.log.children.length > MAX_LOG) view.log.lastChild.remove();
}

function showPanel(tool) {
  view.panel.hidden = false;
  view.panel.replaceChildren();
  const title = document.createElement("strong");
  title.textContent = `${tool.label} → ${tool.muscle}.${tool.tool}`;
  const fields = document.createElement("ul");
  for (const [name, spec] of Object.entries(tool.input_schema?.properties ?? {})) {
    const item = document.createElement("li");
    item.textContent = `${name}: ${spec.type ?? spec.$ref ?? "value"}`;
    fields.append(item);
  }
  view.panel.append(title, fields);
}

async function sendCommand(tool, args) {
  const response = await fetch(`${canvasPath}/commands`, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ idempotency_key: crypto.randomUUID(), name: tool.command, args }),
  });
  logLine(`${tool.command}: ${response.status}`);
}

function renderTools(tools) {
  view.tools.replaceChildren();
  for (const tool of tools) {
    const control = document.createElement("button");
    control.type = "button";
    control.dataset.tool = tool.id;
    control.dataset.kind = tool.type;
    control.textContent = tool.label;
    const kind = document.createElement("span");
    kind.className = "kind";
    kind.textContent = tool.type;
    control.append(kind);
    if (tool.type === "toggle") {
      control.setAttribute("aria-pressed", "false");
      control.addEventListener("click", () =>
        control.setAttribute("aria-pressed", String(control.getAttribute("aria-pressed") !== "true")));
    } else if (tool.type === "trigger") {
      control.addEventListener("click", () => sendCommand(tool, {}));
    } else {
      control.addEventListener("click", () => showPanel(tool));
    }
    view.tools.append(control);
  }
}

// --- the replica ---

async function loadState() {
  const response = await fetch(`${canvasPath}/state`, { credentials: "same-origin" });
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    throw new Error(body?.error?.code ?? `HTTP ${response.status}`);
  }
  const body = await response.json();
  Object.assign(replica, { canvasType: body.canvas_type, revision: body.revision, state: body.state });
  renderTools(body.tools);
  render();
  return body.seq;
}

async function resync() {
  if (source) source.close();
  try {
    connect(await loadState());
  } catch (error) {
    setStatus(`error: ${error.message}`, "error");
  }
}

function onCommit(event) {
  const body = JSON.parse(event.data).data;
  if (body.revision <= replica.revision) return; // already applied
  if (body.revision !== replica.revision + 1) {
    resync();
    return;
  }
  replica.state = applyOps(replica.state, body.ops);
  replica.revision = body.revision;
  render();
  logLine(`r${body.revision} ${body.patch}: ${body.ops.map((op) => `${op.op} ${op.path}`).join(", ")}`);
}

async function onResync(event) {
  const snapshot = JSON.parse(event.data).snapshot;
  if (!snapshot) {
    resync();
    return;
  }
  let state = snapshot.state;
  if (state === undefined) {
    const response = await fetch(snapshot.href, { credentials: "same-origin" });
    state = (await response.json()).state;
  }
  Object.assign(replica, { canvasType: snapshot.canvas_type, revision: snapshot.revision, state });
  render();
  logLine(`resynced from the snapshot at r${snapshot.revision}`);
}

function connect(seq) {
  source = new EventSource(`${canvasPath}/events?last_event_id=${encodeURIComponent(seq)}`, {
    withCredentials: true,
  });
  source.addEventListener("open", () => setStatus("live", "live"));
  source.addEventListener("error", () => setStatus("reconnecting", "connecting"));
  source.addEventListener("canvas_commit", onCommit);
  source.addEventListener("resync_required", onResync);
  source.addEventListener("CANVAS_READY", (event) => {
    const body = JSON.parse(event.data).data;
    replica.canvasType = body.canvas_type;
    renderTools(body.tools ?? []);
    render();
  });
  source.addEventListener("token_expired", () => {
    source.close();
    setStatus("signed out: reload with a fresh token", "error");
  });
}

const canvasPath = new URLSearchParams(location.search).get("canvas") ?? "";
if (!CANVAS_PATH.test(canvasPath)) {
  setStatus("open this page with ?canvas=/v1/<tenant>/<mode>/<project>/<surface>/<app>/canvases/<id>", "error");
} else {
  document.getElementById("title").textContent = canvasPath.split("/").pop();
  resync();
}
