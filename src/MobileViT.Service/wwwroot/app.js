// The web page's behaviour: classify a chosen, dropped or pasted image with the selected model (one request returns
// the predictions and the crop the model saw), and poll /v1/stats for the live panel. Talks only to this origin.
"use strict";

const STATS_INTERVAL_MS = 1500;
// The key the user typed, for this tab only; sent as "Authorization: Bearer" on every API call.
const API_KEY_STORAGE = "mobilevit.apiKey";
const QUEUE_HISTORY_POINTS = 60;

const $ = (id) => document.getElementById(id);
const models = new Map();           // name -> entry of GET /v1/models
const queueHistory = new Map();     // name -> queue depths seen by the last polls, oldest first
let originalUrl = null;
// The model list being fetched: an image chosen before it arrives waits for it instead of naming the placeholder.
let modelsLoaded = Promise.resolve();

document.addEventListener("DOMContentLoaded", () => {
  wireApiKey();
  wireInput();
  modelsLoaded = loadModels();
  pollStats();
});

function withApiKey(headers) {
  const key = sessionStorage.getItem(API_KEY_STORAGE);
  return key ? { ...headers, Authorization: `Bearer ${key}` } : headers;
}

function wireApiKey() {
  const input = $("api-key-input");
  input.value = sessionStorage.getItem(API_KEY_STORAGE) || "";
  input.addEventListener("change", () => {
    const key = input.value.trim();
    if (key) sessionStorage.setItem(API_KEY_STORAGE, key); else sessionStorage.removeItem(API_KEY_STORAGE);
    hideError();
    modelsLoaded = loadModels();
  });
}

function wireInput() {
  const input = $("file-input");
  const zone = $("drop-zone");
  $("choose-button").addEventListener("click", () => input.click());
  input.addEventListener("change", () => {
    if (input.files && input.files[0]) classify(input.files[0]);
  });
  zone.addEventListener("dragover", (event) => {
    event.preventDefault();
    zone.classList.add("dragging");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("dragging"));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("dragging");
    const file = event.dataTransfer && event.dataTransfer.files[0];
    if (file) classify(file);
  });
  document.addEventListener("paste", (event) => {
    const items = event.clipboardData ? Array.from(event.clipboardData.items) : [];
    const item = items.find((i) => i.kind === "file");
    if (item) {
      event.preventDefault();
      classify(item.getAsFile());
    }
  });
  $("model-select").addEventListener("change", () => showModelFacts());
}

async function loadModels() {
  const select = $("model-select");
  try {
    const response = await fetch("/v1/models", { headers: withApiKey({ Accept: "application/json" }) });
    if (!response.ok) throw await problemOf(response);
    const list = await response.json();
    select.replaceChildren();
    for (const model of list.models) {
      models.set(model.name, model);
      const option = document.createElement("option");
      option.value = model.name;
      option.textContent = model.synthetic ? `${model.name} (synthetic)` : model.name;
      option.selected = model.name === list.defaultModel;
      select.append(option);
    }
    select.disabled = false;
    showModelFacts();
  } catch (problem) {
    showError(problem);
  }
}

/** The chosen model's name, or null while no model list has been loaded. */
function selectedModel() {
  const name = $("model-select").value;
  return models.has(name) ? name : null;
}

// The facts shown for the selected model, from its one description (GET /v1/models); the live panel shows traffic.
function showModelFacts() {
  const name = selectedModel();
  const model = models.get(name);
  if (!model) return;
  $("synthetic-warning").hidden = model.synthetic !== true;
  $("synthetic-model-name").textContent = `Model “${name}”`;
  $("fact-provider").textContent = model.executionProvider || "not loaded";
  $("fact-instances").textContent = model.instances != null ? String(model.instances) : "–";
  $("fact-preprocessing").textContent = model.preprocessing ? describePreprocessing(model.preprocessing) : "–";
  $("fact-state").textContent = model.state;
  $("fact-version").textContent = model.version != null ? `${model.version} (${model.versionPolicy})` : "–";
  const topK = $("topk-input");
  if (model.labelCount) topK.max = String(model.labelCount);
}

function describePreprocessing(p) {
  const resize = p.shortestEdge ? `resize ${p.shortestEdge}, ` : "";
  return `${resize}crop ${p.cropWidth}×${p.cropHeight}, ${p.channelOrder}, on ${p.placement} threads`;
}

