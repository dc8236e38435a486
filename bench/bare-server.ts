// The reference for single-reading ingest: a bare Express 5 route answering 204, in the same
// kind of process as the station (node, express 5, keep-alive). What the station adds on top of
// it (authentication, parsing, validation, the SQLite transaction) is the cost being measured.
import express from 'express';

const app = express();
app.disable('x-powered-by');
app.post('/api/telemetry', (_req, res) => void res.status(204).end());
app.get('/health', (_req, res) => void res.json({ status: 'ok' }));
const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`listening on http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}\n`);
});
server.keepAliveTimeout = 65_000;
process.on('SIGTERM', () => server.close(() => process.exit(0)));
