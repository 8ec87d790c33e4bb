/**
 * The public audit stream's contract files (docs/stream/): the JSON Schema accepts what the relay
 * publishes and refuses what breaks the contract; the AsyncAPI document is valid AsyncAPI 3.0 (the
 * specification's own JSON Schema) and points at that schema, topic and header.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import asyncapiSpecs from '@asyncapi/specs';
import { Ajv, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule, { type FormatsPlugin } from 'ajv-formats';
import { parse as parseYaml } from 'yaml';
import { AUDIT_STREAM_TOPIC, CLOUDEVENTS_JSON_CONTENT_TYPE, toAuditCloudEvent, type AuditLogRow } from '@quiver/audit-feature-service';

const root = join(import.meta.dirname, '..', '..', '..');
const streamDocs = join(root, 'docs', 'stream');
const readJson = (path: string): Record<string, unknown> => JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
// ajv-formats is CommonJS whose module.exports is the plugin itself: the default import is the function.
const addFormats = addFormatsModule as unknown as FormatsPlugin;

function eventSchemaValidator(): ValidateFunction {
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
  addFormats(ajv);
  return ajv.compile(readJson(join(streamDocs, 'schemas', 'audit-event.json')));
}

const hex = (digit: string): string => digit.repeat(64);

const row = (overrides: Partial<AuditLogRow> = {}): AuditLogRow => ({
  seq: '7',
  fact_id: 'a3c1c2d0-5b8e-4f0a-9d61-0c7b1e2f3a4b',
  time: '2026-12-07T09:15:02.123456Z',
  service: 'index',
  action: 'file.download',
  outcome: 'success',
  actor: 'ci-bot',
  token_id: 'tok_1',
  client_address: '10.1.2.3',
  user_agent: 'pip/26.3',
  project: 'demo',
  version: '1.0',
  filename: 'demo-1.0-py3-none-any.whl',
  status: 200,
  reason: null,
  details: { bytes: 1234, cached: true, note: null },
  prev_hash: hex('a'),
  hash: hex('b'),
  ...overrides,
});

describe('audit stream JSON Schema (draft 2020-12, ajv)', () => {
  const validate = eventSchemaValidator();
  const valid = (event: unknown): boolean => validate(event);

  it('accepts the events the relay makes: with and without a project, every outcome, nested details flattened', () => {
    const samples = [
      toAuditCloudEvent(row()),
      toAuditCloudEvent(row({ seq: '1', service: 'auth', action: 'auth.login', outcome: 'denied', actor: 'alice', token_id: null, project: null, version: null, filename: null, status: 401, reason: 'bad-credentials', details: {} })),
      toAuditCloudEvent(row({ action: 'package.upload', outcome: 'refused', status: 400, reason: 'invalid-metadata', details: { nested: { a: 1 } } })),
      toAuditCloudEvent(row({ action: 'maintenance.run', outcome: 'failed', service: 'upload', actor: 'system:gc', status: null, client_address: null, user_agent: null, details: null })),
    ];
    for (const event of samples) {
      assert.ok(valid(event), JSON.stringify(validate.errors));
    }
    assert.equal(samples[1]?.subject, undefined, 'no project: no subject attribute at all');
    assert.equal(samples[0]?.subject, 'demo');
    assert.deepEqual(samples[2]?.data.details, { nested: '{"a":1}' });
    assert.equal(samples[0]?.type, 'dev.quiver.audit.file.download');
    assert.equal(samples[0]?.source, '/quiver/index');
    assert.equal(samples[0]?.data.seq, 7);
  });

  it('refuses an event without any one of the required attributes or entry fields', () => {
    const event = toAuditCloudEvent(row()) as unknown as Record<string, unknown>;
    for (const attribute of ['specversion', 'id', 'source', 'type', 'time', 'datacontenttype', 'data']) {
      const broken = { ...event };
      delete broken[attribute];
      assert.equal(valid(broken), false, `without ${attribute}`);
    }
    const data = event['data'] as Record<string, unknown>;
    for (const field of Object.keys(data)) {
      const broken = { ...data };
      delete broken[field];
      assert.equal(valid({ ...event, data: broken }), false, `without data.${field}`);
    }
  });

  it('refuses wrong values: spec version, outcome, time, hash, nested details, seq', () => {
    const event = toAuditCloudEvent(row());
    const cases: Record<string, unknown> = {
      specversion: { ...event, specversion: '0.3' },
      outcome: { ...event, data: { ...event.data, outcome: 'ok' } },
      time: { ...event, time: 'yesterday' },
      hash: { ...event, data: { ...event.data, hash: 'abc' } },
      details: { ...event, data: { ...event.data, details: { nested: { a: 1 } } } },
      seq: { ...event, data: { ...event.data, seq: 0 } },
      type: { ...event, type: 'file.download' },
    };
    for (const [what, broken] of Object.entries(cases)) {
      assert.equal(valid(broken), false, what);
    }
  });
});

/** The parts of the AsyncAPI document this spec reads (the AsyncAPI schema checks the rest). */
interface AsyncApiDocument {
  readonly channels: { readonly auditV1: { readonly address: string; readonly bindings: { readonly kafka: { readonly topic: string } } } };
  readonly operations: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly components: {
    readonly messages: {
      readonly auditEvent: {
        readonly headers: { readonly properties: Readonly<Record<string, { readonly const: string }>> };
        readonly payload: { readonly schemaFormat: string; readonly schema: { readonly $ref: string } };
        readonly examples: readonly { readonly payload: unknown; readonly headers: Readonly<Record<string, string>> }[];
      };
    };
  };
}

