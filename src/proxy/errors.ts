// Errors of the Toxiproxy-compatible API: each carries the HTTP status and the message clients see.
// Rendered by the HTTP layer as `{"error":"<msg>","status":<code>}` + newline, like Toxiproxy.

export class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = 'ApiError';
  }
}

export const badRequest = (msg: string): ApiError => new ApiError(400, msg);
export const forbidden = (msg: string): ApiError => new ApiError(403, msg);
export const notFound = (msg: string): ApiError => new ApiError(404, msg);
export const conflict = (msg: string): ApiError => new ApiError(409, msg);
export const internal = (msg: string): ApiError => new ApiError(500, msg);
