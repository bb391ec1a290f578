/**
 * Bodies of the small control requests (repository, shared memory): JSON or nothing, whatever the
 * Content-Type says — Triton's clients send them without one, and an empty POST is allowed.
 */
import type { FastifyInstance } from 'fastify';

/** Registers, inside the calling plugin only, a parser that reads any body as optional JSON (empty: undefined). */
export function acceptOptionalJson(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => {
    if (body === '') return done(null, undefined);
    try {
      done(null, JSON.parse(body as string));
    } catch (error) {
      done(Object.assign(new Error(`malformed JSON body: ${(error as Error).message}`), { statusCode: 400 }), undefined);
    }
  });
}
