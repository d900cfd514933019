// The officer page: sign in with a key (kept in sessionStorage only), send a downscaled photo,
// label text or GTIN to POST /v1/checks, show the candidates beside the photo, record the outcome.
"use strict";

const MAX_SIDE = 1600; // enough for a barcode to stay readable, small enough for a slow link
const JPEG_QUALITY = 0.85;
const KEY_ITEM = "countermark.officer.key";
const LANG_ITEM = "countermark.officer.lang";
// A well-formed id no check has: 404 proves a valid officer key without side effects.
const PROBE = "/v1/checks/00000000-0000-7000-8000-000000000000";

const $ = (id) => document.getElementById(id);
let messages = {};
let words = {};
let photo = null; // the downscaled photo (Blob) of the current check
let photoUrl = null;
let current = null; // the current check's answer

function t(name, values = {}) {
  const text = words[name] || messages.en?.[name] || name;
  return text.replace(/\{(\w+)\}/g, (_, k) => String(values[k] ?? ""));
}

function translate() {
  document.documentElement.lang = $("lang").value;
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
}

function setLanguage(lang) {
  words = messages[lang] || messages.en;
  $("lang").value = messages[lang] ? lang : "en";
  localStorage.setItem(LANG_ITEM, $("lang").value);
  translate();
  if (current) showResult(current);
}

function say(name, kind = "info", values = {}) {
  const el = $("status");
  el.textContent = t(name, values);
  el.className = `status ${kind}`;
  el.hidden = false;
  if (kind === "error") el.scrollIntoView({ block: "center" });
}

function quiet() {
  $("status").hidden = true;
}

const key = () => sessionStorage.getItem(KEY_ITEM);

async function call(path, options = {}) {
  if (!navigator.onLine) throw new Error("offline");
  const headers = { ...(options.headers || {}), Authorization: `Bearer ${key()}` };
  try {
    return await fetch(path, { ...options, headers });
  } catch {
    throw new Error("offline");
  }
}

function problemMessage(response, problem) {
  if (response.status === 401) return "wrong_key";
  if (response.status === 403) return "not_officer";
  if (response.status === 503) return "busy";
  const type = String(problem?.type || "");
  if (type.endsWith("invalid-gtin")) return "bad_gtin";
  if (type.endsWith("empty-check")) return "need_input";
  if (response.status === 413 || /image|photo/.test(type)) return "unreadable_photo";
  return "failed";
}

async function fail(response) {
  const problem = await response.json().catch(() => null);
  const name = problemMessage(response, problem);
  if (name === "wrong_key" || name === "not_officer") signOut();
  say(name, "error", { status: response.status });
}

function showSignedIn(signedIn) {
  $("signin").hidden = signedIn;
  $("checker").hidden = !signedIn;
  if (!signedIn) $("results").hidden = true;
}

function signOut() {
  sessionStorage.removeItem(KEY_ITEM);
  showSignedIn(false);
}

async function signIn(event) {
  event.preventDefault();
  const typed = $("key").value.trim();
  if (!typed) return say("need_key", "error");
  sessionStorage.setItem(KEY_ITEM, typed);
  try {
    const response = await call(PROBE);
    if (response.status !== 404) return fail(response);
  } catch {
    sessionStorage.removeItem(KEY_ITEM);
    return say("offline", "error");
  }
  $("key").value = "";
  showSignedIn(true);
  say("signed_in", "ok");
}

function downscale(file) {
  // Decoding in an <img> applies EXIF orientation; the canvas copy carries no metadata.
  return new Promise((resolve, reject) => {
    const url = URL.createObjectURL(file);
    const img = new Image();
    img.onload = () => {
      const scale = Math.min(1, MAX_SIDE / Math.max(img.naturalWidth, img.naturalHeight));
      const canvas = document.createElement("canvas");
      canvas.width = Math.max(1, Math.round(img.naturalWidth * scale));
      canvas.height = Math.max(1, Math.round(img.naturalHeight * scale));
      canvas.getContext("2d").drawImage(img, 0, 0, canvas.width, canvas.height);
      URL.revokeObjectURL(url);
      canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error("encode"))), "image/jpeg", JPEG_QUALITY);
    };
    img.onerror = () => {
      URL.revokeObjectURL(url);
      reject(new Error("decode"));
    };
    img.src = url;
  });
}

async function choosePhoto() {
  const file = $("photo").files[0];
  photo = null;
  $("preview").hidden = true;
  if (!file) return;
  try {
    photo = await downscale(file);
  } catch {
    return say("unreadable_photo", "error");
  }
  if (photoUrl) URL.revokeObjectURL(photoUrl);
  photoUrl = URL.createObjectURL(photo);
  $("preview").src = photoUrl;
  $("preview").hidden = false;
  quiet();
}

async function submitCheck(event) {
  event.preventDefault();
  const text = $("text").value.trim();
  const gtin = $("gtin").value.trim();
  if (!photo && !text && !gtin) return say("need_input", "error");
  const body = new FormData();
  if (photo) body.append("photo", photo, "photo.jpg");
  if (text) body.append("text", text);
  if (gtin) body.append("gtin", gtin);
  $("check-button").disabled = true;
  say("checking");
  try {
    const response = await call("/v1/checks", { method: "POST", body });
    if (!response.ok) return fail(response);
    current = await response.json();
    quiet();
    showResult(current);
  } catch {
    say("offline", "error");
  } finally {
    $("check-button").disabled = false;
  }
}

