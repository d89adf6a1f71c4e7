import { CeleryClient } from 'nestjs-celery';
const client = new CeleryClient({ brokerUrl: process.env.URL! });
await client.connect();
const n = Number(process.env.N ?? 3000);
const lat: number[] = [];
for (let i = 0; i < n; i++) {
  const t0 = performance.now();
  const r = await client.sendTask('lat.echo', [i], {}, { queue: 'lat' });
  await r.get({ timeout: 5000 });
  lat.push(performance.now() - t0);
}
const s = lat.slice(1000).sort((a, b) => a - b);
const q = (p: number) => s[Math.floor(p * (s.length - 1))]!.toFixed(3);
console.log(`p50 ${q(0.5)} p90 ${q(0.9)} p99 ${q(0.99)} max ${q(1)}`);
await client.close();
