/**
 * The admin user endpoint: DELETE /v1/users/{userId} erases everything the server holds about a user
 * (erasure.ts and the profile store's part, one engine operation) and forgets their cached profile.
 */
import type { Erasure } from '../erasure';
import { fail } from '../pipeline/answer';
import type { ChangeHandler } from '../pipeline/run';
import { iso } from './common';

/** As long as a userId the client endpoints accept. */
export const MAX_USER_ID_LENGTH = 200;

export interface UserHandlers {
  eraseUser: ChangeHandler;
}

/**
 * `erase`: erases the user in the database (after dropping what this node holds of them to be written);
 * `forgetProfile`: drops the user's cached profile, on this node and the others, so decide reads what is left (nothing).
 */
export function createUserHandlers(erase: (userId: string, now: number) => Promise<Erasure | null>, forgetProfile: (userId: string) => void): UserHandlers {
  return {
    eraseUser: async (ctx) => {
      const userId = ctx.params.userId ?? '';
      if (userId.length === 0 || userId.length > MAX_USER_ID_LENGTH) {
        return fail(400, 'invalid_argument', `A userId is 1 to ${MAX_USER_ID_LENGTH} characters (percent-encoded in the path).`);
      }
      const erasure = await erase(userId, ctx.now);
      forgetProfile(userId);
      if (!erasure) return fail(404, 'not_found', `The server holds nothing about user "${userId}" and never erased them.`);
      return {
        status: 200,
        body: {
          userId,
          erased: true,
          erasedAt: iso(erasure.erasedAt),
          // Nothing stored since an earlier erasure: that erasure's marker, nothing removed now.
          repeated: erasure.repeated,
          removed: erasure.removed,
          // The erase marker's position in GET /v1/events (its `next` cursor once read).
          marker: String(erasure.seq),
        },
      };
    },
  };
}
