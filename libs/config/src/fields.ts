import { z } from 'zod';

/** Field schemas for environment variables, each with an error message a person can act on. */

export const hostPort = (fallback: string) =>
  z
    .string()
    .regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, { message: 'host:port, e.g. 127.0.0.1:50051' })
    .refine((v) => Number(v.slice(v.lastIndexOf(':') + 1)) <= 65535, { message: 'a port between 0 and 65535' })
    .default(fallback);

export const url = (protocols: readonly string[]) =>
  z.string().refine(
    (v) => {
      try {
        return protocols.includes(new URL(v).protocol.replace(/:$/, ''));
      } catch {
        return false;
      }
    },
    { message: `a URL with scheme ${protocols.map((p) => `${p}://`).join(' or ')}` },
  );

export const positiveInt = (fallback: number) =>
  z.coerce.number({ message: 'a whole number' }).int({ message: 'a whole number' }).positive({ message: 'a number above 0' }).default(fallback);

export const logLevel = z
  .enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'], {
    message: 'one of trace, debug, info, warn, error, fatal, silent',
  })
  .default('info');
