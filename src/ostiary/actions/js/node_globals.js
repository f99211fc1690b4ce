// What a Node-based Auth0 Action expects to find, in plain JavaScript: console, TextEncoder/TextDecoder,
// atob/btoa, Buffer, URL/URLSearchParams, crypto (hashes, HMAC, random). Host services (fetch) are added by
// host.js. Nothing here reaches outside the isolate.
(function (g) {
  "use strict";
  const LOG_LINE = 256, LOG_LINES = 100;

  // ---- console: lines are returned with the execution's result and logged by the server, tagged.
  const fmt = (v) => {
    if (typeof v === "string") return v;
    try { return JSON.stringify(v); } catch (e) { return String(v); }
  };
  const logTo = (level) => (...args) => {
    const run = g.__ostiary_run_state;
    if (!run || run.logs.length >= LOG_LINES) return;
    run.logs.push([level, args.map(fmt).join(" ").slice(0, LOG_LINE)]);
  };
  g.console = { log: logTo("info"), info: logTo("info"), debug: logTo("debug"), warn: logTo("warning"),
    error: logTo("error"), trace: logTo("debug") };

  // ---- UTF-8
  function utf8Encode(str) {
    str = String(str);
    const out = [];
    for (let i = 0; i < str.length; i++) {
      let c = str.charCodeAt(i);
      if (c >= 0xd800 && c < 0xdc00 && i + 1 < str.length) {
        const d = str.charCodeAt(i + 1);
        if (d >= 0xdc00 && d < 0xe000) { c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00); i++; }
        else c = 0xfffd;
      } else if (c >= 0xd800 && c < 0xe000) c = 0xfffd;
      if (c < 0x80) out.push(c);
      else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
      else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
      else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    }
    return new Uint8Array(out);
  }
  function utf8Decode(bytes) {
    let s = "";
    for (let i = 0; i < bytes.length;) {
      const b = bytes[i++];
      let c;
      if (b < 0x80) c = b;
      else if (b >= 0xc0 && b < 0xe0 && i < bytes.length) c = ((b & 31) << 6) | (bytes[i++] & 63);
      else if (b >= 0xe0 && b < 0xf0 && i + 1 < bytes.length) { c = ((b & 15) << 12) | ((bytes[i] & 63) << 6) | (bytes[i + 1] & 63); i += 2; }
      else if (b >= 0xf0 && i + 2 < bytes.length) {
        c = ((b & 7) << 18) | ((bytes[i] & 63) << 12) | ((bytes[i + 1] & 63) << 6) | (bytes[i + 2] & 63); i += 3;
      } else c = 0xfffd;
      if (c > 0xffff) { c -= 0x10000; s += String.fromCharCode(0xd800 + (c >> 10), 0xdc00 + (c & 1023)); }
      else s += String.fromCharCode(c);
    }
    return s;
  }
  class TextEncoder { get encoding() { return "utf-8"; } encode(s = "") { return utf8Encode(s); } }
  class TextDecoder {
    constructor(label = "utf-8") {
      if (!/^utf-?8$/i.test(label)) throw new RangeError(`TextDecoder: only utf-8 is supported, not ${label}`);
    }
    get encoding() { return "utf-8"; }
    decode(b) { return b === undefined ? "" : utf8Decode(b instanceof ArrayBuffer ? new Uint8Array(b) : new Uint8Array(b.buffer, b.byteOffset, b.byteLength)); }
  }
  g.TextEncoder = TextEncoder; g.TextDecoder = TextDecoder;

  // ---- base64 / hex
  const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  function b64encode(bytes, url) {
    let s = "";
    for (let i = 0; i < bytes.length; i += 3) {
      const n = (bytes[i] << 16) | ((bytes[i + 1] || 0) << 8) | (bytes[i + 2] || 0);
      s += B64[(n >> 18) & 63] + B64[(n >> 12) & 63] + (i + 1 < bytes.length ? B64[(n >> 6) & 63] : "=") +
        (i + 2 < bytes.length ? B64[n & 63] : "=");
    }
    return url ? s.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "") : s;
  }
  function b64decode(str) {
    str = String(str).replace(/[\s=]/g, "").replace(/-/g, "+").replace(/_/g, "/");
    const out = [];
    let buf = 0, bits = 0;
    for (const ch of str) {
      const v = B64.indexOf(ch);
      if (v < 0) continue;
      buf = (buf << 6) | v; bits += 6;
      if (bits >= 8) { bits -= 8; out.push((buf >> bits) & 255); }
    }
    return new Uint8Array(out);
  }
  const hexEncode = (b) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  function hexDecode(s) {
    const out = [];
    for (let i = 0; i + 1 < s.length; i += 2) { const v = parseInt(s.substr(i, 2), 16); if (isNaN(v)) break; out.push(v); }
    return new Uint8Array(out);
  }
  const latin1 = (s) => Uint8Array.from(String(s), (c) => c.charCodeAt(0) & 255);
  g.btoa = (s) => b64encode(latin1(s));
  g.atob = (s) => String.fromCharCode(...b64decode(s));

  // ---- Buffer (the parts Actions use)
  function toBytes(value, encoding) {
    if (typeof value === "string") {
      switch ((encoding || "utf8").toLowerCase()) {
        case "utf8": case "utf-8": return utf8Encode(value);
        case "hex": return hexDecode(value);
        case "base64": case "base64url": return b64decode(value);
        case "latin1": case "binary": case "ascii": return latin1(value);
        default: throw new TypeError(`Unknown encoding: ${encoding}`);
      }
    }
    if (value instanceof ArrayBuffer) return new Uint8Array(value);
    if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
    if (Array.isArray(value)) return Uint8Array.from(value);
    if (value && value.type === "Buffer" && Array.isArray(value.data)) return Uint8Array.from(value.data);
    throw new TypeError("The first argument must be a string, Buffer, ArrayBuffer, Array or array-like object");
  }
  class Buffer extends Uint8Array {
    static from(value, encodingOrOffset, length) {
      if (value instanceof ArrayBuffer) return new Buffer(value, encodingOrOffset || 0, length);
      const bytes = toBytes(value, encodingOrOffset);
      const buf = new Buffer(bytes.length); buf.set(bytes); return buf;
    }
    static alloc(n, fill) { const b = new Buffer(n); if (fill !== undefined) b.fill(typeof fill === "number" ? fill : toBytes(fill)[0]); return b; }
    static allocUnsafe(n) { return new Buffer(n); }
    static isBuffer(b) { return b instanceof Buffer; }
    static isEncoding(e) { return ["utf8", "utf-8", "hex", "base64", "base64url", "latin1", "binary", "ascii"].includes(String(e).toLowerCase()); }
    static byteLength(v, enc) { return toBytes(v, enc).length; }
    static concat(list, total) {
      const len = total === undefined ? list.reduce((n, b) => n + b.length, 0) : total;
      const out = Buffer.alloc(len); let at = 0;
      for (const b of list) { if (at >= len) break; out.set(b.subarray(0, len - at), at); at += b.length; }
      return out;
    }
    toString(encoding, start, end) {
      const b = this.subarray(start || 0, end === undefined ? this.length : end);
      switch ((encoding || "utf8").toLowerCase()) {
        case "utf8": case "utf-8": return utf8Decode(b);
        case "hex": return hexEncode(b);
        case "base64": return b64encode(b, false);
        case "base64url": return b64encode(b, true);
        case "latin1": case "binary": case "ascii": return String.fromCharCode(...b);
        default: throw new TypeError(`Unknown encoding: ${encoding}`);
      }
    }
    toJSON() { return { type: "Buffer", data: Array.from(this) }; }
    equals(other) { if (this.length !== other.length) return false; for (let i = 0; i < this.length; i++) if (this[i] !== other[i]) return false; return true; }
    slice(s, e) { return this.subarray(s, e); }
    subarray(s, e) { const u = Uint8Array.prototype.subarray.call(this, s, e); return new Buffer(u.buffer, u.byteOffset, u.length); }
    write(str, offset = 0, length, enc) { const b = toBytes(str, enc); const n = Math.min(b.length, length === undefined ? this.length - offset : length); this.set(b.subarray(0, n), offset); return n; }
    readUInt32BE(o = 0) { return ((this[o] << 24) >>> 0) + (this[o + 1] << 16) + (this[o + 2] << 8) + this[o + 3]; }
  }
  g.Buffer = Buffer;

  // ---- hashes (sha1, sha256, sha512, md5) and HMAC over byte arrays
  const rotr = (x, n) => (x >>> n) | (x << (32 - n));
  const rotl = (x, n) => (x << n) | (x >>> (32 - n));
  function padBE(bytes, block, lenBytes) {
    const bitLen = bytes.length * 8;
    const total = Math.ceil((bytes.length + 1 + lenBytes) / block) * block;
    const m = new Uint8Array(total); m.set(bytes); m[bytes.length] = 0x80;
    const view = new DataView(m.buffer);
    view.setUint32(total - 4, bitLen >>> 0); view.setUint32(total - 8, Math.floor(bitLen / 4294967296));
    return m;
  }
  const K256 = new Uint32Array([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01,
    0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
    0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
    0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08,
    0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
    0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2]);
  function sha256(bytes) {
    const m = padBE(bytes, 64, 8), v = new DataView(m.buffer), w = new Uint32Array(64);
    const h = new Uint32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
    for (let off = 0; off < m.length; off += 64) {
      for (let i = 0; i < 16; i++) w[i] = v.getUint32(off + i * 4);
      for (let i = 16; i < 64; i++) {
        const s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >>> 3);
        const s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >>> 10);
        w[i] = (w[i - 16] + s0 + w[i - 7] + s1) >>> 0;
      }
      let [a, b, c, d, e, f, gg, hh] = h;
      for (let i = 0; i < 64; i++) {
        const t1 = (hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & gg)) + K256[i] + w[i]) >>> 0;
        const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) >>> 0;
        hh = gg; gg = f; f = e; e = (d + t1) >>> 0; d = c; c = b; b = a; a = (t1 + t2) >>> 0;
      }
      h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += gg; h[7] += hh;
    }
    const out = new Uint8Array(32), ov = new DataView(out.buffer);
    h.forEach((x, i) => ov.setUint32(i * 4, x));
    return out;
  }
  function sha1(bytes) {
    const m = padBE(bytes, 64, 8), v = new DataView(m.buffer), w = new Uint32Array(80);
    const h = new Uint32Array([0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0]);
    for (let off = 0; off < m.length; off += 64) {
      for (let i = 0; i < 16; i++) w[i] = v.getUint32(off + i * 4);
      for (let i = 16; i < 80; i++) w[i] = rotl(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
      let [a, b, c, d, e] = h;
      for (let i = 0; i < 80; i++) {
        const [f, k] = i < 20 ? [(b & c) | (~b & d), 0x5a827999] : i < 40 ? [b ^ c ^ d, 0x6ed9eba1]
          : i < 60 ? [(b & c) | (b & d) | (c & d), 0x8f1bbcdc] : [b ^ c ^ d, 0xca62c1d6];
        const t = (rotl(a, 5) + f + e + k + w[i]) >>> 0;
        e = d; d = c; c = rotl(b, 30) >>> 0; b = a; a = t;
      }
      h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e;
    }
    const out = new Uint8Array(20), ov = new DataView(out.buffer);
    h.forEach((x, i) => ov.setUint32(i * 4, x));
    return out;
  }
  const K512 = [
    "428a2f98d728ae22", "7137449123ef65cd", "b5c0fbcfec4d3b2f", "e9b5dba58189dbbc", "3956c25bf348b538", "59f111f1b605d019",
    "923f82a4af194f9b", "ab1c5ed5da6d8118", "d807aa98a3030242", "12835b0145706fbe", "243185be4ee4b28c", "550c7dc3d5ffb4e2",
    "72be5d74f27b896f", "80deb1fe3b1696b1", "9bdc06a725c71235", "c19bf174cf692694", "e49b69c19ef14ad2", "efbe4786384f25e3",
    "0fc19dc68b8cd5b5", "240ca1cc77ac9c65", "2de92c6f592b0275", "4a7484aa6ea6e483", "5cb0a9dcbd41fbd4", "76f988da831153b5",
    "983e5152ee66dfab", "a831c66d2db43210", "b00327c898fb213f", "bf597fc7beef0ee4", "c6e00bf33da88fc2", "d5a79147930aa725",
    "06ca6351e003826f", "142929670a0e6e70", "27b70a8546d22ffc", "2e1b21385c26c926", "4d2c6dfc5ac42aed", "53380d139d95b3df",
    "650a73548baf63de", "766a0abb3c77b2a8", "81c2c92e47edaee6", "92722c851482353b", "a2bfe8a14cf10364", "a81a664bbc423001",
    "c24b8b70d0f89791", "c76c51a30654be30", "d192e819d6ef5218", "d69906245565a910", "f40e35855771202a", "106aa07032bbd1b8",
    "19a4c116b8d2d0c8", "1e376c085141ab53", "2748774cdf8eeb99", "34b0bcb5e19b48a8", "391c0cb3c5c95a63", "4ed8aa4ae3418acb",
    "5b9cca4f7763e373", "682e6ff3d6b2b8a3", "748f82ee5defb2fc", "78a5636f43172f60", "84c87814a1f0ab72", "8cc702081a6439ec",
    "90befffa23631e28", "a4506cebde82bde9", "bef9a3f7b2c67915", "c67178f2e372532b", "ca273eceea26619c", "d186b8c721c0c207",
    "eada7dd6cde0eb1e", "f57d4f7fee6ed178", "06f067aa72176fba", "0a637dc5a2c898a6", "113f9804bef90dae", "1b710b35131c471b",
    "28db77f523047d84", "32caab7b40c72493", "3c9ebe0a15c9bebc", "431d67c49c100d4c", "4cc5d4becb3e42b6", "597f299cfc657e2a",
    "5fcb6fab3ad6faec", "6c44198c4a475817"].map((x) => BigInt("0x" + x));
  const M64 = (1n << 64n) - 1n;
  const rotr64 = (x, n) => ((x >> n) | (x << (64n - n))) & M64;
  function sha512(bytes) {
    const m = padBE(bytes, 128, 16), v = new DataView(m.buffer), w = new Array(80);
    const h = ["6a09e667f3bcc908", "bb67ae8584caa73b", "3c6ef372fe94f82b", "a54ff53a5f1d36f1", "510e527fade682d1",
      "9b05688c2b3e6c1f", "1f83d9abfb41bd6b", "5be0cd19137e2179"].map((x) => BigInt("0x" + x));
    for (let off = 0; off < m.length; off += 128) {
      for (let i = 0; i < 16; i++) w[i] = v.getBigUint64(off + i * 8);
      for (let i = 16; i < 80; i++) {
        const s0 = rotr64(w[i - 15], 1n) ^ rotr64(w[i - 15], 8n) ^ (w[i - 15] >> 7n);
        const s1 = rotr64(w[i - 2], 19n) ^ rotr64(w[i - 2], 61n) ^ (w[i - 2] >> 6n);
        w[i] = (w[i - 16] + s0 + w[i - 7] + s1) & M64;
      }
      let [a, b, c, d, e, f, gg, hh] = h;
      for (let i = 0; i < 80; i++) {
        const t1 = (hh + (rotr64(e, 14n) ^ rotr64(e, 18n) ^ rotr64(e, 41n)) + ((e & f) ^ (~e & M64 & gg)) + K512[i] + w[i]) & M64;
        const t2 = ((rotr64(a, 28n) ^ rotr64(a, 34n) ^ rotr64(a, 39n)) + ((a & b) ^ (a & c) ^ (b & c))) & M64;
        hh = gg; gg = f; f = e; e = (d + t1) & M64; d = c; c = b; b = a; a = (t1 + t2) & M64;
      }
      [a, b, c, d, e, f, gg, hh].forEach((x, i) => { h[i] = (h[i] + x) & M64; });
    }
    const out = new Uint8Array(64), ov = new DataView(out.buffer);
    h.forEach((x, i) => ov.setBigUint64(i * 8, x));
    return out;
  }
  const MD5_S = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];
  const MD5_K = Array.from({ length: 64 }, (_, i) => Math.floor(Math.abs(Math.sin(i + 1)) * 4294967296) >>> 0);
  function md5(bytes) {
    const bitLen = bytes.length * 8, total = Math.ceil((bytes.length + 9) / 64) * 64;
    const m = new Uint8Array(total); m.set(bytes); m[bytes.length] = 0x80;
    const v = new DataView(m.buffer);
    v.setUint32(total - 8, bitLen >>> 0, true); v.setUint32(total - 4, Math.floor(bitLen / 4294967296), true);
    let a0 = 0x67452301, b0 = 0xefcdab89, c0 = 0x98badcfe, d0 = 0x10325476;
    for (let off = 0; off < total; off += 64) {
      let a = a0, b = b0, c = c0, d = d0;
      for (let i = 0; i < 64; i++) {
        let f, k;
        if (i < 16) { f = (b & c) | (~b & d); k = i; }
        else if (i < 32) { f = (d & b) | (~d & c); k = (5 * i + 1) % 16; }
        else if (i < 48) { f = b ^ c ^ d; k = (3 * i + 5) % 16; }
        else { f = c ^ (b | ~d); k = (7 * i) % 16; }
        const s = MD5_S[(i >> 4) * 4 + (i % 4)];
        const t = d; d = c; c = b;
        b = (b + rotl((a + f + MD5_K[i] + v.getUint32(off + k * 4, true)) >>> 0, s)) >>> 0;
        a = t;
      }
      a0 = (a0 + a) >>> 0; b0 = (b0 + b) >>> 0; c0 = (c0 + c) >>> 0; d0 = (d0 + d) >>> 0;
    }
    const out = new Uint8Array(16), ov = new DataView(out.buffer);
    [a0, b0, c0, d0].forEach((x, i) => ov.setUint32(i * 4, x, true));
    return out;
  }
  const HASHES = { sha1: [sha1, 64], sha256: [sha256, 64], sha512: [sha512, 128], md5: [md5, 64] };
  function hashOf(name) {
    const h = HASHES[String(name).toLowerCase().replace("-", "")];
    if (!h) throw new Error(`Digest method not supported: ${name} (Ostiary's crypto has sha1, sha256, sha512, md5)`);
    return h;
  }
  function hmac(name, key, data) {
    const [fn, block] = hashOf(name);
    let k = key.length > block ? fn(key) : key;
    const kp = new Uint8Array(block); kp.set(k);
    const inner = new Uint8Array(block + data.length), outer = new Uint8Array(block + fn(new Uint8Array(0)).length);
    for (let i = 0; i < block; i++) { inner[i] = kp[i] ^ 0x36; outer[i] = kp[i] ^ 0x5c; }
    inner.set(data, block); outer.set(fn(inner), block);
    return fn(outer);
  }
  class Hash {
    constructor(compute) { this._compute = compute; this._parts = []; }
    update(data, enc) { this._parts.push(toBytes(data, enc)); return this; }
    digest(enc) {
      const all = Buffer.concat(this._parts.map((p) => Buffer.from(p)));
      const out = Buffer.from(this._compute(all));
      return enc ? out.toString(enc) : out;
    }
  }

  // ---- random: a SHA-256 counter DRBG seeded per execution with 32 bytes from the host's CSPRNG.
  let seed = new Uint8Array(32), counter = 0;
  g.__ostiary_seed = (hex) => { seed = hexDecode(hex); counter = 0; };
  function randomBytes(n) {
    const out = new Uint8Array(n);
    for (let at = 0; at < n; at += 32) {
      const block = new Uint8Array(36); block.set(seed); new DataView(block.buffer).setUint32(32, counter++);
      out.set(sha256(block).subarray(0, Math.min(32, n - at)), at);
    }
    return out;
  }
  function randomUUID() {
    const b = randomBytes(16); b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    const h = hexEncode(b);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }
  const crypto = {
    createHash: (name) => new Hash(hashOf(name)[0]),
    createHmac: (name, key) => { const k = toBytes(key); return new Hash((data) => hmac(name, k, data)); },
    randomUUID,
    randomBytes: (n) => Buffer.from(randomBytes(n)),
    randomInt: (min, max) => { if (max === undefined) { max = min; min = 0; } return min + (new DataView(randomBytes(4).buffer).getUint32(0) % (max - min)); },
    randomFillSync: (arr, offset = 0, size) => { const n = size === undefined ? arr.length - offset : size; arr.set(randomBytes(n), offset); return arr; },
    getRandomValues: (arr) => { arr.set(randomBytes(arr.byteLength).subarray(0, arr.length)); return arr; },
    timingSafeEqual: (a, b) => { if (a.length !== b.length) throw new RangeError("Input buffers must have the same byte length"); let d = 0; for (let i = 0; i < a.length; i++) d |= a[i] ^ b[i]; return d === 0; },
    webcrypto: undefined,
  };
  g.crypto = crypto;
  g.__ostiary_hmac = (name, key, data) => hmac(name, toBytes(key), toBytes(data));
  g.__ostiary_b64url = (bytes) => b64encode(bytes, true);
  g.__ostiary_b64url_decode = (s) => b64decode(s);
  g.__ostiary_utf8 = { encode: utf8Encode, decode: utf8Decode };

  // ---- URLSearchParams / URL (WHATWG shape, the common parts)
  const decodeParam = (s) => { try { return decodeURIComponent(s.replace(/\+/g, " ")); } catch (e) { return s; } };
  const encodeParam = (s) => encodeURIComponent(s).replace(/%20/g, "+");
  class URLSearchParams {
    constructor(init) {
      this._list = [];
      if (typeof init === "string") {
        for (const part of init.replace(/^\?/, "").split("&")) {
          if (!part) continue;
          const i = part.indexOf("=");
          this._list.push(i < 0 ? [decodeParam(part), ""] : [decodeParam(part.slice(0, i)), decodeParam(part.slice(i + 1))]);
        }
      } else if (init instanceof URLSearchParams) this._list = init._list.map((p) => [...p]);
      else if (init && typeof init[Symbol.iterator] === "function") for (const [k, v] of init) this._list.push([String(k), String(v)]);
      else if (init) for (const k of Object.keys(init)) this._list.push([k, String(init[k])]);
    }
    append(k, v) { this._list.push([String(k), String(v)]); this._changed(); }
    delete(k) { this._list = this._list.filter(([n]) => n !== k); this._changed(); }
    get(k) { const p = this._list.find(([n]) => n === k); return p ? p[1] : null; }
    getAll(k) { return this._list.filter(([n]) => n === k).map(([, v]) => v); }
    has(k) { return this._list.some(([n]) => n === k); }
    set(k, v) {
      const i = this._list.findIndex(([n]) => n === k);
      if (i < 0) this._list.push([String(k), String(v)]);
      else { this._list[i][1] = String(v); this._list = this._list.filter(([n], j) => n !== k || j === i); }
      this._changed();
    }
    sort() { this._list.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)); this._changed(); }
    forEach(cb, self) { for (const [k, v] of this._list) cb.call(self, v, k, this); }
    keys() { return this._list.map(([k]) => k)[Symbol.iterator](); }
    values() { return this._list.map(([, v]) => v)[Symbol.iterator](); }
    entries() { return this._list.map((p) => [...p])[Symbol.iterator](); }
    [Symbol.iterator]() { return this.entries(); }
    get size() { return this._list.length; }
    toString() { return this._list.map(([k, v]) => `${encodeParam(k)}=${encodeParam(v)}`).join("&"); }
    _changed() { if (this._url) this._url._search = this._list.length ? "?" + this.toString() : ""; }
  }
  const DEFAULT_PORTS = { "http:": "80", "https:": "443", "ws:": "80", "wss:": "443", "ftp:": "21" };
  const URL_RE = /^([a-zA-Z][a-zA-Z0-9+.-]*:)(?:\/\/(?:([^:@/?#]*)(?::([^@/?#]*))?@)?(\[[^\]]*\]|[^:/?#]*)(?::(\d*))?)?([^?#]*)(\?[^#]*)?(#.*)?$/;
  class URL {
    constructor(url, base) {
      url = String(url).trim();
      if (base !== undefined && !/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(url)) {
        const b = new URL(base);
        if (url.startsWith("//")) url = b.protocol + url;
        else if (url.startsWith("/")) url = b.origin + url;
        else if (url.startsWith("?")) url = b.origin + b.pathname + url;
        else if (url.startsWith("#")) url = b.origin + b.pathname + b.search + url;
        else url = b.origin + b.pathname.replace(/[^/]*$/, "") + url;
      }
      const m = URL_RE.exec(url);
      if (!m) throw new TypeError(`Invalid URL: ${url}`);
      this._protocol = m[1].toLowerCase();
      const special = this._protocol in DEFAULT_PORTS;
      if (special && !m[4]) throw new TypeError(`Invalid URL: ${url}`);
      this.username = m[2] || ""; this.password = m[3] || "";
      this._hostname = (m[4] || "").toLowerCase();
      this._port = m[5] && m[5] !== DEFAULT_PORTS[this._protocol] ? m[5] : "";
      this._pathname = URL._normalize(m[6] || (special ? "/" : ""));
      this._search = m[7] && m[7] !== "?" ? m[7] : "";
      this.hash = m[8] && m[8] !== "#" ? m[8] : "";
      this._params = null;
    }
    static _normalize(path) {
      const out = [];
      for (const seg of path.split("/").slice(1)) {
        if (seg === "..") out.pop(); else if (seg !== ".") out.push(seg);
      }
      return path.startsWith("/") ? "/" + out.join("/") : path;
    }
    get protocol() { return this._protocol; }
    set protocol(v) { this._protocol = String(v).replace(/:?$/, ":").toLowerCase(); }
    get hostname() { return this._hostname; }
    set hostname(v) { this._hostname = String(v).toLowerCase(); }
    get port() { return this._port; }
    set port(v) { this._port = String(v) === DEFAULT_PORTS[this._protocol] ? "" : String(v); }
    get host() { return this._hostname + (this._port ? ":" + this._port : ""); }
    get origin() { return this._protocol in DEFAULT_PORTS ? `${this._protocol}//${this.host}` : "null"; }
    get pathname() { return this._pathname; }
    set pathname(v) { this._pathname = String(v).startsWith("/") ? String(v) : "/" + v; }
    get search() { return this._search; }
    set search(v) { v = String(v); this._search = v && v !== "?" ? (v.startsWith("?") ? v : "?" + v) : ""; this._params = null; }
    get searchParams() {
      if (!this._params) { this._params = new URLSearchParams(this._search); this._params._url = this; }
      return this._params;
    }
    get href() {
      const auth = this.username ? this.username + (this.password ? ":" + this.password : "") + "@" : "";
      const slashes = this._hostname || this._protocol in DEFAULT_PORTS ? "//" : "";
      return `${this._protocol}${slashes}${auth}${this.host}${this._pathname}${this._search}${this.hash}`;
    }
    toString() { return this.href; }
    toJSON() { return this.href; }
  }
  g.URL = URL; g.URLSearchParams = URLSearchParams;
  g.__ostiary_builtins = {
    crypto, buffer: { Buffer }, url: { URL, URLSearchParams }, querystring: {
      parse: (s) => Object.fromEntries(new URLSearchParams(s)), stringify: (o) => new URLSearchParams(o).toString(),
    },
    util: { TextEncoder, TextDecoder, promisify: (fn) => (...a) => new Promise((res, rej) => fn(...a, (e, v) => (e ? rej(e) : res(v)))) },
  };
})(globalThis);
