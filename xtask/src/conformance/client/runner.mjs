//! The Prisma side of `cargo xtask conformance client`: runs each scenario's JavaScript
//! expression through Prisma Client 7.10 on the scenario's database and writes one JSON
//! result per scenario: `{"ok": value}` or `{"error": code}`. Values are made plain JSON
//! here (BigInt and Decimal as strings, Date as ISO, bytes as hex); the Rust side
//! normalizes both sides further the same way.
// Usage: node runner.mjs <scenarios.json> <results.json>
import { readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { PrismaPg } from '@prisma/adapter-pg'

const require = createRequire(import.meta.url)
const { PrismaClient, Prisma } = require('./prisma-client/index.js')
const AsyncFunction = (async () => {}).constructor

function plain(value) {
  if (value === null || value === undefined) return null
  if (typeof value === 'bigint') return value.toString()
  if (value instanceof Date) return value.toISOString()
  if (value instanceof Uint8Array) return { $bytes: Buffer.from(value).toString('hex') }
  if (Prisma.Decimal.isDecimal(value)) return { $decimal: value.toFixed() }
  if (Array.isArray(value)) return value.map(plain)
  if (typeof value === 'object') {
    const out = {}
    for (const key of Object.keys(value)) out[key] = plain(value[key])
    return out
  }
  return value
}

function failure(error) {
  if (error instanceof Prisma.PrismaClientKnownRequestError) return { error: error.code }
  if (error instanceof Prisma.PrismaClientValidationError) return { error: 'validation', message: error.message.split('\n').slice(-3).join(' ') }
  return { error: 'unknown', message: String(error && error.message || error) }
}

const scenarios = JSON.parse(readFileSync(process.argv[2], 'utf8'))
const clients = new Map()
const client = (url) => {
  if (!clients.has(url)) {
    clients.set(url, new PrismaClient({ adapter: new PrismaPg({ connectionString: url }) }))
  }
  return clients.get(url)
}
const results = {}
for (const scenario of scenarios) {
  const prisma = client(scenario.url)
  try {
    const run = new AsyncFunction('prisma', 'Prisma', `return (${scenario.js})`)
    results[scenario.name] = { ok: plain(await run(prisma, Prisma)) }
  } catch (error) {
    results[scenario.name] = failure(error)
  }
  if (scenario.write) {
    await prisma.$disconnect()
    clients.delete(scenario.url)
  }
}
for (const prisma of clients.values()) await prisma.$disconnect()
writeFileSync(process.argv[3], JSON.stringify(results))