async function classify(file) {
  await modelsLoaded;
  const model = selectedModel();
  if (!model) {
    showError({ title: "No model to classify with", detail: "The list of models could not be loaded; see the message above, or reload the page." });
    return;
  }
  const topK = Number.parseInt($("topk-input").value, 10) || 5;
  const zone = $("drop-zone");
  zone.setAttribute("aria-busy", "true");
  hideError();
  // Anything that is not declared an image goes as raw bytes, so the server says what is wrong with the content.
  const contentType = file.type && file.type.startsWith("image/") ? file.type : "application/octet-stream";
  const path = `/v1/models/${encodeURIComponent(model)}/classify?topK=${topK}&include=crop`;
  const started = performance.now();
  try {
    // One request: the predictions and the crop the model was given for them.
    const classified = await fetch(path, { method: "POST", body: file, headers: withApiKey({ "Content-Type": contentType }) });
    const roundTrip = performance.now() - started;
    if (!classified.ok) throw await problemOf(classified);
    const result = await classified.json();
    showResult(file, result, classified.headers, roundTrip);
  } catch (problem) {
    $("result").hidden = true;
    showError(problem);
  } finally {
    zone.removeAttribute("aria-busy");
    $("file-input").value = "";
  }
}

function showResult(file, result, headers, roundTrip) {
  if (originalUrl) URL.revokeObjectURL(originalUrl);
  originalUrl = URL.createObjectURL(file);
  $("original-image").src = originalUrl;
  const crop = result.crop;
  const cropImage = $("crop-image");
  if (crop) cropImage.src = `data:${crop.mediaType};base64,${crop.data}`; else cropImage.removeAttribute("src");
  const size = crop ? `${crop.width}×${crop.height}` : "";
  $("crop-caption").textContent = `What the model saw${size ? ` (${size} centre crop)` : ""}`;

  $("result-model").textContent = `· ${result.model} version ${result.version}${result.synthetic ? " (synthetic: meaningless)" : ""}`;
  if (result.synthetic) $("synthetic-warning").hidden = false;
  const list = $("predictions");
  list.replaceChildren(...result.predictions.map(predictionItem));

  $("timing-queue").textContent = ms(headers.get("x-queue-time-ms"));
  $("timing-preprocess").textContent = ms(headers.get("x-preprocess-time-ms"));
  $("timing-inference").textContent = ms(headers.get("x-inference-time-ms"));
  $("timing-batch").textContent = headers.get("x-batch-size") || "–";
  $("timing-roundtrip").textContent = ms(String(roundTrip));
  $("result").hidden = false;
}

function predictionItem(prediction) {
  const item = document.createElement("li");
  item.className = "prediction";
  item.dataset.label = prediction.label;
  item.dataset.score = String(prediction.score);
  const percent = formatPercent(prediction.score);

  const label = document.createElement("span");
  label.className = "prediction-label";
  label.textContent = prediction.label + " ";
  const index = document.createElement("span");
  index.className = "prediction-index";
  index.textContent = `#${prediction.index}`;
  label.append(index);

  const score = document.createElement("span");
  score.className = "prediction-score";
  score.textContent = percent;

  const bar = document.createElement("div");
  bar.className = "bar";
  bar.setAttribute("role", "meter");
  bar.setAttribute("aria-valuemin", "0");
  bar.setAttribute("aria-valuemax", "100");
  bar.setAttribute("aria-valuenow", (prediction.score * 100).toFixed(2));
  bar.setAttribute("aria-label", `${prediction.label}: ${percent}`);
  const fill = document.createElement("div");
  fill.className = "bar-fill";
  fill.style.width = `${Math.max(0, Math.min(100, prediction.score * 100))}%`;
  bar.append(fill);

  item.append(label, score, bar);
  return item;
}

function formatPercent(score) {
  return `${(score * 100).toFixed(2)}%`;
}

function ms(value) {
  const n = Number.parseFloat(value);
  return Number.isFinite(n) ? `${n.toFixed(n < 10 ? 2 : 1)} ms` : "–";
}

// An RFC 7807 problem (title, detail) from an error response; never the raw body, which may not be meant for people.
async function problemOf(response) {
  let title = `${response.status} ${response.statusText || "Error"}`.trim();
  let detail = "The server could not handle the request.";
  const type = response.headers.get("Content-Type") || "";
  if (type.includes("json")) {
    try {
      const body = await response.json();
      if (typeof body.title === "string") title = body.title;
      if (typeof body.detail === "string") detail = body.detail;
    } catch {
      // Keep the generic text.
    }
  }
  const retryAfter = response.headers.get("Retry-After");
  if (retryAfter) detail += ` Retry in ${retryAfter} s.`;
  if (response.status === 401) detail = "This service requires an API key: enter it in the API key field.";
  return { status: response.status, title, detail };
}

function showError(problem) {
  const known = problem && typeof problem.title === "string";
  $("error-title").textContent = known ? problem.title : "The service could not be reached";
  $("error-detail").textContent = known ? problem.detail : "Check that the service is running and try again.";
  $("error").dataset.status = known && problem.status ? String(problem.status) : "";
  $("error").hidden = false;
}

