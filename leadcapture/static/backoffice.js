// The back office's one script: forms marked data-confirm ask before they submit, a
// form sent into a frame (a recovery email's Preview) brings that frame into sight (on a
// phone it sits below the form, where it would change unseen), and on a phone, where the
// sections' bar scrolls sideways, the page's own section is brought into the bar's view
// (again when the window narrows). Folded parts marked data-open-wide (the lead list's
// filters) are unfolded on a desk; on a phone they wait for a tap. A link to a folded
// part unfolds it.
document.addEventListener("submit", (event) => {
  const question = event.target.dataset && event.target.dataset.confirm;
  if (question && !window.confirm(question)) {
    event.preventDefault();
    return;
  }
  const target = event.submitter && event.submitter.formTarget;
  const frame = target && document.querySelector(`iframe[name="${CSS.escape(target)}"]`);
  if (frame) {
    frame.scrollIntoView({ block: "start" });
  }
});

function showSection() {
  const section = document.querySelector('.lc-nav [aria-current="page"]');
  if (!section) {
    return;
  }
  const bar = section.closest(".lc-nav");
  const [shown, wanted] = [bar.getBoundingClientRect(), section.getBoundingClientRect()];
  if (wanted.left < shown.left || wanted.right > shown.right) {
    bar.scrollLeft += wanted.left - shown.left - (shown.width - wanted.width) / 2;
  }
}
showSection();
window.addEventListener("resize", showSection); // a phone turned, a window narrowed

if (window.matchMedia("(min-width: 40rem)").matches) {
  for (const folded of document.querySelectorAll("details[data-open-wide]")) {
    folded.open = true;
  }
}

// A link to a folded part (the lead page's "Write an email") unfolds it.
function openLinked() {
  const target = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
  if (target instanceof HTMLDetailsElement) {
    target.open = true;
  }
}
openLinked();
window.addEventListener("hashchange", openLinked);
