// The page of `glyce-allennlp serve`: sends the text to the JSON API of this server and draws what comes back
// (words and POS, entity highlights, the dependency tree, class probabilities, SRL predicates). Clicking a character
// shows its glyph images in every script of the model and its nearest characters by learned glyph vector.
// Plain JavaScript; every text from the user or a model is put into the page as text, never as HTML.
"use strict";

const state = { models: [], plan: null, glyphModel: null };
const $ = (id) => document.getElementById(id);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "text") node.textContent = value;
    else if (key === "class") node.className = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

function svg(tag, attrs = {}, text) {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

async function api(path, body) {
  const options = body === undefined ? {} :
    { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
  const response = await fetch(path, options);
  const data = await response.json();
  if (!response.ok) throw new Error(`${response.status}: ${data.error || response.statusText}`);
  return data;
}

function showError(message) {
  $("error").hidden = !message;
  $("error").textContent = message || "";
}

// ------------------------------------------------------------------------------------------- models and input
function planIsEmpty(plan) {
  return !plan || !(plan.segment || plan.ner || (plan.classify && plan.classify.length));
}

async function loadModels() {
  const data = await api("/models");
  state.models = data.models;
  state.plan = data.pipeline;
  const select = $("model");
  if (!planIsEmpty(state.plan)) {
    const steps = ["segment", "parse", "ner"].filter((s) => state.plan[s]).map((s) => `${s}: ${state.plan[s]}`);
    if (state.plan.classify.length) steps.push(`classify: ${state.plan.classify.join(", ")}`);
    select.append(el("option", { value: "", text: `pipeline (${steps.join(" · ")})` }));
  }
  for (const model of state.models) {
    select.append(el("option", { value: model.name, text: `${model.name} (${model.task})` }));
  }
  $("loaded").textContent = state.models.length ?
    `${state.models.length} model(s): ` + state.models.map((m) => `${m.name} = ${m.task}, ${m.archive}`).join("; ") :
    "no model loaded";
  select.addEventListener("change", adaptInput);
  adaptInput();
}

function selectedModel() {
  return state.models.find((m) => m.name === $("model").value) || null;
}

function adaptInput() {
  const model = selectedModel();
  const task = model ? model.task : "pipeline";
  $("text2").hidden = $("text2-label").hidden = task !== "pair";
  $("text-label").textContent = {
    pair: "First sentences (one per line)",
    parser: "Words separated by spaces, optionally word_POS (one sentence per line)",
    srl: "One CoNLL-2009 sentence (its rows: 14 tab-separated columns, FILLPRED = Y on predicates)",
  }[task] || "Text (one sentence per line)";
}

function requestFor(model) {
  const lines = $("text").value.split("\n").filter((line) => line.trim());
  if (!model) return ["/pipeline", { lines }];
  const path = `/predict/${encodeURIComponent(model.name)}`;
  if (model.task === "srl") return [path, { conll2009: $("text").value }];
  if (model.task === "pair") {
    const second = $("text2").value.split("\n").filter((line) => line.trim());
    return [path, { pairs: lines.map((line, i) => [line, second[i] || ""]) }];
  }
  return [path, { lines }];
}

async function analyse() {
  showError("");
  const model = selectedModel();
  const [path, body] = requestFor(model);
  $("submit").disabled = true;
  try {
    const data = await api(path, body);
    const results = $("results");
    results.replaceChildren();
    for (const record of data.results) {
      results.append(model ? renderRecord(model.task, record) : renderPipeline(record));
    }
    results.dataset.done = String(Date.now());
  } catch (error) {
    showError(error.message);
  } finally {
    $("submit").disabled = false;
  }
}

// ------------------------------------------------------------------------------------------------- rendering
function chars(text) {
  const span = el("span");
  for (const ch of Array.from(text)) {
    span.append(ch.trim() ? el("span", { class: "char", text: ch, "data-char": ch }) : ch);
  }
  return span;
}

function step(name, ...content) {
  return el("div", { class: `step step-${name}` }, el("div", { class: "step-name", text: name }), ...content);
}

function renderWords(record) {
  const tags = record.pos ? record.pos.map((pair) => (Array.isArray(pair) ? pair[1] : pair)) : null;
  const box = el("div", { class: "words" });
  record.words.forEach((word, i) => {
    box.append(el("span", { class: "word" }, chars(word), tags ? el("span", { class: "pos", text: tags[i] }) : null));
  });
  return box;
}

function entityColour(type) {
  let hash = 0;
  for (const ch of type) hash = (hash * 31 + ch.codePointAt(0)) % 360;
  return `hsl(${hash}, 75%, 82%)`;
}

function renderEntities(record) {
  // start / end count code points of record.text (Python string indices), as Array.from splits it
  const text = Array.from(record.text);
  const box = el("p", { class: "entities" });
  let at = 0;
  for (const entity of record.entities) {
    box.append(chars(text.slice(at, entity.start).join("")));
    const mark = el("mark", { class: "entity", "data-type": entity.type },
      chars(text.slice(entity.start, entity.end).join("")), el("span", { class: "type", text: entity.type }));
    mark.style.background = entityColour(entity.type);
    box.append(mark);
    at = entity.end;
  }
  box.append(chars(text.slice(at).join("")));
  return box;
}

function renderTree(record) {
  // words along a baseline, one arc from each head to its dependent above them, the relation on the arc
  const words = record.words;
  const widths = words.map((w) => Math.max(2, Array.from(w).length) * 17 + 22);
  const xs = [];
  let x = 10;
  for (const w of widths) { xs.push(x + w / 2); x += w; }
  const spans = record.heads.map((h, i) => (h > 0 ? Math.abs(h - 1 - i) : 0));
  const levels = Math.max(1, ...spans);
  const unit = 22;
  const base = levels * unit + 34;
  const drawing = svg("svg", { class: "tree", width: x + 10, height: base + 44, role: "img",
                               "aria-label": "dependency tree" });
  const defs = svg("defs");
  const marker = svg("marker", { id: `arrow-${treeCount}`, viewBox: "0 0 6 6", refX: 3, refY: 3, markerWidth: 6,
                                 markerHeight: 6, orient: "auto-start-reverse" });
  marker.append(svg("path", { d: "M0,0 L6,3 L0,6 z", fill: "#4a6fa5" }));
  defs.append(marker);
  drawing.append(defs);
  record.heads.forEach((head, i) => {
    const to = xs[i];
    const top = head > 0 ? base - 8 - spans[i] * unit : 6;
    const from = head > 0 ? xs[head - 1] : to;
    const path = head > 0 ?
      `M${from},${base - 8} C${from},${top} ${to},${top} ${to},${base - 8}` : `M${to},${top} L${to},${base - 8}`;
    drawing.append(svg("path", { class: "arc", d: path, "marker-end": `url(#arrow-${treeCount})`,
                                 "data-head": head, "data-dependent": i + 1 }));
    const labelX = (from + to) / 2;
    const labelY = head > 0 ? top + spans[i] * 0.12 * unit + 4 : top + 10;
    drawing.append(svg("text", { class: "label", x: labelX + (head > 0 ? 0 : 4), y: labelY,
                                 "text-anchor": head > 0 ? "middle" : "start" }, record.relations[i]));
  });
  words.forEach((word, i) => {
    drawing.append(svg("text", { class: "word-text", x: xs[i], y: base + 14, "text-anchor": "middle" }, word));
    const tag = record.pos ? record.pos[i] : "_";
    if (tag && tag !== "_") {
      drawing.append(svg("text", { class: "pos-text", x: xs[i], y: base + 32, "text-anchor": "middle" }, tag));
    }
  });
  treeCount += 1;
  return drawing;
}
let treeCount = 0;

function renderClasses(record) {
  const box = el("div", { class: "classes" });
  const best = record.label;
  for (const [label, p] of Object.entries(record.probs).sort((a, b) => b[1] - a[1])) {
    const bar = el("div", { class: label === best ? "bar best" : "bar" });
    bar.style.width = `${Math.round(p * 100)}%`;
    box.append(el("span", { class: label === best ? "best-label" : "", text: label }), el("div", {}, bar),
               el("span", { text: p.toFixed(3) }));
  }
  return box;
}

function renderSrl(record) {
  const table = el("table", { class: "srl" });
  table.append(el("tr", {}, el("th", { text: "predicate" }), el("th", { text: "sense" }),
                  el("th", { text: "arguments" })));
  for (const predicate of record.predicates) {
    const args = predicate.arguments.map((a) => `${a.role}: ${a.word}`).join(" · ") || "—";
    table.append(el("tr", {}, el("td", {}, chars(predicate.word)), el("td", { text: predicate.sense }),
                    el("td", { text: args })));
  }
  return el("div", {}, el("p", {}, chars(record.words.join(" "))), table);
}

function rawJson(record) {
  return el("details", {}, el("summary", { text: "JSON" }), el("pre", { text: JSON.stringify(record, null, 1) }));
}

function renderRecord(task, record) {
  const box = el("div", { class: "sentence" });
  if (record.error) box.append(el("p", { class: "hint", text: record.error }));
  if (task === "ner") box.append(step("entities", renderEntities(record)));
  else if (task === "cws" || task === "pos") box.append(step(task === "pos" ? "words and POS" : "words",
                                                              renderWords(record)));
  else if (task === "parser") box.append(step("words", renderWords(record)), step("tree", renderTree(record)));
  else if (task === "classifier") box.append(step("text", el("p", {}, chars(record.text))),
                                             step("classes", renderClasses(record)));
  else if (task === "pair") box.append(step("pair", el("p", {}, chars(record.s1 || "")),
                                            el("p", {}, chars(record.s2 || ""))), step("classes", renderClasses(record)));
  else if (task === "srl") box.append(step("predicates", renderSrl(record)));
  box.append(rawJson(record));
  return box;
}

function renderPipeline(record) {
  const box = el("div", { class: "sentence" });
  if (record.segment) {
    const name = record.segment.pos ? "words and POS" : "words";
    box.append(step(`${name} (${record.segment.model})`, renderWords(record.segment)));
  }
  if (record.ner) box.append(step(`entities (${record.ner.model})`, renderEntities(record.ner)));
  if (record.parse) box.append(step(`tree (${record.parse.model})`, renderTree(record.parse)));
  for (const result of record.classify || []) {
    box.append(step(`classes (${result.model})`, renderClasses(result)));
  }
  box.append(rawJson(record));
  return box;
}

// ----------------------------------------------------------------------------------------------- glyph panel
function glyphModel() {
  // the selected model if it has glyph vectors, else the first pipeline model that has, else any model that has
  const withFonts = (name) => state.models.find((m) => m.name === name && m.fonts.length);
  const chosen = selectedModel();
  if (chosen && chosen.fonts.length) return chosen;
  if (!chosen && state.plan) {
    for (const name of [state.plan.segment, state.plan.ner, state.plan.parse, ...state.plan.classify]) {
      const found = name && withFonts(name);
      if (found) return found;
    }
  }
  return state.models.find((m) => m.fonts.length) || null;
}

async function showGlyphs(ch) {
  const model = glyphModel();
  document.querySelectorAll(".char.selected").forEach((node) => node.classList.remove("selected"));
  document.querySelectorAll(`.char[data-char="${CSS.escape(ch)}"]`).forEach((node) => node.classList.add("selected"));
  $("glyph-panel").hidden = false;
  $("glyph-char").textContent = ch;
  $("glyph-code").textContent = `U+${ch.codePointAt(0).toString(16).toUpperCase().padStart(4, "0")}`;
  $("glyph-source").textContent = model ? `model ${model.name}` : "this server (no model has glyph vectors)";
  $("glyph-fonts").textContent = model ? model.fonts.join(", ") : "every installed font";
  const query = model ? `&model=${encodeURIComponent(model.name)}` : "";
  $("glyph-image").src = `/glyphs?text=${encodeURIComponent(ch)}${query}`;
  const list = $("neighbors");
  list.replaceChildren();
  $("neighbor-image").hidden = true;
  if (!model) {
    $("neighbor-note").textContent = "No loaded model has glyph vectors.";
    return;
  }
  try {
    const found = await api(`/neighbors?model=${encodeURIComponent(model.name)}&char=${encodeURIComponent(ch)}&top=8`);
    $("neighbor-note").textContent = `${model.name}: cosine of the Tianzige-CNN vectors, among the ` +
      `${found.candidates} characters it was trained on; ${ch} ${found.known ? "was" : "was not"} one of them.`;
    for (const n of found.neighbors) {
      list.append(el("li", {}, el("span", { class: "char", text: n.char, "data-char": n.char }),
                     el("span", { class: "cosine", text: `cos ${n.cosine.toFixed(3)}` })));
    }
    if (found.neighbors.length) {
      const text = found.neighbors.map((n) => n.char).join("");
      $("neighbor-image").src = `/glyphs?text=${encodeURIComponent(text)}${query}`;
      $("neighbor-image").hidden = false;
    }
    list.dataset.char = ch;
  } catch (error) {
    $("neighbor-note").textContent = error.message;
  }
}

document.addEventListener("click", (event) => {
  const target = event.target.closest(".char");
  if (target) showGlyphs(target.dataset.char);
});

function enlargeOnLoad(image) {
  // glyph sheets are drawn at 4x the model's image size; show them twice as large again, pixels kept sharp
  image.addEventListener("load", () => { image.style.width = `${image.naturalWidth * 2}px`; });
}

window.addEventListener("DOMContentLoaded", () => {
  enlargeOnLoad($("glyph-image"));
  enlargeOnLoad($("neighbor-image"));
  $("submit").addEventListener("click", analyse);
  $("text").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) analyse();
  });
  loadModels().catch((error) => showError(error.message));
});
