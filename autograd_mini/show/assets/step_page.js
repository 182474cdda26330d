(function () {
  const frames = Array.from(document.querySelectorAll(".frame"));
  const interval = Number(document.body.dataset.interval);  // milliseconds between frames while playing
  const slider = document.getElementById("slider");
  const caption = document.getElementById("caption");
  const counter = document.getElementById("counter");
  const prev = document.getElementById("prev");
  const next = document.getElementById("next");
  const play = document.getElementById("play");
  const projector = document.getElementById("projector");
  const predict = document.getElementById("predict");
  const score = document.getElementById("score");
  const quiz = document.getElementById("quiz");
  const questions = document.getElementById("questions");
  const feedback = document.getElementById("feedback");
  let current = 0;
  let timer = null;
  let predicting = false;
  let right = 0;
  let asked = 0;
  function expected(frame) { return JSON.parse(frame.dataset.predict || "[]"); }
  function closeQuiz() { quiz.hidden = true; questions.replaceChildren(); }
  function show(i) {
    closeQuiz();
    current = Math.max(0, Math.min(frames.length - 1, i));
    frames.forEach((frame, k) => { frame.hidden = k !== current; });
    slider.value = current;
    caption.textContent = frames[current].dataset.caption;
    counter.textContent = "Step " + current + " of " + (frames.length - 1);
    prev.disabled = current === 0;
    next.disabled = current === frames.length - 1;
    if (timer !== null && current === frames.length - 1) { stop(); }
  }
  // Predict mode: Next first asks for what the next step's caption will state.
  function forward() {
    if (!predicting || !quiz.hidden || current === frames.length - 1) {
      if (!quiz.hidden) { check(); } else { show(current + 1); }
      return;
    }
    const wanted = expected(frames[current + 1]);
    feedback.hidden = true;
    if (wanted.length === 0) { show(current + 1); return; }
    wanted.forEach((item, k) => {
      const label = document.createElement("label");
      const box = document.createElement("input");
      box.type = "text";
      box.inputMode = "decimal";
      box.autocomplete = "off";
      box.dataset.index = String(k);
      label.append(item.prompt + " =", box);
      questions.append(label);
    });
    quiz.hidden = false;
    questions.querySelector("input").focus();
  }
  function near(typed, value) {
    const want = Number(value);
    if (!Number.isFinite(want)) { return Object.is(typed, want) || (Number.isNaN(typed) && Number.isNaN(want)); }
    return Math.abs(typed - want) <= Math.max(1e-9, 1e-3 * Math.abs(want));
  }
  function check() {
    const wanted = expected(frames[current + 1]);
    const boxes = Array.from(questions.querySelectorAll("input"));
    feedback.replaceChildren();
    wanted.forEach((item, k) => {
      const text = boxes[k].value.trim();
      const typed = text === "" ? NaN : Number(text);
      const ok = near(typed, item.value);
      const line = document.createElement("div");
      line.className = ok ? "right" : "wrong";
      line.textContent = ok
        ? "right: " + item.prompt + " = " + item.shown
        : "not quite (you typed " + (text === "" ? "nothing" : text) + "): " + item.line;
      feedback.append(line);
      asked += 1;
      if (ok) { right += 1; }
    });
    score.textContent = "score: " + right + " of " + asked;
    feedback.hidden = false;
    show(current + 1);
  }
  function togglePredict() {
    predicting = !predicting;
    predict.setAttribute("aria-pressed", String(predicting));
    score.hidden = !predicting;
    score.textContent = "score: " + right + " of " + asked;
    play.disabled = predicting;
    if (predicting && timer !== null) { stop(); }
    if (!predicting) { closeQuiz(); feedback.hidden = true; }
  }
  predict.addEventListener("click", togglePredict);
  quiz.addEventListener("submit", (event) => { event.preventDefault(); check(); });
  function stop() { clearInterval(timer); timer = null; play.innerHTML = "&#9654; Play"; }
  function start() {
    if (current === frames.length - 1) { show(0); }
    timer = setInterval(() => show(current + 1), interval);
    play.innerHTML = "&#10074;&#10074; Pause";
  }
  prev.addEventListener("click", () => show(current - 1));
  next.addEventListener("click", forward);
  play.addEventListener("click", () => (timer === null ? start() : stop()));
  slider.addEventListener("input", () => show(Number(slider.value)));
  function toggleProjector() {
    const on = document.body.classList.toggle("projector");
    projector.setAttribute("aria-pressed", String(on));
  }
  projector.addEventListener("click", toggleProjector);
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (event.target instanceof HTMLInputElement && event.target.type === "text") { return; }  // typing an answer
    if (event.key === "ArrowRight") { forward(); event.preventDefault(); }
    if (event.key === "ArrowLeft") { show(current - 1); event.preventDefault(); }
    if (event.key === "p" || event.key === "P") { toggleProjector(); event.preventDefault(); }
    if (event.key === "k" || event.key === "K") { togglePredict(); event.preventDefault(); }
  });
  show(0);
})();
