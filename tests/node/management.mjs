// node-auth0 (auth0 7.x) ManagementClient against Ostiary over https (NODE_EXTRA_CA_CERTS trusts the test CA).
// argv: domain token; prints one JSON line of what it saw; any failed check throws (exit status 1).
import assert from "node:assert/strict";
import { ManagementClient } from "auth0";

const [domain, token] = process.argv.slice(2);
const management = new ManagementClient({ domain, token });
const seen = {};

// Pagination to the end of a list of 250 users (per_page 100: three pages).
const emails = [];
for await (const user of await management.users.list({ per_page: 100, q: 'email:page*', search_engine: "v3" })) {
  emails.push(user.email);
}
seen.paged = emails.length;

const created = await management.users.create({
  connection: "Username-Password-Authentication", email: "node.user@example.com", password: "correct horse battery",
  app_metadata: { plan: "pro" },
});
const found = [];
for await (const user of await management.users.list({ q: 'email:"node.user@example.com"', search_engine: "v3" })) {
  found.push(user.user_id);
}
assert.deepEqual(found, [created.user_id]);
const byEmail = await management.users.listUsersByEmail({ email: "node.user@example.com" });
assert.deepEqual(byEmail.map((u) => u.user_id), [created.user_id]);
await management.users.update(created.user_id, { app_metadata: { seats: 2 } });
const updated = await management.users.get(created.user_id);
assert.deepEqual(updated.app_metadata, { plan: "pro", seats: 2 });
await management.users.delete(created.user_id);
try {
  await management.users.get(created.user_id);
  assert.fail("a deleted user was found");
} catch (error) {
  assert.equal(error.statusCode, 404);
  seen.deletedStatus = error.statusCode;
}

const client = await management.clients.create({ name: "node-backend", app_type: "non_interactive" });
const clientIds = [];
for await (const c of await management.clients.list()) clientIds.push(c.client_id);
assert.ok(clientIds.includes(client.client_id));
await management.resourceServers.create({ identifier: "https://node.example", scopes: [{ value: "read:node" }] });
const grant = await management.clientGrants.create({
  client_id: client.client_id, audience: "https://node.example", scope: ["read:node"],
});
const grants = [];
for await (const g of await management.clientGrants.list({ audience: "https://node.example" })) grants.push(g.id);
assert.deepEqual(grants, [grant.id]);
const conn = await management.connections.create({ name: "node-db", strategy: "auth0" });
const names = [];
for await (const c of await management.connections.list()) names.push(c.name);
assert.ok(names.includes("node-db"));
await management.connections.delete(conn.id);
await management.clients.delete(client.client_id);
seen.ok = true;
console.log(JSON.stringify(seen));
