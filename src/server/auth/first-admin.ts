import { randomBytes } from 'node:crypto';
import type { Config } from '../config';
import type { AuthService } from './service';
import type { UsersRepository } from './users-repository';

/**
 * A station with no users gets exactly one admin: with ADMIN_PASSWORD when it is set, otherwise
 * with a generated password handed to `reveal` (printed once by the CLI). No default passwords.
 * `reveal` undefined means the caller will create the admin itself (the desktop setup screen).
 */
export async function ensureFirstAdmin(
  users: UsersRepository,
  auth: AuthService,
  config: Config,
  reveal?: (username: string, password: string) => void,
): Promise<void> {
  if (users.count() > 0) return;
  if (config.adminPassword) {
    await auth.createUser({ username: config.adminUsername, password: config.adminPassword, role: 'admin' }, { name: 'station' });
    return;
  }
  if (!reveal) return;
  const password = randomBytes(12).toString('base64url');
  await auth.createUser({ username: config.adminUsername, password, role: 'admin' }, { name: 'station' });
  reveal(config.adminUsername, password);
}