function hideError() {
  $("error").hidden = true;
}

async function pollStats() {
  try {
    const response = await fetch("/v1/stats", { headers: withApiKey({ Accept: "application/json" }) });
    if (!response.ok) throw { status: response.status };
    const stats = await response.json();
    let stateChanged = false;
    for (const model of stats.models) {
      const described = models.get(model.name);
      if (described && described.state !== model.state) stateChanged = true;
      const history = queueHistory.get(model.name) || [];
      history.push(model.traffic.queueDepth);
      if (history.length > QUEUE_HISTORY_POINTS) history.shift();
      queueHistory.set(model.name, history);
    }
    renderLive(stats);
    // The description says how a model runs once it is loaded: read it again when a model's state moves on.
    if (stateChanged) modelsLoaded = loadModels();
    setLiveStatus(`updated ${new Date(stats.time).toLocaleTimeString()}`, true);
  } catch (error) {
    setLiveStatus(error && error.status === 401 ? "stats need an API key" : "stats unavailable, retrying", false);
  } finally {
    setTimeout(pollStats, STATS_INTERVAL_MS);
  }
}

function setLiveStatus(text, ok) {
  const status = $("live-status");
  status.textContent = text;
  status.classList.toggle("ok", ok);
}

function renderLive(stats) {
  const container = $("live-models");
  for (const model of stats.models) {
    let section = container.querySelector(`[data-model="${CSS.escape(model.name)}"]`);
    if (!section) {
      section = liveModelSection(model.name);
      container.append(section);
    }
    const set = (stat, text, value) => {
      const cell = section.querySelector(`[data-stat="${stat}"]`);
      cell.textContent = text;
      if (value !== undefined) cell.dataset.value = String(value);
    };
    const badges = section.querySelector(".badges");
    badges.replaceChildren(badge(model.state, model.state === "ready" ? "ready" : ""));
    if (model.synthetic) badges.append(badge("synthetic", "synthetic"));
    if (model.executionProvider) badges.append(badge(model.executionProvider, ""));

    const t = model.traffic;
    set("rate", t.requestsPerSecond.toFixed(1), t.requestsPerSecond);
    set("batch", t.meanBatchSize == null ? "–" : t.meanBatchSize.toFixed(2));
    set("queue", String(t.queueDepth), t.queueDepth);
    set("p50", t.latencyP50Ms == null ? "–" : `${t.latencyP50Ms.toFixed(1)} ms`);
    set("p99", t.latencyP99Ms == null ? "–" : `${t.latencyP99Ms.toFixed(1)} ms`);
    set("total", t.totalRequests.toLocaleString("en-US"), t.totalRequests);

    const history = t.requestsPerSecondHistory;
    drawSparkline(section.querySelector(".spark.rate svg"), history, `Requests per second over the last minute, peak ${Math.max(0, ...history)}`);
    section.querySelector(".spark.rate .spark-max").textContent = `peak ${Math.max(0, ...history)}/s`;
    const queue = queueHistory.get(model.name) || [];
    drawSparkline(section.querySelector(".spark.queue svg"), queue, `Queue depth at the last ${queue.length} refreshes, peak ${Math.max(0, ...queue)}`);
    section.querySelector(".spark.queue .spark-max").textContent = `peak ${Math.max(0, ...queue)}`;

    renderVersions(section.querySelector(".versions"), model.versions || []);
    renderShadow(section.querySelector(".shadow"), model.shadow);

    const instances = section.querySelector(".instances");
    instances.replaceChildren(...(model.instances || []).map((instance) => {
      const item = document.createElement("li");
      item.textContent = `instance ${instance.id}: ${instance.executionProvider}`;
      return item;
    }));
  }
}

// Every version of the model with its state; the default and the shadow are marked.
function renderVersions(list, versions) {
  list.hidden = versions.length === 0;
  list.replaceChildren(...versions.map((v) => {
    const item = document.createElement("li");
    item.dataset.version = String(v.version);
    item.dataset.state = v.state;
    const role = v.default ? " · default" : v.shadow ? " · shadow" : "";
    const images = v.imagesRun ? ` · ${v.imagesRun.toLocaleString("en-US")} images` : "";
    item.textContent = `version ${v.version}: ${v.state}${role}${images}${v.reason ? ` (${v.reason})` : ""}`;
    return item;
  }));
}

