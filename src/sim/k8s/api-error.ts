/**
 * The API server's refusal of a request: a Status reason and its message, as kubectl prints
 * them (`Error from server (NotFound): pods "x" not found`).
 *
 * Design notes: a module of its own so that admission (validation/) and the controllers can
 * raise it without importing the API server's object store.
 */
export class ApiError extends Error {
  constructor(
    readonly reason: 'NotFound' | 'AlreadyExists' | 'Invalid' | 'InternalError' | 'Forbidden' | 'BadRequest' | 'RequestEntityTooLarge',
    message: string,
  ) {
    super(message);
  }
}
