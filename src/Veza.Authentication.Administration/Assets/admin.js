// The administration pages work without this script; it only adds the Copy buttons and narrows the scope choices
// of a new OAuth2 client to the permissions of the role chosen.
"use strict";

for (const button of document.querySelectorAll("button[data-copy]")) {
  const source = document.getElementById(button.dataset.copy);
  const status = document.getElementById(button.dataset.copyStatus);
  if (!source) {
    continue;
  }

  button.hidden = false;
  button.addEventListener("click", async () => {
    const text = source.textContent.trim();
    try {
      await navigator.clipboard.writeText(text);
      if (status) {
        status.textContent = "Copied to the clipboard.";
      }
    } catch {
      // Without clipboard access, select the text so that the keyboard can copy it.
      const range = document.createRange();
      range.selectNodeContents(source);
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      if (status) {
        status.textContent = "Selected: press Ctrl+C (or Cmd+C) to copy.";
      }
    }
  });
}

const role = document.getElementById("role");
if (role) {
  const narrow = () => {
    for (const box of document.querySelectorAll("input[data-roles]")) {
      const fits = box.dataset.roles.split(" ").includes(role.value);
      box.closest(".choice").hidden = !fits;
      if (!fits) {
        box.checked = false;
      }
    }
  };
  role.addEventListener("change", narrow);
  narrow();
}
