// The kiosk's WebSocket to the box: hello, heartbeats, reconnection.
//
// Reconnection follows the protocol: exponential back-off from 1 s doubling up to
// 30 s with full jitter; after a 1012 (server restarting) the first retry comes
// after uniform(0.5, 5) s, so a fleet does not return all at once.

const PING_MS = 20000;
const PONG_TIMEOUT_MS = 10000; // no answer to our ping by then: the connection is dead
const CONNECT_TIMEOUT_MS = 15000;
const BACKOFF_BASE_MS = 1000;
const BACKOFF_MAX_MS = 30000;
export const UNAUTHORIZED = 4401;
export const SERVER_RESTART = 1012;

/** Connection states: "connecting", "connected", "reconnecting" (it was connected
 * and is trying again), "offline" (the box could not be reached). */
export class KioskConnection {
  /**
   * @param {object} options
   * @param {() => object} options.hello  the hello's data, asked at each connect
   * @param {(message: object) => void} options.onMessage  every message from the box
   * @param {(state: string) => void} options.onState
   * @param {() => void} options.onUnauthorized  close 4401: the token is bad or revoked
   */
  constructor({ hello, onMessage, onState, onUnauthorized }) {
    Object.assign(this, { hello, onMessage, onState, onUnauthorized });
    this.state = null;
    this.socket = null;
    this.attempt = 0;
    this.stopped = false;
    this.timers = new Set();
  }

  start() {
    this.stopped = false;
    this.setState("connecting");
    this.open();
  }

  stop() {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    clearInterval(this.pinger);
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      socket.onopen = socket.onmessage = socket.onclose = socket.onerror = null;
      socket.close(1000);
    }
  }

  get connected() {
    return this.state === "connected";
  }

  /** Send ``{type, data}`` if connected; false when there is no connection. */
  send(type, data) {
    if (!this.connected || this.socket?.readyState !== WebSocket.OPEN) return false;
    this.socket.send(JSON.stringify(data === undefined ? { type } : { type, data }));
    return true;
  }

  setState(state) {
    if (state === this.state) return;
    this.state = state;
    this.onState(state);
  }

  later(ms, fn) {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
    return timer;
  }

  open() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const socket = new WebSocket(`${scheme}//${location.host}/kiosk/ws`);
    this.socket = socket;
    let welcomed = false;
    const connectTimer = this.later(CONNECT_TIMEOUT_MS, () => this.lost(socket, 1006, welcomed));

    socket.onopen = () => {
      socket.send(JSON.stringify({ type: "hello", data: this.hello() }));
    };
    socket.onmessage = (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      if (!message || typeof message.type !== "string") return;
      this.heard = Date.now();
      if (message.type === "welcome") {
        welcomed = true;
        clearTimeout(connectTimer);
        this.timers.delete(connectTimer);
        this.attempt = 0;
        this.setState("connected");
        this.startPinging(socket);
      } else if (message.type === "ping") {
        this.send("pong");
      }
      this.onMessage(message);
    };
    socket.onclose = (event) => this.lost(socket, event.code, welcomed);
  }

  startPinging(socket) {
    clearInterval(this.pinger);
    this.pinger = setInterval(() => {
      const sent = Date.now();
      if (!this.send("ping")) return;
      // Any message counts as a sign of life, not only the pong.
      this.later(PONG_TIMEOUT_MS, () => {
        if (this.socket === socket && this.heard < sent) this.lost(socket, 1006, true);
      });
    }, PING_MS);
  }

  /** The socket is gone (closed by either side, or given up on): retry or stop. */
  lost(socket, code, welcomed) {
    if (this.socket !== socket) return; // already handled
    this.socket = null;
    clearInterval(this.pinger);
    socket.onopen = socket.onmessage = socket.onclose = socket.onerror = null;
    if (socket.readyState !== WebSocket.CLOSED) socket.close();
    if (this.stopped) return;
    if (code === UNAUTHORIZED) {
      this.stop();
      this.onUnauthorized();
      return;
    }
    this.setState(welcomed ? "reconnecting" : "offline");
    let delay;
    if (code === SERVER_RESTART) {
      delay = 500 + Math.random() * 4500;
      this.attempt = 0;
    } else {
      delay = Math.random() * Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** this.attempt);
      this.attempt += 1;
    }
    this.later(delay, () => this.open());
  }
}
