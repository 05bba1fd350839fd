// One shared slow link between the browser and the server, as a phone on 2G has: every TCP
// connection (page, its worker, the service worker) goes through this proxy, which delays each
// direction by half the round trip and lets bytes through at the link's rate, all connections
// queued on one line. Opening a connection costs one round trip, as a TCP handshake does.
import net from 'node:net';

/** Bytes cross the link in packets of this size: a large write arrives gradually, not at once. */
const MTU = 1460;

/** A link direction shared by every connection: one packet on the wire at a time, at
 *  `bytesPerSec`, taken from the connections with data waiting in turn (as TCP flows share a
 *  bottleneck, roughly fairly), each arriving `delayMs` after it has been sent. Each call of the
 *  returned function makes one connection's sender; its packets arrive in order. */
function link(bytesPerSec, delayMs) {
  const waiting = []; // senders with packets queued, in turn order
  let busy = false;
  const sendNext = () => {
    const flow = waiting.shift();
    if (!flow) { busy = false; return; }
    busy = true;
    const piece = flow.queue.shift();
    if (flow.queue.length) waiting.push(flow);
    setTimeout(() => {
      setTimeout(piece.write, delayMs);
      sendNext();
    }, (piece.bytes * 1000) / bytesPerSec);
  };
  return () => {
    const flow = { queue: [] };
    return (buf, write) => {
      // Zero-length (the end of a stream): after everything already queued on this connection.
      for (let i = 0; i < Math.max(1, buf.length); i += MTU) {
        const piece = buf.subarray(i, i + MTU);
        flow.queue.push({ bytes: piece.length, write: () => write(piece) });
      }
      if (!waiting.includes(flow) && flow.queue.length) waiting.push(flow);
      if (!busy) sendNext();
    };
  };
}

/** Listen on loopback; returns the proxy's base URL and a stop function. Counts bytes down. */
export async function slowLink(target, { rttMs = 800, kbitPerSec = 250 } = {}) {
  const { hostname, port } = new URL(target);
  const rate = (kbitPerSec * 1000) / 8;
  const downLink = link(rate, rttMs / 2);
  const upLink = link(rate, rttMs / 2);
  const stats = { down: 0, up: 0, connections: 0 };
  const sockets = new Set();
  const server = net.createServer((client) => {
    stats.connections++;
    sockets.add(client);
    const pending = [];
    let upstream = null;
    const down = downLink();
    const up = upLink();
    const toServer = (b) => up(b, (piece) => upstream && !upstream.destroyed && upstream.write(piece));
    client.on('data', (b) => {
      stats.up += b.length;
      if (upstream) toServer(b);
      else pending.push(b);
    });
    const close = () => { client.destroy(); upstream?.destroy(); };
    client.on('error', close);
    client.on('close', () => { sockets.delete(client); upstream?.end(); });
    setTimeout(() => {
      if (client.destroyed) return;
      upstream = net.connect(Number(port), hostname);
      sockets.add(upstream);
      upstream.on('connect', () => pending.splice(0).forEach(toServer));
      upstream.on('data', (b) => {
        stats.down += b.length;
        down(b, (piece) => !client.destroyed && client.write(piece));
      });
      upstream.on('error', close);
      upstream.on('close', () => { sockets.delete(upstream); down(Buffer.alloc(0), () => client.end()); });
    }, rttMs);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${server.address().port}`;
  return {
    url,
    stats,
    stop: () => new Promise((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }),
  };
}
