// pino-roll 4 ships no types; this is the part of its API the station uses.
declare module 'pino-roll' {
  import type SonicBoom from 'sonic-boom';

  interface PinoRollOptions {
    file: string;
    /** e.g. '10m', '512k' (a bare number is MB) */
    size?: string | number;
    frequency?: 'daily' | 'hourly' | number;
    extension?: string;
    /** count: files kept; removeOtherLogFiles: also remove old files left by earlier runs */
    limit?: { count?: number; removeOtherLogFiles?: boolean };
    symlink?: boolean;
    mkdir?: boolean;
    sync?: boolean;
    minLength?: number;
  }

  export default function pinoRoll(options: PinoRollOptions): Promise<SonicBoom>;
}