async function loadThumbnail(img, path) {
  try {
    const response = await call(path);
    if (response.ok) img.src = URL.createObjectURL(await response.blob());
  } catch {
    img.alt = t("no_reference");
  }
}

function tick(container, items) {
  container.hidden = items.length === 0;
  for (const item of items) {
    const label = document.createElement("label");
    label.className = "choice";
    const box = document.createElement("input");
    box.type = "checkbox";
    box.value = item;
    label.append(box, document.createTextNode(` ${item}`));
    container.append(label);
  }
}

function candidateCard(candidate, index) {
  const card = $("candidate-template").content.firstElementChild.cloneNode(true);
  for (const el of card.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  const mine = card.querySelector(".mine");
  if (photoUrl) mine.src = photoUrl;
  else card.querySelector(".pair figure").hidden = true;
  const ref = card.querySelector(".ref");
  ref.alt = t("genuine_reference");
  if (candidate.thumbnails.length) loadThumbnail(ref, candidate.thumbnails[0]);
  else ref.alt = t("no_reference");
  card.querySelector(".name").textContent = `${candidate.brand} · ${candidate.name}`;
  const lane = card.querySelector(".lane");
  // A possible photo match was not scored: the officer decides by comparing the photos.
  const kind = candidate.confident ? candidate.lane : "possible";
  lane.textContent = t(`lane_${kind}`);
  lane.classList.add(`lane-${kind}`);
  card.querySelector(".similarity").textContent = t("similarity", {
    percent: Math.round(candidate.similarity * 100),
  });
  const pick = card.querySelector(".pick input");
  pick.value = candidate.product_id;
  pick.checked = index === 0;
  for (const reason of candidate.reasons) {
    const li = document.createElement("li");
    li.textContent = reason;
    card.querySelector(".reasons").append(li);
  }
  tick(card.querySelector(".genuine-ticks"), candidate.checklist.authenticity_features);
  tick(card.querySelector(".fake-ticks"), candidate.checklist.counterfeit_indicators);
  const contact = card.querySelector(".contact");
  contact.textContent = t("contact", { name: candidate.contact.rights_holder || "" });
  if (candidate.contact.email) {
    const link = document.createElement("a");
    link.href = `mailto:${candidate.contact.email}`;
    link.textContent = candidate.contact.email;
    contact.append(" ", link);
  }
  return card;
}

function showResult(check) {
  $("check-form").hidden = true; // the result replaces the form; "Check another item" brings it back
  $("results").hidden = false;
  $("record-button").disabled = Boolean(check.outcome);
  const barcode = $("barcode");
  barcode.hidden = !check.barcode;
  if (check.barcode) barcode.textContent = t("barcode_read", check.barcode);
  $("nomatch").hidden = !check.no_confident_match;
  const list = $("candidates");
  list.replaceChildren(...check.candidates.map(candidateCard));
  $("results").scrollIntoView({ block: "start" });
}

async function recordOutcome(event) {
  event.preventDefault();
  const chosen = document.querySelector("input[name=outcome]:checked");
  if (!chosen) return say("need_outcome", "error");
  const picked = document.querySelector("input[name=product]:checked");
  const checked = [...document.querySelectorAll(".ticks input:checked")].map((b) => b.value);
  const payload = { outcome: chosen.value, note: $("note").value.trim() || null, checked };
  if (picked) payload.product_id = picked.value;
  try {
    const response = await call(`/v1/checks/${current.id}/outcome`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(payload),
    });
    if (!response.ok) return fail(response);
    current = await response.json();
  } catch {
    return say("offline", "error");
  }
  $("record-button").disabled = true;
  say(chosen.value === "counterfeit" && photo ? "recorded_fake" : "recorded", "ok");
}

function reset() {
  for (const id of ["check-form", "outcome-form"]) $(id).reset();
  photo = null;
  current = null;
  $("preview").hidden = true;
  $("results").hidden = true;
  $("check-form").hidden = false;
  $("record-button").disabled = false;
  quiet();
  window.scrollTo(0, 0);
}

async function start() {
  messages = await fetch("/officer/messages.json").then((r) => r.json()).catch(() => ({}));
  const preferred = localStorage.getItem(LANG_ITEM) || (navigator.language || "en").slice(0, 2);
  setLanguage(preferred);
  $("lang").addEventListener("change", (e) => setLanguage(e.target.value));
  $("signin-form").addEventListener("submit", signIn);
  $("signout").addEventListener("click", () => { signOut(); quiet(); });
  $("photo").addEventListener("change", choosePhoto);
  $("check-form").addEventListener("submit", submitCheck);
  $("outcome-form").addEventListener("submit", recordOutcome);
  $("again").addEventListener("click", reset);
  window.addEventListener("offline", () => say("offline", "error"));
  showSignedIn(Boolean(key()));
}

start();
