// The Action's module system, fetch, and the recording `api`. Every api call is appended to the run's
// `calls` and applied by Ostiary (Python) after the promise settles, where Auth0's rules live once.
(function (g) {
  "use strict";
  const builtins = g.__ostiary_builtins;

  // ---- CommonJS: require() of the builtins above and of the action's bundled npm dependencies.
  // __ostiary_modules: {"node_modules/pkg/index.js": source, ...}, set once when the context is built.
  const cache = Object.create(null);
  const files = () => g.__ostiary_modules || {};
  function normalize(path) {
    const out = [];
    for (const seg of path.split("/")) { if (seg === "..") out.pop(); else if (seg && seg !== ".") out.push(seg); }
    return out.join("/");
  }
  function asFile(path) {
    const f = files();
    for (const candidate of [path, path + ".js", path + ".json", path + "/index.js", path + "/index.json"]) {
      if (candidate in f) return candidate;
    }
    if (path + "/package.json" in f) {
      const pkg = JSON.parse(f[path + "/package.json"]);
      const main = typeof pkg.main === "string" ? pkg.main : "index.js";
      return asFile(normalize(path + "/" + main)) || null;
    }
    return null;
  }
  function resolve(name, fromDir) {
    if (name.startsWith("./") || name.startsWith("../") || name.startsWith("/")) return asFile(normalize(fromDir + "/" + name));
    // node_modules lookup, walking up from the requiring file, as Node does.
    let dir = fromDir;
    for (;;) {
      const hit = asFile(normalize((dir ? dir + "/" : "") + "node_modules/" + name));
      if (hit) return hit;
      if (!dir) return null;
      dir = dir.includes("/") ? dir.slice(0, dir.lastIndexOf("/")) : "";
    }
  }
  function makeRequire(fromDir, requiredBy) {
    return function require(name) {
      name = String(name);
      const bare = name.startsWith("node:") ? name.slice(5) : name;
      if (bare in builtins) return builtins[bare];
      const file = resolve(name, fromDir);
      if (!file) {
        const err = new Error(`Cannot find module '${name}'${requiredBy ? ` (required by ${requiredBy})` : ""}`);
        err.code = "MODULE_NOT_FOUND"; err.ostiaryModule = name; err.ostiaryRequiredBy = requiredBy || null;
        throw err;
      }
      if (cache[file]) return cache[file].exports;
      const module = { exports: {}, id: file, filename: file, loaded: false };
      cache[file] = module;
      const source = files()[file];
      if (file.endsWith(".json")) { module.exports = JSON.parse(source); return module.exports; }
      const dir = file.includes("/") ? file.slice(0, file.lastIndexOf("/")) : "";
      const pkg = (/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file) || [])[1] || requiredBy;
      const fn = (0, eval)(`(function (exports, require, module, __filename, __dirname) {${source}\n})`);
      fn.call(module.exports, module.exports, makeRequire(dir, pkg), module, file, dir);
      module.loaded = true;
      return module.exports;
    };
  }
  g.__ostiary_require = makeRequire("", null);
  g.__ostiary_load_action = function (source) {
    const module = { exports: {} };
    const fn = (0, eval)(`(function (exports, require, module, __filename, __dirname) {${source}\n})`);
    fn.call(module.exports, module.exports, g.__ostiary_require, module, "action.js", "");
    g.__ostiary_action = module.exports;
    return Object.keys(module.exports).filter((k) => typeof module.exports[k] === "function").join(",");
  };
  g.__ostiary_require_each = function (names) {
    for (const name of names) g.__ostiary_require(name);
    return true;
  };

  // ---- fetch, through the host (timeout, size limit, SSRF rules live there)
  class Headers {
    constructor(init) {
      this._map = new Map();
      if (init instanceof Headers) init.forEach((v, k) => this.set(k, v));
      else if (Array.isArray(init)) init.forEach(([k, v]) => this.append(k, v));
      else if (init) Object.keys(init).forEach((k) => this.set(k, init[k]));
    }
    append(k, v) { k = String(k).toLowerCase(); this._map.set(k, this._map.has(k) ? this._map.get(k) + ", " + v : String(v)); }
    set(k, v) { this._map.set(String(k).toLowerCase(), String(v)); }
    get(k) { const v = this._map.get(String(k).toLowerCase()); return v === undefined ? null : v; }
    has(k) { return this._map.has(String(k).toLowerCase()); }
    delete(k) { this._map.delete(String(k).toLowerCase()); }
    forEach(cb) { this._map.forEach((v, k) => cb(v, k, this)); }
    entries() { return this._map.entries(); }
    [Symbol.iterator]() { return this._map.entries(); }
  }
  class Response {
    constructor(body, init = {}) {
      this._bytes = body instanceof Uint8Array ? body : g.__ostiary_utf8.encode(body == null ? "" : String(body));
      this.status = init.status === undefined ? 200 : init.status;
      this.statusText = init.statusText || "";
      this.headers = new Headers(init.headers);
      this.url = init.url || "";
      this.ok = this.status >= 200 && this.status < 300;
      this.bodyUsed = false;
    }
    async text() { this.bodyUsed = true; return g.__ostiary_utf8.decode(this._bytes); }
    async json() { return JSON.parse(await this.text()); }
    async arrayBuffer() { this.bodyUsed = true; return this._bytes.slice().buffer; }
  }
  g.Headers = Headers; g.Response = Response;
  g.fetch = async function fetch(input, init = {}) {
    const url = typeof input === "string" ? input : input instanceof g.URL ? input.href : input.url;
    let body = init.body;
    if (body instanceof g.URLSearchParams) body = body.toString();
    if (body instanceof Uint8Array) body = g.Buffer.from(body).toString("latin1");
    const request = JSON.stringify({
      url: String(url), method: (init.method || "GET").toUpperCase(),
      headers: Array.from(new Headers(init.headers)), body: body == null ? null : String(body),
    });
    const host = g.__ostiary_host_fetch;
    if (!host) throw new TypeError("fetch failed: fetch is not available here");
    const answer = JSON.parse(await host(request));
    if (answer.error) throw new TypeError(`fetch failed: ${answer.error}`);
    return new Response(g.Buffer.from(answer.body, "base64"), {
      status: answer.status, statusText: answer.statusText, headers: answer.headers, url: answer.url,
    });
  };

  // ---- api
  const CACHE = { entries: 20, keyBytes: 64, valueBytes: 4096, totalBytes: 8192, maxTtlMs: 24 * 3600 * 1000 };
  function cacheApi(run) {
    const bytes = (s) => g.__ostiary_utf8.encode(s).length;
    const live = () => { for (const k of Object.keys(run.cache)) if (run.cache[k].expires_at <= Date.now()) delete run.cache[k]; };
    return {
      get(key) {
        live();
        const e = run.cache[String(key)];
        return e ? { value: e.value, expires_at: e.expires_at } : undefined;
      },
      set(key, value, options = {}) {
        key = String(key); value = String(value); live();
        if (!key || bytes(key) > CACHE.keyBytes) return { type: "error", code: "INVALID_KEY" };
        if (bytes(value) > CACHE.valueBytes) return { type: "error", code: "VALUE_TOO_LARGE" };
        const others = Object.keys(run.cache).filter((k) => k !== key);
        if (others.length >= CACHE.entries) return { type: "error", code: "TOO_MANY_ENTRIES" };
        const total = others.reduce((n, k) => n + bytes(k) + bytes(run.cache[k].value), 0) + bytes(key) + bytes(value);
        if (total > CACHE.totalBytes) return { type: "error", code: "CACHE_FULL" };
        const max = Date.now() + CACHE.maxTtlMs;
        let expires = options.expires_at !== undefined ? Number(options.expires_at)
          : Date.now() + (options.ttl !== undefined ? Number(options.ttl) : CACHE.maxTtlMs);
        if (!(expires > Date.now())) return { type: "error", code: "INVALID_EXPIRY" };
        expires = Math.min(expires, max);
        run.cache[key] = { value, expires_at: expires };
        run.cacheChanged = true;
        return { type: "success" };
      },
      delete(key) {
        const had = String(key) in run.cache;
        delete run.cache[String(key)];
        run.cacheChanged = true;
        return had ? { type: "success" } : { type: "success" };
      },
    };
  }

  function jwtHs256(secret, claims) {
    const enc = (o) => g.__ostiary_b64url(g.__ostiary_utf8.encode(JSON.stringify(o)));
    const head = enc({ alg: "HS256", typ: "JWT" }) + "." + enc(claims);
    return head + "." + g.__ostiary_b64url(g.__ostiary_hmac("sha256", secret, head));
  }
  function redirectApi(run, record) {
    const event = run.event;
    const interactive = run.interactive;
    return {
      canRedirect: () => interactive,
      sendUserTo(url, options = {}) {
        if (!interactive) throw new Error("api.redirect.sendUserTo: this login cannot redirect (not an interactive /authorize login)");
        record("redirect.sendUserTo", String(url), options.query || {});
      },
      encodeToken({ secret, payload = {}, expiresInSeconds = 900 } = {}) {
        if (!secret) throw new Error("api.redirect.encodeToken: secret is required");
        const now = Math.floor(Date.now() / 1000);
        return jwtHs256(String(secret), {
          ...payload, iss: run.issuer, sub: event.user && event.user.user_id, iat: now,
          exp: now + Number(expiresInSeconds), ip: event.request && event.request.ip, state: run.continueState,
        });
      },
      validateToken({ secret, tokenParameterName = "session_token" } = {}) {
        const req = event.request || {};
        const token = (req.query && req.query[tokenParameterName]) || (req.body && req.body[tokenParameterName]);
        if (!token) throw new Error(`api.redirect.validateToken: no ${tokenParameterName} in the request`);
        const parts = String(token).split(".");
        if (parts.length !== 3) throw new Error("api.redirect.validateToken: the token is not a JWT");
        const header = JSON.parse(g.__ostiary_utf8.decode(g.__ostiary_b64url_decode(parts[0])));
        if (header.alg !== "HS256") throw new Error("api.redirect.validateToken: the token is not HS256");
        const expected = g.__ostiary_b64url(g.__ostiary_hmac("sha256", String(secret), parts[0] + "." + parts[1]));
        let diff = expected.length ^ parts[2].length;
        for (let i = 0; i < Math.min(expected.length, parts[2].length); i++) diff |= expected.charCodeAt(i) ^ parts[2].charCodeAt(i);
        if (diff) throw new Error("api.redirect.validateToken: invalid signature");
        const claims = JSON.parse(g.__ostiary_utf8.decode(g.__ostiary_b64url_decode(parts[1])));
        if (typeof claims.exp === "number" && claims.exp < Date.now() / 1000) throw new Error("api.redirect.validateToken: the token has expired");
        if (claims.state !== run.continueState) throw new Error("api.redirect.validateToken: the token's state does not match this login");
        return claims;
      },
    };
  }

  function namespaces(trigger, run) {
    const record = (name, ...args) => { run.calls.push([name, ...args]); };
    const rec = (name) => function (...args) { record(name, ...args); return api; };
    const cacheNs = cacheApi(run);
    let api;
    if (trigger === "post-login") {
      api = {
        access: { deny: rec("access.deny") },
        accessToken: { setCustomClaim: rec("accessToken.setCustomClaim"), addScope: rec("accessToken.addScope"),
          removeScope: rec("accessToken.removeScope") },
        idToken: { setCustomClaim: rec("idToken.setCustomClaim") },
        user: { setAppMetadata: rec("user.setAppMetadata"), setUserMetadata: rec("user.setUserMetadata") },
        authentication: { setPrimaryUser: rec("authentication.setPrimaryUser") },
        cache: cacheNs,
        redirect: redirectApi(run, record),
        refreshToken: { revoke: rec("refreshToken.revoke") },
        session: { revoke: rec("session.revoke") },
      };
    } else if (trigger === "credentials-exchange") {
      api = {
        access: { deny: rec("access.deny") },
        accessToken: { setCustomClaim: rec("accessToken.setCustomClaim") },
        cache: cacheNs,
      };
    } else if (trigger === "custom-token-exchange") {
      api = {
        access: { deny: rec("access.deny"), rejectInvalidSubjectToken: rec("access.rejectInvalidSubjectToken") },
        authentication: { setUserById: rec("authentication.setUserById"),
          setUserByConnection: rec("authentication.setUserByConnection") },
        user: { setAppMetadata: rec("user.setAppMetadata"), setUserMetadata: rec("user.setUserMetadata") },
        cache: cacheNs,
      };
    } else if (trigger === "pre-user-registration") {
      api = {
        access: { deny: rec("access.deny") },
        user: { setAppMetadata: rec("user.setAppMetadata"), setUserMetadata: rec("user.setUserMetadata") },
        cache: cacheNs,
      };
    } else {
      api = { cache: cacheNs };
    }
    return unsupported(api, "api");
  }
  // A method Ostiary does not provide throws, naming itself; it never silently does nothing.
  function unsupported(target, path) {
    return new Proxy(target, {
      get(obj, prop) {
        if (typeof prop === "symbol" || prop === "then" || prop === "toJSON") return obj[prop];
        if (prop in obj) {
          const v = obj[prop];
          return v && typeof v === "object" && !Array.isArray(v) ? unsupported(v, `${path}.${prop}`) : v;
        }
        if (path === "api") return unsupported({}, `api.${prop}`);
        return function () { throw new Error(`${path}.${String(prop)}() is not supported by Ostiary`); };
      },
    });
  }

  // One execution: payload = {trigger, entry, event, cache, seed, interactive, issuer, continue_state}.
  g.__ostiary_run = async function (payloadJson) {
    const p = JSON.parse(payloadJson);
    const run = { calls: [], logs: [], cache: p.cache || {}, cacheChanged: false, event: p.event,
      interactive: !!p.interactive, issuer: p.issuer, continueState: p.continue_state || null };
    g.__ostiary_run_state = run;
    g.__ostiary_seed(p.seed);
    const result = { calls: run.calls, logs: run.logs };
    try {
      const fn = g.__ostiary_action && g.__ostiary_action[p.entry];
      if (typeof fn !== "function") throw new Error(`the action does not export ${p.entry}`);
      await fn(p.event, namespaces(p.trigger, run));
    } catch (e) {
      result.error = (e && e.stack ? String(e.stack) : String(e)).slice(0, 1000);
    }
    if (run.cacheChanged) result.cache = run.cache;
    return JSON.stringify(result);
  };
  // The host's entry: the result goes back through __ostiary_done (the host never blocks on a promise).
  g.__ostiary_start = function (payloadJson) {
    g.__ostiary_run(payloadJson).then((r) => g.__ostiary_done(r), (e) => g.__ostiary_done(JSON.stringify({
      calls: [], logs: [], error: String(e && e.stack || e).slice(0, 1000) })));
  };
})(globalThis);
