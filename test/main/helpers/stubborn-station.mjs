// A child that speaks just enough of the station protocol to test the supervisor's limits:
// STUBBORN=never-ready never answers 'start'; STUBBORN=ignore-shutdown says ready, then ignores 'shutdown'
// (and SIGTERM), as a station stuck in a long job would; STUBBORN=hang says ready, then answers nothing,
// as a station whose event loop is stuck for good.
process.on('SIGTERM', () => {});
process.on('message', (m) => {
  if (m?.type === 'start' && (process.env.STUBBORN === 'ignore-shutdown' || process.env.STUBBORN === 'hang')) {
    process.send({ type: 'ready', url: 'http://127.0.0.1:9', port: 9, version: '0', pid: process.pid, dataDir: '/x', databasePath: '/x/db' });
  }
});
setInterval(() => {}, 1000);
