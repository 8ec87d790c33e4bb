import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { AccessRecorded } from '@quiver/shared-contracts-identity';
import { AccessFacts, type PasswordCheck } from '@quiver/shared-feature-access';
import { listenForAnswers } from '@quiver/shared-feature-runtime';
import { SignInController } from './sign-in.controller.js';
import { SIGN_IN } from './sign-in.service.js';

/** A journal whose group commit settles only when the test says so. */
class HeldJournal {
  readonly facts: AccessRecorded[] = [];
  private pending: Promise<void> | undefined;
  private release: (() => void) | undefined;

  record(fact: AccessRecorded): void {
    this.facts.push(fact);
    this.pending ??= new Promise<void>((resolve) => (this.release = resolve));
  }

  written(): Promise<void> | undefined {
    return this.pending;
  }

  commit(): void {
    this.release?.();
  }
}

describe('sign-in answers (a public route)', () => {
  it('go out only after the auth.login fact they recorded is written, like a guarded route’s', async () => {
    const journal = new HeldJournal();
    const facts = new AccessFacts('auth', journal);
    // The directory's answer: a wrong password, recorded as the real service records it.
    const signIn = {
      configured: true,
      facts,
      checkRecorded: (username: string): Promise<PasswordCheck> => {
        facts.record({ action: 'auth.login', outcome: 'denied', actor: username, status: 401 });
        return Promise.resolve({ ok: false, refusal: 'invalid' });
      },
    };
    @Module({ controllers: [SignInController], providers: [{ provide: SIGN_IN, useValue: signIn }] })
    class SignInModule {}
    const app = await NestFactory.create<NestFastifyApplication>(SignInModule, new FastifyAdapter(), { logger: false });
    listenForAnswers(app.getHttpAdapter().getInstance());
    await app.init();
    try {
      const events: string[] = [];
      const answer = app.inject({ method: 'POST', url: '/api/auth/login', headers: { authorization: `Basic ${Buffer.from('mallory:wrong').toString('base64')}` } }).then((response) => {
        events.push('answered');
        return response;
      });
      const deadline = Date.now() + 5_000;
      while (journal.facts.length === 0 && Date.now() < deadline) {
        await new Promise((resolve) => setImmediate(resolve));
      }
      assert.deepEqual(journal.facts.map((fact) => [fact.action, fact.actor]), [['auth.login', 'mallory']]);
      for (let turn = 0; turn < 20; turn += 1) {
        await new Promise((resolve) => setImmediate(resolve));
      }
      assert.deepEqual(events, [], 'no answer while its fact is not written');
      journal.commit();
      assert.equal((await answer).statusCode, 401);
      assert.deepEqual(events, ['answered']);
    } finally {
      await app.close();
    }
  });
});
