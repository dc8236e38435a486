import { z } from 'zod';

/** `admin` manages everything; `user` (engineer) reads and works with batches; `device` may only ingest. */
export const roleSchema = z.enum(['admin', 'user', 'device']);
export type Role = z.infer<typeof roleSchema>;
