// The REST client. Bodies are bare JSON values; an error is {"error": "..."} with a message meant for people.

class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

async function request(method, path, body) {
  const options = { method, headers: { Accept: 'application/json' } };
  if (body !== undefined) {
    options.headers['Content-Type'] = 'application/json';
    options.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(`/api/${path}`, options);
  } catch {
    throw new ApiError('network', 0);
  }
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!response.ok) throw new ApiError(data?.error ?? `${response.status} ${response.statusText}`, response.status);
  return data;
}

/** Joins path parts, escaping the ones that come from data (vehicle names, times). */
export function path(...parts) {
  return parts.map((part) => encodeURIComponent(String(part))).join('/');
}

export const api = {
  get: (where) => request('GET', where),
  post: (where, body) => request('POST', where, body),
  delete: (where) => request('DELETE', where),
};

/** The sessions CSV, captions in the page's language; the server names the file (session[-YYYY].csv). */
export function sessionsDownload(language, year) {
  const query = new URLSearchParams({ format: 'csv', lang: language });
  if (year) query.set('year', year);
  return `/api/sessions?${query}`;
}
