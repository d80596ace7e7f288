// A JSON request against a server's app, for tests that build their own server rather than
// test/http/_app.ts's: the reply's status and parsed body.

/** What `jsonCaller` needs of a server: its app's `request`. */
export interface Requestable {
  request(url: string, init: RequestInit): Response | Promise<Response>;
}

/** `call(method, path, { token, body })` on `app`: the body sent as JSON, with a Bearer token. */
export function jsonCaller(app: Requestable) {
  return async (method: string, path: string, init: { body?: unknown; token?: string } = {}) => {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (init.token !== undefined) headers.authorization = `Bearer ${init.token}`;
    const res = await app.request(`http://localhost${path}`, {
      method,
      headers,
      ...(init.body !== undefined && { body: JSON.stringify(init.body) }),
    });
    // deno-lint-ignore no-explicit-any -- replies are inspected field by field
    return { status: res.status, body: await res.json() as any };
  };
}
