import { z } from 'zod';
import {
  ackRequestSchema,
  alarmSchema,
  alarmsQuerySchema,
  predictRequestSchema,
  predictResponseSchema,
  ruleLimitsInputSchema,
  ruleLimitsSchema,
  scoreJobResultSchema,
  scoreRequestSchema,
  scoreResponseSchema,
  spanInputSchema,
  spanSchema,
  spansQuerySchema,
  taskAcceptedSchema,
  trainJobResultSchema,
  trainRequestSchema,
} from '../../shared/ml';
import { bearer, problems, type OpenAPIRegistry } from '../openapi/registry';

const json = (schema: z.ZodType) => ({ 'application/json': { schema } });
const deviceParam = z.object({ device_id: z.string().describe('a device id, or * for the default row') });

/** The anomaly check's routes in /openapi.json, from the same zod schemas the routes parse with. */
export function registerMlDocs(r: OpenAPIRegistry): void {
  r.registerPath({
    method: 'post',
    path: '/api/ml/predict',
    summary: 'Score one reading: limits, guards and the random forest with the device history; reasons in words',
    security: bearer,
    request: { body: { content: json(predictRequestSchema), required: true } },
    responses: { 200: { description: 'the score and why', content: json(predictResponseSchema) }, ...problems(400, 401, 403, 415, 422) },
  });
  r.registerPath({
    method: 'post',
    path: '/api/ml/score',
    summary: 'Score the stored readings of a device in a range',
    description: 'Up to 20,000 readings answer at once; a longer range (or async: true) answers 202 with a background task (ml.score).',
    security: bearer,
    request: { body: { content: json(scoreRequestSchema), required: true } },
    responses: {
      200: { description: 'one point per reading', content: json(scoreResponseSchema) },
      202: { description: 'a background task', content: json(taskAcceptedSchema) },
      ...problems(400, 401, 403, 404, 415, 422),
    },
  });
  r.registerPath({
    method: 'post',
    path: '/api/ml/train',
    summary: 'Train a new model as a background task (ml.train, admins only)',
    security: bearer,
    request: { body: { content: json(trainRequestSchema), required: true } },
    responses: { 202: { description: 'a background task', content: json(taskAcceptedSchema) }, ...problems(400, 401, 403, 415, 422) },
  });
  r.registerPath({
    method: 'get',
    path: '/api/ml/tasks/{task_id}/result',
    summary: 'The result of a finished ml.score or ml.train task',
    security: bearer,
    request: { params: z.object({ task_id: z.string() }) },
    responses: {
      200: { description: 'scores (columns) or the trained model summary', content: json(z.union([scoreJobResultSchema, trainJobResultSchema])) },
      ...problems(401, 404, 409),
    },
  });
  r.registerPath({
    method: 'get',
    path: '/api/ml/model',
    summary: 'The active model: version, windows, threshold, validation metrics (no forest)',
    security: bearer,
    responses: { 200: { description: 'model header and metrics', content: json(z.record(z.string(), z.unknown())) }, ...problems(401, 404) },
  });
  r.registerPath({
    method: 'get',
    path: '/api/ml/limits',
    summary: 'Every rule-limit row; the shipped defaults answer as * until an admin sets one',
    security: bearer,
    responses: { 200: { description: 'limits', content: json(z.array(ruleLimitsSchema)) }, ...problems(401, 403) },
  });
  r.registerPath({
    method: 'put',
    path: '/api/ml/limits/{device_id}',
    summary: 'Set the rule limits and alarm delays of a device, or * for the default (admins)',
    security: bearer,
    request: { params: deviceParam, body: { content: json(ruleLimitsInputSchema), required: true } },
    responses: { 200: { description: 'the stored row', content: json(ruleLimitsSchema) }, ...problems(400, 401, 403, 415, 422) },
  });
  r.registerPath({
    method: 'get',
    path: '/api/ml/spans',
    summary: 'Judged spans (marked normal or labelled), of one device or all',
    security: bearer,
    request: { query: spansQuerySchema },
    responses: { 200: { description: 'spans', content: json(z.array(spanSchema)) }, ...problems(401, 422) },
  });
  r.registerPath({
    method: 'post',
    path: '/api/ml/spans',
    summary: 'Mark a span normal (admins: the station stops flagging it and adapts) or label it for training (engineers too)',
    security: bearer,
    request: { body: { content: json(spanInputSchema), required: true } },
    responses: { 201: { description: 'the stored span', content: json(spanSchema) }, ...problems(400, 401, 403, 404, 415, 422) },
  });
  r.registerPath({
    method: 'delete',
    path: '/api/ml/spans/{id}',
    summary: 'Remove a span (admins any; engineers their own labels)',
    security: bearer,
    request: { params: z.object({ id: z.string() }) },
    responses: { 204: { description: 'removed' }, ...problems(401, 403, 404) },
  });
  r.registerPath({
    method: 'get',
    path: '/api/alarms',
    summary: 'Alarms, newest first, with filters',
    security: bearer,
    request: { query: alarmsQuerySchema },
    responses: { 200: { description: 'alarms', content: json(z.array(alarmSchema)) }, ...problems(401, 422) },
  });
  r.registerPath({
    method: 'post',
    path: '/api/alarms/{id}/ack',
    summary: 'Acknowledge an alarm (first acknowledgement wins; audit-logged)',
    security: bearer,
    request: { params: z.object({ id: z.string() }), body: { content: json(ackRequestSchema), required: false } },
    responses: { 200: { description: 'the alarm' }, ...problems(401, 404, 409, 422) },
  });
}
