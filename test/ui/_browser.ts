// A browser without scripts, over the real app (no socket): shared by the page
// tests. It keeps cookies (and forgets one the server expires) and sends
// Origin on posts, as browsers do.
import { makeApp, ORIGIN } from "../http/_app.ts";

type App = ReturnType<typeof makeApp>;

/** A browser on `app`, starting with `cookies` (name → value). */
export function browser(app: App, cookies: Record<string, string> = {}) {
  const jar = new Map<string, string>(Object.entries(cookies));
  const remember = (res: Response) => {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const [name, ...value] = pair!.split("=");
      const text = value.join("=");
      if (text === "" || /max-age=0/i.test(line)) jar.delete(name!);
      else jar.set(name!, text);
    }
  };
  const headers = (extra: Record<string, string> = {}) => ({
    accept: "text/html",
    ...(jar.size > 0 && { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join("; ") }),
    ...extra,
  });
  return {
    jar,
    async get(path: string, extra: Record<string, string> = {}) {
      const res = await app.app.request(`${ORIGIN}${path}`, { headers: headers(extra) });
      remember(res);
      return { status: res.status, headers: res.headers, text: await res.text() };
    },
    /** A form post (urlencoded), from `origin`, with `extra` headers (a Referer). */
    async post(
      path: string,
      fields: Record<string, string>,
      origin = ORIGIN,
      extra: Record<string, string> = {},
    ) {
      const res = await app.app.request(`${ORIGIN}${path}`, {
        method: "POST",
        headers: headers({ "content-type": "application/x-www-form-urlencoded", origin, ...extra }),
        body: new URLSearchParams(fields).toString(),
      });
      remember(res);
      return { status: res.status, location: res.headers.get("location"), text: await res.text() };
    },
    /** A multipart form post, as a file input's form sends it. */
    async upload(path: string, form: FormData) {
      const res = await app.app.request(`${ORIGIN}${path}`, {
        method: "POST",
        headers: headers({ origin: ORIGIN }),
        body: form,
      });
      remember(res);
      return { status: res.status, location: res.headers.get("location") };
    },
  };
}
