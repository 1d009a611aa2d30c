// The live state: one websocket to /ws, merged into a plain object, and listeners told once per frame.
//
// The server sends the whole state flat on connect ({"loadpoints.0.mode": "pv", "pvPower": 5200, ...}) and
// then each change. A lost connection is retried with exponential backoff and jitter, so a restarting server is
// not hammered by every open phone at the same instant.

const FIRST_RETRY_MS = 500;
const LAST_RETRY_MS = 8000;
// a connection attempt that hangs (a phone between networks) counts as failed after this
const CONNECT_TIMEOUT_MS = 10000;

const CONNECTING = 'connecting';
export const ONLINE = 'online';
const OFFLINE = 'offline';

/** Assigns value at a dotted key; a numeric part indexes an array (loadpoints.0.mode). */
function assign(target, key, value) {
  const parts = key.split('.');
  let node = target;
  parts.slice(0, -1).forEach((part, index) => {
    if (node[part] === null || typeof node[part] !== 'object') {
      node[part] = /^\d+$/.test(parts[index + 1]) ? [] : {};
    }
    node = node[part];
  });
  node[parts[parts.length - 1]] = value;
}

export class Store {
  constructor(url) {
    this.url = url;
    this.state = {};
    this.status = CONNECTING;
    this.retryAt = null;
    this.attempt = 0;
    this.socket = null;
    this.timer = null;
    this.listeners = new Set();
    this.frame = null;
    this.fresh = false;
  }

  /** listener(state, status) after every batch of changes; returns the unsubscribe function. */
  subscribe(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  connect() {
    clearTimeout(this.timer);
    this.timer = null;
    this.retryAt = null;
    this.setStatus(CONNECTING);
    const socket = new WebSocket(this.url);
    this.socket = socket;
    // the first message after (re)connecting is the whole state: it replaces what a previous server said
    this.fresh = true;
    const hung = setTimeout(() => socket.close(), CONNECT_TIMEOUT_MS);
    socket.addEventListener('open', () => clearTimeout(hung));
    socket.addEventListener('message', (event) => this.receive(event.data));
    socket.addEventListener('close', () => {
      clearTimeout(hung);
      if (this.socket === socket) this.lost();
    });
  }

  /** Try again now (the banner's button, a phone waking up, the network coming back). */
  reconnect() {
    if (this.status === ONLINE || this.status === CONNECTING) return;
    this.connect();
  }

  receive(text) {
    let message;
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    if (this.fresh) {
      this.state = {};
      this.fresh = false;
      this.attempt = 0;
      this.setStatus(ONLINE);
    }
    for (const [key, value] of Object.entries(message)) assign(this.state, key, value);
    this.changed();
  }

  lost() {
    this.socket = null;
    const delay = Math.min(LAST_RETRY_MS, FIRST_RETRY_MS * 2 ** this.attempt) * (0.75 + Math.random() * 0.5);
    this.attempt += 1;
    this.retryAt = Date.now() + delay;
    this.timer = setTimeout(() => this.connect(), delay);
    this.setStatus(OFFLINE);
  }

  /** A setter's answer is the effective value: show it now rather than after the next broadcast. */
  patch(key, value) {
    assign(this.state, key, value);
    this.changed();
  }

  setStatus(status) {
    this.status = status;
    this.changed();
  }

  changed() {
    if (this.frame !== null) return;
    // several messages can arrive within one frame; the page is drawn once for all of them
    this.frame = requestAnimationFrame(() => {
      this.frame = null;
      for (const listener of this.listeners) listener(this.state, this.status);
    });
  }
}
