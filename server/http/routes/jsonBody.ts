/**
 * For route plugins whose small bodies are JSON whatever their Content-Type says (Triton's clients
 * send some without one): an empty body is undefined, malformed JSON a 400 naming the problem.
 */
import type { FastifyInstance } from 'fastify';
import { InvalidRequestError } from '../../errors.ts';

export function acceptJsonBodies(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => {
    if (body === '') return done(null, undefined);
    try {
      done(null, JSON.parse(body as string));
    } catch (error) {
      done(new InvalidRequestError(`malformed JSON body: ${(error as Error).message}`), undefined);
    }
  });
}
