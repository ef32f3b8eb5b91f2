import { ApiError } from './errors';

/** Runs a write; a UNIQUE violation becomes a 409 naming the subject instead of a 500. */
export function uniqueOr409<T>(subject: string, write: () => T): T {
  try {
    return write();
  } catch (err) {
    if (err instanceof Error && 'code' in err && err.code === 'SQLITE_CONSTRAINT_UNIQUE') {
      throw new ApiError(409, 'already_exists', `${subject} already exists`);
    }
    throw err;
  }
}
