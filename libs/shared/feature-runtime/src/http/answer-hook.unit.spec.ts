import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import { listenForAnswers, setAnswerListener } from './answer-hook.js';

describe('answer listeners', () => {
  it('hold the answer until what the listener returned has settled (the journal written), and never change it when it fails', async () => {
    const app = Fastify();
    listenForAnswers(app);
    const events: string[] = [];
    let release!: () => void;
    const written = new Promise<void>((resolve) => (release = resolve));
    app.get('/held', (request, reply) => {
      setAnswerListener(request, () => {
        events.push('listener');
        return written.then(() => void events.push('written'));
      });
      return reply.send('held');
    });
    app.get('/failing', (request, reply) => {
      setAnswerListener(request, () => Promise.reject(new Error('disk full')));
      return reply.code(201).send('kept');
    });
    try {
      const held = app.inject({ method: 'GET', url: '/held' }).then((response) => {
        events.push('answered');
        return response;
      });
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(events, ['listener'], 'no answer while the write is pending');
      release();
      assert.equal((await held).body, 'held');
      assert.deepEqual(events, ['listener', 'written', 'answered']);
      const failing = await app.inject({ method: 'GET', url: '/failing' });
      assert.deepEqual([failing.statusCode, failing.body], [201, 'kept']);
    } finally {
      await app.close();
    }
  });
});
