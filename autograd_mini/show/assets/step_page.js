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
  // Typed answers, by the rules of autograd_mini/teach/answers.py: its constants, patterns and
  // messages are written into the page (the quiz form's data-answers), so they are written once.
  const rules = JSON.parse(quiz.dataset.answers);
  const word = new RegExp(rules.patterns.word, "i");
  const fraction = new RegExp(rules.patterns.fraction);
  const ambiguousComma = new RegExp(rules.patterns.ambiguous_comma);
  function tooLong(text) {  // in characters (code points), as Python counts them: at most 2 UTF-16 units each
    if (text.length > 2 * rules.maxChars) { return true; }
    return text.length > rules.maxChars && Array.from(text).length > rules.maxChars;
  }
  function strip(text) {
    let start = 0;
    let end = text.length;
    while (start < end && rules.space.includes(text[start])) { start += 1; }
    while (end > start && rules.space.includes(text[end - 1])) { end -= 1; }
    return text.slice(start, end);
  }
  function decimal(text) {
    if (ambiguousComma.test(text)) { return { refused: "ambiguous_comma" }; }
    const number = Number(text.replace(",", "."));
    if (!Number.isFinite(number)) { return { refused: "too_large" }; }
    if (number === 0 && /[1-9]/.test(text.split(/[eE]/)[0])) { return { refused: "too_small" }; }
    return { number };
  }
  function readAnswer(text) {  // {number} or {refused: a reason}
    if (tooLong(text)) { return { refused: "too_long" }; }  // before anything walks the line
    const line = strip(text);
    if (line === "") { return { refused: "empty" }; }
    if (word.test(line)) {
      if (/nan/i.test(line)) { return { number: NaN }; }
      return { number: line.startsWith("-") ? -Infinity : Infinity };
    }
    const match = fraction.exec(line);
    if (match === null) { return { refused: "not_a_number" }; }
    const numerator = decimal(match[1]);
    if ("refused" in numerator || match[2] === undefined) { return numerator; }
    const denominator = decimal(match[2]);
    if ("refused" in denominator) { return denominator; }
    if (denominator.number === 0) { return { refused: "zero_denominator" }; }
    const quotient = numerator.number / denominator.number;
    if (!Number.isFinite(quotient)) { return { refused: "too_large" }; }
    if (quotient === 0 && numerator.number !== 0) { return { refused: "too_small" }; }
    return { number: quotient };
  }
  function judge(answer, gradient) {
    if (Number.isNaN(gradient)) { return Number.isNaN(answer); }
    if (!Number.isFinite(gradient) || !Number.isFinite(answer)) { return answer === gradient; }
    if (gradient === 0) { return Math.abs(answer) <= rules.zeroFloor; }
    return Math.abs(answer - gradient) <= rules.relTol * Math.abs(gradient);
  }
  // The rules as the page runs them, for the tests that hold them to answers.py's table of cases.
  window.stepPageAnswers = Object.freeze({ readAnswer, judge });
  function say(className, text) {
    const line = document.createElement("div");
    line.className = className;
    line.textContent = text;
    feedback.append(line);
  }
  function check() {
    const wanted = expected(frames[current + 1]);
    const boxes = Array.from(questions.querySelectorAll("input"));
    const typed = boxes.map((box) => readAnswer(box.value));
    feedback.replaceChildren();
    feedback.hidden = false;
    const refused = typed.flatMap((answer, k) => ("refused" in answer ? [k] : []));
    boxes.forEach((box, k) => box.setAttribute("aria-invalid", String(refused.includes(k))));
    if (refused.length > 0) {  // not an answer, so not a miss: say why and ask again
      refused.forEach((k) => {
        say("refused", wanted[k].prompt + ": " + rules.reasons[typed[k].refused] + "; try again");
      });
      boxes[refused[0]].focus();
      return;
    }
    wanted.forEach((item, k) => {
      const ok = judge(typed[k].number, Number(item.value));
      say(ok ? "right" : "wrong", ok
        ? "right: " + item.prompt + " = " + item.shown
        : "not quite (you typed " + strip(boxes[k].value) + "): " + item.line);
      asked += 1;
      if (ok) { right += 1; }
    });
    score.textContent = "score: " + right + " of " + asked;
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
