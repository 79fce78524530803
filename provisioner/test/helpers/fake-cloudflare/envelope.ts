/**
 * Response envelopes as the Cloudflare API v4 writes them: `{ success, errors, messages, result,
 * result_info? }`, page/per_page pagination that answers an empty page past the end, and the
 * ApiFailure a handler throws to answer with error codes.
 */

export interface ApiError {
  code: number;
  message: string;
}

/** Thrown by handlers; becomes `{ success: false, errors }` with this status. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly errors: ApiError[],
  ) {
    super(errors.map((e) => `${e.code} ${e.message}`).join("; "));
  }
}

export const fail = (status: number, code: number, message: string): never => {
  throw new ApiFailure(status, [{ code, message }]);
};

export interface HandlerResult {
  status?: number;
  result: unknown;
  resultInfo?: Record<string, number | string>;
}

export function envelope(
  status: number,
  result: unknown,
  errors: ApiError[],
  resultInfo?: Record<string, number | string>,
): Record<string, unknown> {
  return { success: status < 400, errors, messages: [], result, ...(resultInfo ? { result_info: resultInfo } : {}) };
}

const MAX_PER_PAGE = 100;

/** One page of `items`; a page past the end is empty (SDK iterators stop on it). */
export function paginate(items: readonly unknown[], query: URLSearchParams, defaultPerPage = 20): HandlerResult {
  const page = Number.parseInt(query.get("page") ?? "1", 10);
  const perPage = Number.parseInt(query.get("per_page") ?? String(defaultPerPage), 10);
  if (!Number.isInteger(page) || page < 1) fail(400, 1001, "page must be a positive integer");
  if (!Number.isInteger(perPage) || perPage < 1) fail(400, 1001, "per_page must be a positive integer");
  const size = Math.min(perPage, MAX_PER_PAGE);
  const slice = items.slice((page - 1) * size, page * size);
  return {
    result: slice,
    resultInfo: {
      page,
      per_page: size,
      count: slice.length,
      total_count: items.length,
      total_pages: Math.max(1, Math.ceil(items.length / size)),
    },
  };
}