// How the shadow version answers the default's live requests: the evidence for promoting it.
function renderShadow(block, shadow) {
  block.hidden = !shadow;
  if (!shadow) return;
  const percent = (x) => (x == null ? "–" : `${(x * 100).toFixed(1)}%`);
  const figures = [
    ["shadow-pair", `version ${shadow.shadowVersion} shadows ${shadow.version} on ${percent(shadow.sample)} of requests`],
    ["shadow-top1", percent(shadow.top1Agreement)],
    ["shadow-top5", percent(shadow.top5Overlap)],
    ["shadow-delta", shadow.meanAbsLogitDelta == null ? "–" : shadow.meanAbsLogitDelta.toFixed(4)],
    ["shadow-latency", shadow.latencyP50Ms == null ? "–" : `${shadow.latencyP50Ms.toFixed(1)} / ${shadow.latencyP99Ms.toFixed(1)} ms`],
    ["shadow-compared", `${shadow.compared.toLocaleString("en-US")} compared, ${shadow.dropped.toLocaleString("en-US")} dropped`],
  ];
  for (const [stat, text] of figures) block.querySelector(`[data-stat="${stat}"]`).textContent = text;
}

function badge(text, kind) {
  const span = document.createElement("span");
  span.className = `badge ${kind}`.trim();
  span.textContent = text;
  return span;
}

function liveModelSection(name) {
  const section = document.createElement("section");
  section.className = "live-model";
  section.dataset.model = name;
  const headingId = `live-${name.replace(/[^A-Za-z0-9_-]/g, "_")}`;
  section.setAttribute("aria-labelledby", headingId);
  const heading = document.createElement("h3");
  heading.className = "live-model-name";
  heading.id = headingId;
  heading.textContent = name;
  const badges = document.createElement("span");
  badges.className = "badges";
  heading.append(badges);

  const tiles = statList("tiles", "tile", [["rate", "Requests/s"], ["batch", "Mean batch"], ["queue", "Queue depth"],
    ["p50", "p50 latency"], ["p99", "p99 latency"], ["total", "Requests"]]);
  section.append(heading, tiles, sparkline("rate", "Throughput, last 60 s"), sparkline("queue", "Queue depth"));
  const versions = document.createElement("ul");
  versions.className = "versions";
  versions.setAttribute("aria-label", `Versions of ${name}`);
  versions.hidden = true;
  section.append(versions, shadowBlock(name));
  const instances = document.createElement("ul");
  instances.className = "instances";
  instances.setAttribute("aria-label", `Instances of ${name}`);
  section.append(instances);
  return section;
}

function shadowBlock(name) {
  const block = statList("shadow", "", [["shadow-pair", "Shadow"], ["shadow-top1", "Top-1 agreement"], ["shadow-top5", "Top-5 overlap"],
    ["shadow-delta", "Mean |Δ logit|"], ["shadow-latency", "Shadow p50 / p99"], ["shadow-compared", "Samples"]]);
  block.setAttribute("aria-label", `Shadow evaluation of ${name}`);
  block.hidden = true;
  return block;
}

// A <dl> of figures, each a <div> of its label and a value cell found by data-stat, "–" until filled.
function statList(className, itemClass, stats) {
  const list = document.createElement("dl");
  list.className = className;
  for (const [stat, label] of stats) {
    const item = document.createElement("div");
    if (itemClass) item.className = itemClass;
    const dt = document.createElement("dt");
    dt.textContent = label;
    const dd = document.createElement("dd");
    dd.dataset.stat = stat;
    dd.textContent = "–";
    item.append(dt, dd);
    list.append(item);
  }
  return list;
}

function sparkline(kind, title) {
  const wrapper = document.createElement("div");
  wrapper.className = `spark ${kind}`;
  const label = document.createElement("div");
  label.className = "spark-label";
  const name = document.createElement("span");
  name.textContent = title;
  const max = document.createElement("span");
  max.className = "spark-max";
  label.append(name, max);
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", "0 0 100 30");
  svg.setAttribute("preserveAspectRatio", "none");
  svg.setAttribute("role", "img");
  for (const cls of ["area", "line"]) {
    const path = document.createElementNS("http://www.w3.org/2000/svg", "path");
    path.setAttribute("class", cls);
    svg.append(path);
  }
  wrapper.append(label, svg);
  return wrapper;
}

function drawSparkline(svg, values, description) {
  svg.setAttribute("aria-label", description);
  const points = values.length > 1 ? values : [0, ...values, 0].slice(0, 2);
  const peak = Math.max(1, ...points);
  const step = 100 / (points.length - 1);
  const coords = points.map((v, i) => `${(i * step).toFixed(2)},${(28 - (v / peak) * 26).toFixed(2)}`);
  svg.querySelector(".line").setAttribute("d", `M${coords.join(" L")}`);
  svg.querySelector(".area").setAttribute("d", `M0,30 L${coords.join(" L")} L100,30 Z`);
}
