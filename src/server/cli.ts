import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from './config';
import { layoutProgressLogger } from './db/layout-progress-log';
import { migrate, MigrationError } from './db/migrate';
import { closeDatabase, DatabaseNotWritableError, openDatabase } from './db/open';
import { createLogger } from './logger';
import { runTrainCommand, TRAIN_USAGE, TrainCommandError } from './ml/train-command';
import { seedDatabase } from './seed/seed';
import { inProcessChannel, runStationEntry } from './entry/station-entry';

/** Headless commands: `node out/main/cli.js <command> [options]`. */
const COMMANDS: Record<string, { help: string; usage?: string; run: (args: string[]) => Promise<void> }> = {
  serve: { help: 'start the station (HOST, PORT, DATA_DIR, ...)', run: serve },
  seed: { help: 'create the database with one sample reading; --demo adds demo users, keys and a week of telemetry', run: seed },
  worker: {
    help: 'run BullMQ job workers (exports) beside a station, on the same host and database; needs REDIS_URL',
    run: async () => (await import('./jobs/worker-command')).workerCommand((await import('./station-jobs')).STATION_JOBS),
  },
  migrate: { help: 'apply pending database migrations and exit', run: migrateCommand },
  train: {
    help: 'train the anomaly model (--data PATH | --from-db, --ship, --seed, --trees); see docs/ML.md',
    usage: TRAIN_USAGE,
    run: async (args) => void (await runTrainCommand(args, loadConfig())),
  },
};

/**
 * The headless station runs through the same entry module as the desktop app's station process,
 * in this process: the entry owns start, signals, clean shutdown and the exit code.
 */
async function serve(): Promise<void> {
  const { channel, send } = inProcessChannel((message) => {
    // Only on 'ready' say so: whoever waits for this line (a supervisor, the tests) may stop us right away.
    if (message.type === 'ready') {
      process.stdout.write(`SMART Oilfield station listening on ${message.url} (UI at ${message.url}/, API docs at ${message.url}/docs)\n`);
    } else if (message.type === 'fatal') {
      process.stderr.write(`error: ${message.message}\n`);
    }
  });
  runStationEntry(channel, {
    env: process.env,
    exit: (code) => process.exit(code),
    onGeneratedAdminPassword: (username, password) => {
      process.stdout.write(
        `\nNo users existed, so an admin was created. Sign in with:\n  username: ${username}\n  password: ${password}\n` +
          `This password is shown only once. Change it after signing in (or set ADMIN_PASSWORD before the first start).\n\n`,
      );
    },
  });
  send({ type: 'start', settings: { env: {} } });
}

async function seed(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { demo: { type: 'boolean', default: false }, days: { type: 'string' } } });
  const config = loadConfig();
  const db = openDatabase(config.databasePath);
  try {
    migrate(db);
    const days = values.days === undefined ? undefined : Number(values.days);
    if (days !== undefined && !(days > 0 && days <= 366)) throw new ConfigError('--days must be between 1 and 366');
    const report = await seedDatabase(db, { demo: values.demo, days });
    process.stdout.write(`database: ${config.databasePath}\n`);
    process.stdout.write(`sample reading: ${report.sample ? 'inserted' : 'already present'}\n`);
    if (values.demo) {
      process.stdout.write(`demo users created: ${report.users.join(', ') || 'none (already there)'}\n`);
      process.stdout.write(`demo keys created: ${report.keys.join(', ') || 'none (already there)'}\n`);
      process.stdout.write(`demo readings stored: ${report.readings}\n`);
      process.stdout.write(`demo oil batches created: ${report.batches}\n`);
    }
  } finally {
    closeDatabase(db);
  }
}

async function migrateCommand(): Promise<void> {
  const config = loadConfig();
  const db = openDatabase(config.databasePath);
  try {
    // an older database's readings move in batches (minutes for millions): the log says how far
    const { from, to } = migrate(db, undefined, layoutProgressLogger(createLogger(config.logLevel, config.logPretty)));
    process.stdout.write(`database ${config.databasePath}: schema ${from} -> ${to}\n`);
  } finally {
    closeDatabase(db);
  }
}

const USAGE_ERRORS = new Set(['ERR_PARSE_ARGS_UNKNOWN_OPTION', 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE', 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL']);
const isHelp = (arg: string | undefined) => arg === '--help' || arg === '-h' || arg === 'help';

/**
 * `--help` anywhere prints usage and exits 0 without running anything; an unknown command or
 * option is one line on stderr and exit code 2 (the usual for usage errors), never a stack trace.
 */
async function main(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  const command = name ? COMMANDS[name] : undefined;
  if (!command) {
    const list = Object.entries(COMMANDS)
      .map(([n, c]) => `  ${n.padEnd(10)} ${c.help}`)
      .join('\n');
    const usage = `usage: smart-oilfield <command> [options]   (smart-oilfield <command> --help for one)\n\ncommands:\n${list}\n`;
    if (!name || isHelp(name)) return void process.stdout.write(usage);
    process.stderr.write(`error: unknown command ${JSON.stringify(name)}\n\n${usage}`);
    process.exitCode = 2;
    return;
  }
  if (rest.some(isHelp))
    return void process.stdout.write(`usage: smart-oilfield ${name} [options]\n  ${command.help}\n${command.usage ? `\n${command.usage}\n` : ''}`);
  try {
    await command.run(rest);
  } catch (err) {
    if (!USAGE_ERRORS.has((err as NodeJS.ErrnoException).code ?? '')) throw err;
    process.stderr.write(`error: ${(err as Error).message.split('\n')[0]} (see smart-oilfield ${name} --help)\n`);
    process.exitCode = 2;
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  const known =
    err instanceof ConfigError ||
    err instanceof DatabaseNotWritableError ||
    err instanceof MigrationError ||
    err instanceof TrainCommandError ||
    (err as NodeJS.ErrnoException)?.code === 'EADDRINUSE';
  process.stderr.write(`error: ${known ? (err as Error).message : ((err as Error)?.stack ?? String(err))}\n`);
  process.exit(1);
});
