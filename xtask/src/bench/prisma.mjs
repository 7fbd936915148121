//! The Prisma side of `cargo xtask bench prisma`: times Prisma Client 7.10 calls, one at a
//! time, for the Rust side, which interleaves them with refract's own.
//!
//! Runs in the folder of `cargo xtask conformance client`'s generated Prisma Client. The
//! first line on stdin is `{"url": ..., "operations": [{"name": ..., "js": ...}, ...]}`;
//! it answers `ready`. Every further line is `{"operation": index, "calls": n}`: the
//! operation's JavaScript (with `prisma`, `Prisma` and the call number `i` in scope) is
//! awaited n times in sequence and the answer is one line, a JSON array of the n calls'
//! durations in nanoseconds. `{"operation": index, "show": true}` answers one call's
//! result as JSON instead. End of input disconnects and exits.
// Usage: node prisma_bench.mjs (driven by xtask/src/bench/prisma.rs)
import { createInterface } from 'node:readline'
import { createRequire } from 'node:module'
import { PrismaPg } from '@prisma/adapter-pg'

const require = createRequire(import.meta.url)
const { PrismaClient, Prisma } = require('./prisma-client/index.js')
const AsyncFunction = (async () => {}).constructor

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity })[Symbol.asyncIterator]()
const first = await lines.next()
const setup = JSON.parse(first.value)
const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: setup.url }) })
await prisma.$connect()
const operations = setup.operations.map((op) => new AsyncFunction('prisma', 'Prisma', 'i', `return (${op.js})`))
let call = 0
process.stdout.write('ready\n')
for (;;) {
  const next = await lines.next()
  if (next.done) break
  const request = JSON.parse(next.value)
  const run = operations[request.operation]
  if (request.show) {
    call += 1
    process.stdout.write(JSON.stringify(await run(prisma, Prisma, call)) + '\n')
    continue
  }
  const times = new Array(request.calls)
  for (let n = 0; n < request.calls; n++) {
    call += 1
    const start = process.hrtime.bigint()
    await run(prisma, Prisma, call)
    times[n] = Number(process.hrtime.bigint() - start)
  }
  process.stdout.write(JSON.stringify(times) + '\n')
}
await prisma.$disconnect()
