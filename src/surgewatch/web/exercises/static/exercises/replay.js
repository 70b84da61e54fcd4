/* Replays an exercise's timeline at a chosen speed (issue 7, 'accelerated time').
   The run itself is already complete on the server; this only reveals its rows in
   simulated time, so without JavaScript the whole table simply shows. */
const panel = document.querySelector("[data-exercise-replay]");
const table = document.getElementById("exercise-timeline");

if (panel && table) {
  const rows = Array.from(table.querySelectorAll("tbody tr[data-at]"));
  const times = rows.map((row) => Date.parse(row.dataset.at));
  const clock = panel.querySelector("[data-replay-clock]");
  const speed = panel.querySelector("[data-replay-speed]");
  const play = panel.querySelector("[data-replay-play]");
  const all = panel.querySelector("[data-replay-all]");
  const format = new Intl.DateTimeFormat("en-GB", {
    timeZone: "Europe/London", weekday: "short", day: "2-digit", month: "short",
    hour: "2-digit", minute: "2-digit",
  });
  let timer = null;
  let simulated = times[0];

  const show = (until) => {
    rows.forEach((row, i) => { row.hidden = times[i] > until; });
    clock.textContent = format.format(new Date(until));
  };
  const stop = () => {
    if (timer !== null) { clearInterval(timer); timer = null; }
    play.textContent = "Replay";
  };
  const tick = () => {
    simulated += Number(speed.value) * 1000 / 10;  // ten ticks a real second
    show(simulated);
    if (simulated >= times[times.length - 1]) { stop(); }
  };

  play.addEventListener("click", () => {
    if (timer !== null) { stop(); return; }
    if (simulated >= times[times.length - 1]) { simulated = times[0]; }
    show(simulated);
    timer = setInterval(tick, 100);
    play.textContent = "Pause";
  });
  all.addEventListener("click", () => {
    stop();
    simulated = times[times.length - 1];
    show(simulated);
  });
  panel.hidden = false;
}
