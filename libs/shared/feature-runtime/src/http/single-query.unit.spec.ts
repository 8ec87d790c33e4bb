import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BadRequestException } from '@nestjs/common';
import { singleQueryValue } from './single-query.js';

describe('singleQueryValue', () => {
  it('gives the value of a parameter given once, or undefined', () => {
    assert.equal(singleQueryValue({ format: 'text/html' }, 'format'), 'text/html');
    assert.equal(singleQueryValue({ format: '' }, 'format'), '');
    assert.equal(singleQueryValue({}, 'format'), undefined);
    assert.equal(singleQueryValue(undefined, 'format'), undefined);
    assert.equal(singleQueryValue(Object.create({ format: 'inherited' }) as object, 'format'), undefined, 'own properties only');
  });

  it('refuses a repeated parameter with a 400 that names it', () => {
    assert.throws(
      () => singleQueryValue({ format: ['a', 'b'] }, 'format'),
      (error: unknown) =>
        error instanceof BadRequestException &&
        error.getStatus() === 400 &&
        error.message === "Bad request: the query parameter 'format' is given 2 times; give it at most once." &&
        (error.getResponse() as { code?: string }).code === 'repeated-query-parameter',
    );
    assert.throws(() => singleQueryValue({ format: { a: 'x' } }, 'format'), /'format' is given in an unexpected form/);
  });
});
