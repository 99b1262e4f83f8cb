import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import doc from '../../src/delivery/openapi.json';
import { decideSchema, groupSchema, identifySchema, publishSchema, trackSchema } from '../../src/delivery/schemas';
import { ROUTES } from '../../src/delivery/server';
import { useDeliveryServer } from './delivery-helpers';

const start = useDeliveryServer();

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'] as const;

interface Operation {
  operationId?: string;
  security?: Record<string, string[]>[];
  requestBody?: { content: Record<string, { schema: unknown; example?: unknown }> };
  responses: Record<string, unknown>;
}

const paths = doc.paths as unknown as Record<string, Record<string, Operation | unknown>>;

function operations(): { method: string; path: string; op: Operation }[] {
  const found: { method: string; path: string; op: Operation }[] = [];
  for (const [path, item] of Object.entries(paths)) {
    for (const method of METHODS) {
      const op = item[method] as Operation | undefined;
      if (op) found.push({ method: method.toUpperCase(), path, op });
    }
  }
  return found;
}

describe('openapi.json and the router table', () => {
  it('describe exactly the same routes, with the same methods and names', () => {
    const documented = operations()
      .map((o) => `${o.method} ${o.path}`)
      .sort();
    const routed = ROUTES.map((r) => `${r.method} ${r.path}`).sort();
    expect(documented).toEqual(routed);
    for (const route of ROUTES) {
      const op = (paths[route.path] as Record<string, Operation>)[route.method.toLowerCase()] as Operation;
      expect(op.operationId, `${route.method} ${route.path}`).toBe(route.name);
    }
  });

  it('name the credential each route really takes', () => {
    for (const route of ROUTES) {
      const op = (paths[route.path] as Record<string, Operation>)[route.method.toLowerCase()] as Operation;
      const expected = route.access === 'admin' ? [{ adminToken: [] }] : route.access === 'client' ? [{ publicKey: [] }] : [];
      expect(op.security, `${route.method} ${route.path}`).toEqual(expected);
      if (route.access !== 'public') expect(Object.keys(op.responses), route.path).toEqual(expect.arrayContaining(['401', '429']));
    }
  });

  it('document a JSON body exactly for the routes that read one', () => {
    for (const route of ROUTES) {
      const op = (paths[route.path] as Record<string, Operation>)[route.method.toLowerCase()] as Operation;
      expect(op.requestBody !== undefined, `${route.method} ${route.path}`).toBe(route.maxBody > 0);
      if (route.maxBody > 0) expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['400', '413']));
    }
  });

  it('every $ref points at a schema that exists', () => {
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
    expect(refs.length).toBeGreaterThan(20);
    const schemas = doc.components.schemas as Record<string, unknown>;
    for (const ref of refs) {
      const name = /#\/components\/schemas\/([^"]+)"/.exec(ref)?.[1];
      expect(name && schemas[name], ref).toBeTruthy();
    }
  });

  /** A documented body's fields and required list are the server's zod schema's. */
  const expectSameFields = (schema: { properties: object; required: readonly string[] }, shape: Record<string, z.ZodType>): void => {
    expect(Object.keys(schema.properties).sort()).toEqual(Object.keys(shape).sort());
    const required = Object.keys(shape).filter((key) => !shape[key]!.safeParse(undefined).success);
    expect([...schema.required].sort()).toEqual(required.sort());
  };

  it("the publish body's fields and required list match the server's schema", () => {
    expectSameFields(doc.components.schemas.PublishBody, publishSchema.shape);
  });

  it("the group body's fields and required list match the server's schema, and it says a groupId is not verified", () => {
    const schema = doc.components.schemas.GroupBody;
    expectSameFields(schema, groupSchema.shape);
    expect(schema.description).toMatch(/groupId is the client's claim.*identity verification does not cover it/);
    expect(doc.components.schemas.ExportedRecord.properties.type.enum).toContain('group');
    expect(doc.components.schemas.Condition.oneOf).toContainEqual({ $ref: '#/components/schemas/AccountCondition' });
  });

  it("the examples in the document are bodies the server accepts", () => {
    const byRoute: Record<string, z.ZodType> = { publish: publishSchema, identify: identifySchema, group: groupSchema, track: trackSchema, decide: decideSchema };
    for (const route of ROUTES.filter((r) => r.maxBody > 0)) {
      const op = (paths[route.path] as Record<string, Operation>)[route.method.toLowerCase()] as Operation;
      const example = op.requestBody?.content['application/json']?.example;
      expect(example, route.name).toBeDefined();
      const result = (byRoute[route.name] as z.ZodType).safeParse(example);
      expect(result.success, `${route.name}: ${JSON.stringify(result.error?.issues)}`).toBe(true);
    }
  });

  it("the publish answer documents the warnings the server returns", async () => {
    const answer = doc.components.schemas.PublishAnswer;
    expect(answer.required).toEqual(['message', 'created', 'warnings']);
    expect(answer.properties.warnings.items.required).toEqual(['field', 'message']);
    const r = await start();
    const reply = await r.admin('PUT', '/v1/messages/m1', { kind: 'modal', content: { title: 'Hi' }, rule: { version: 1, match: 'all', conditions: [] }, environment: 'production', version: 1, trigger: { page: '*?plan=pro' } });
    expect(Object.keys(reply.json).sort()).toEqual(Object.keys(answer.properties).sort());
    expect(Object.keys(reply.json.warnings[0]).sort()).toEqual(Object.keys(answer.properties.warnings.items.properties).sort());
  });

  it('the server serves the document', async () => {
    const r = await start();
    const reply = await r.raw('GET', '/v1/openapi.json');
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual(doc);
  });

  it('the health answer and a message\'s results have exactly the documented fields, and say what they count', async () => {
    const r = await start();
    const { Health, Results } = doc.components.schemas;
    const health = (await r.raw('GET', '/v1/health')).json as Record<string, unknown>;
    expect(Object.keys(health).sort()).toEqual(Object.keys(Health.properties).sort());
    expect([...Health.required].sort()).toEqual(Object.keys(health).sort());
    expect(Health.properties.clampedTimestamps.description).toMatch(/since the process started.*more than 5 minutes ahead/);
    await r.publish('m1');
    const results = (await r.admin('GET', '/v1/messages/m1')).json.message.results as Record<string, unknown>;
    expect(Object.keys(results).sort()).toEqual(Object.keys(Results.properties).sort());
    expect(Results.description).toMatch(/^Distinct users per metric.*Replayed events never move a count.*latest answer/);
  });
});
