import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, request as httpRequest, Agent, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { describe, it } from 'node:test';
import { boundBody } from './body-deadline.js';

describe('boundBody', () => {
  it('leaves nothing on a kept-alive connection once a body is whole: 50 uploads over one socket add no listener', async () => {
    const sockets = new Set<Socket>();
    const closeListeners: number[] = [];
    const server = createServer((request: IncomingMessage, response) => {
      sockets.add(request.socket);
      boundBody(request, response, { idleMs: 5_000, totalMs: 10_000, lingerMs: 1_000 }, () => undefined);
      request.resume();
      request.once('end', () => {
        response.end('ok', () => closeListeners.push(request.socket.listenerCount('close')));
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const { port } = server.address() as AddressInfo;
      for (let index = 0; index < 50; index += 1) {
        const sent = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/', agent, headers: { 'content-length': '5' } });
        sent.end('hello');
        const [answer] = (await once(sent, 'response')) as [IncomingMessage];
        answer.resume();
        await once(answer, 'end');
      }
      assert.equal(sockets.size, 1, 'every request went over one connection');
      assert.ok(closeListeners.length === 50, `${closeListeners.length} answers`);
      assert.ok(closeListeners.every((count) => count === closeListeners[0]), `close listeners on the socket after each request: ${closeListeners.join(' ')}`);
    } finally {
      agent.destroy();
      server.close();
    }
  });
});
