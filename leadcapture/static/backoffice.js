// The back office's one script: forms marked data-confirm ask before they submit, and a
// form sent into a frame (a recovery email's Preview) brings that frame into sight: on a
// phone it sits below the form, where it would change unseen.
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
