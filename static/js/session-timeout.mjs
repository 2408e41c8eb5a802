// The inactivity warning (WCAG 2.2.1 Timing Adjustable). base.html renders a <dialog> for signed-in
// people; this module opens it `data-warning-seconds` before the session ends, counts down, and
// offers "Stay signed in" (a POST to the keep-alive endpoint, which restarts the session's clock) or
// "Sign out". When the time is up it submits the sign-out form, to the sign-in page, which says why.
//
// Every page load restarts the server's clock (SESSION_SAVE_EVERY_REQUEST), and so does a keep-alive
// from any tab: the time of the latest one is shared through localStorage, so a tab left open does
// not sign out someone who is working in another.
//
// Accessibility: showModal() makes the rest of the page inert and moves focus into the dialog (to
// "Stay signed in"); Escape also stays signed in; focus goes back where it was when the dialog
// closes. The visible countdown ticks every second but is hidden from screen readers; a live region
// announces the time left when the dialog opens and then every 30 seconds.

const STORAGE_KEY = "wres-portal:last-activity";
const ANNOUNCE_EVERY_SECONDS = 30;

function readShared() {
  try {
    return Number(window.localStorage.getItem(STORAGE_KEY)) || 0;
  } catch {
    return 0; // storage blocked: each tab keeps its own time
  }
}

function writeShared(time) {
  try {
    window.localStorage.setItem(STORAGE_KEY, String(time));
  } catch {
    // ignore: see readShared
  }
}

export function describe(seconds) {
  const whole = Math.max(0, Math.ceil(seconds));
  const minutes = Math.floor(whole / 60);
  const rest = whole % 60;
  const parts = [];
  if (minutes) parts.push(`${minutes} minute${minutes === 1 ? "" : "s"}`);
  if (rest || !minutes) parts.push(`${rest} second${rest === 1 ? "" : "s"}`);
  return parts.join(" ");
}

export class SessionTimeout {
  constructor(dialog) {
    this.dialog = dialog;
    this.timeoutMs = Number(dialog.dataset.timeoutSeconds) * 1000;
    this.warningMs = Number(dialog.dataset.warningSeconds) * 1000;
    this.keepAliveUrl = dialog.dataset.keepAliveUrl;
    this.timedOutUrl = dialog.dataset.timedOutUrl;
    this.countdown = dialog.querySelector("[data-timeout-countdown]");
    this.announcement = dialog.querySelector("[data-timeout-announcement]");
    this.form = dialog.querySelector("[data-timeout-sign-out-form]");
    this.stayButton = dialog.querySelector("[data-timeout-stay]");
    this.lastActivity = Date.now();
    this.lastAnnounced = null;
    this.returnFocusTo = null;
    this.signingOut = false;
  }

  start() {
    if (!this.timeoutMs || !this.form || !this.stayButton) return;
    this.countdown.setAttribute("aria-hidden", "true");
    writeShared(Math.max(readShared(), this.lastActivity));
    this.stayButton.addEventListener("click", () => this.staySignedIn());
    // Escape: stay signed in rather than leave the warning unanswered.
    this.dialog.addEventListener("cancel", (event) => {
      event.preventDefault();
      this.staySignedIn();
    });
    window.addEventListener("storage", (event) => {
      if (event.key === STORAGE_KEY) this.tick();
    });
    this.timer = window.setInterval(() => this.tick(), 1000);
    this.tick();
  }

  deadline() {
    return Math.max(this.lastActivity, readShared()) + this.timeoutMs;
  }

  tick() {
    const remaining = this.deadline() - Date.now();
    if (remaining <= 0) {
      this.signOut();
    } else if (remaining <= this.warningMs) {
      if (!this.dialog.open) this.open();
      this.update(remaining / 1000);
    } else if (this.dialog.open) {
      this.close(); // another tab kept the session alive
    }
  }

  open() {
    this.returnFocusTo = document.activeElement;
    this.lastAnnounced = null;
    if (typeof this.dialog.showModal === "function") {
      this.dialog.showModal();
    } else {
      this.dialog.setAttribute("open", "");
    }
    this.stayButton.focus();
  }

  close() {
    if (typeof this.dialog.close === "function") {
      this.dialog.close();
    } else {
      this.dialog.removeAttribute("open");
    }
    this.announcement.textContent = "";
    if (this.returnFocusTo && typeof this.returnFocusTo.focus === "function") {
      this.returnFocusTo.focus();
    }
    this.returnFocusTo = null;
  }

  update(seconds) {
    const text = describe(seconds);
    this.countdown.textContent = text;
    const whole = Math.ceil(seconds);
    if (this.lastAnnounced === null || this.lastAnnounced - whole >= ANNOUNCE_EVERY_SECONDS) {
      this.lastAnnounced = whole;
      this.announcement.textContent = `You will be signed out in ${text}.`;
    }
  }

  async staySignedIn() {
    const token = this.form.querySelector("input[name=csrfmiddlewaretoken]");
    let response;
    try {
      response = await fetch(this.keepAliveUrl, {
        method: "POST",
        credentials: "same-origin",
        redirect: "manual", // a redirect means the session has already ended
        headers: { "X-CSRFToken": token ? token.value : "", Accept: "application/json" },
      });
    } catch {
      response = null;
    }
    if (!response || !response.ok) {
      this.signOut();
      return;
    }
    this.lastActivity = Date.now();
    writeShared(this.lastActivity);
    if (this.dialog.open) this.close();
  }

  signOut() {
    if (this.signingOut) return;
    this.signingOut = true;
    window.clearInterval(this.timer);
    // After signing out, the sign-in page says why (a plain "Sign out" click lands there without it).
    if (this.timedOutUrl) {
      const next = document.createElement("input");
      next.type = "hidden";
      next.name = "next";
      next.value = this.timedOutUrl;
      this.form.append(next);
    }
    this.form.submit();
  }
}

export function initSessionTimeout(root = document) {
  const dialog = root.querySelector('[data-module="app-session-timeout"]');
  if (!dialog) return null;
  const timeout = new SessionTimeout(dialog);
  timeout.start();
  return timeout;
}