describe('audit stream AsyncAPI document', () => {
  const doc = parseYaml(readFileSync(join(streamDocs, 'asyncapi.yaml'), 'utf8')) as AsyncApiDocument;

  it('is valid AsyncAPI 3.0.0 by the specification\'s JSON Schema', () => {
    // The bundled schema embeds the draft-07 meta-schema itself: ajv must not add its own copy.
    const ajv = new Ajv({ strict: false, allErrors: true, meta: false, validateSchema: false });
    addFormats(ajv);
    const validate = ajv.compile(asyncapiSpecs.schemas['3.0.0'] as object);
    assert.ok(validate(doc), JSON.stringify(validate.errors, null, 1));
    assert.equal(validate({ ...doc, operations: { read: { ...doc.operations['receiveAuditEvent'], action: 'subscribe' } } }), false, 'AsyncAPI 2 vocabulary is refused');
  });

  it('names the topic, the structured-mode header and the JSON Schema the relay and the consumer use', () => {
    assert.equal(doc.channels.auditV1.address, AUDIT_STREAM_TOPIC);
    assert.equal(doc.channels.auditV1.bindings.kafka.topic, AUDIT_STREAM_TOPIC);
    const message = doc.components.messages.auditEvent;
    assert.equal(message.headers.properties['content-type']?.const, CLOUDEVENTS_JSON_CONTENT_TYPE);
    assert.equal(message.payload.schemaFormat, 'application/schema+json;version=draft-2020-12');
    assert.equal(message.payload.schema.$ref, './schemas/audit-event.json');
    assert.equal(readJson(join(streamDocs, message.payload.schema.$ref))['$schema'], 'https://json-schema.org/draft/2020-12/schema');
  });

  it('has examples that the JSON Schema accepts', () => {
    const validate = eventSchemaValidator();
    const examples = doc.components.messages.auditEvent.examples;
    assert.ok(examples.length >= 2);
    for (const example of examples) {
      assert.ok(validate(example.payload), JSON.stringify(validate.errors));
      assert.equal(example.headers['content-type'], CLOUDEVENTS_JSON_CONTENT_TYPE);
    }
  });
});
