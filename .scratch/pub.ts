import 'reflect-metadata';
import { AmqpBroker, EventPublisher, CeleryClient, decodeEventPayload, encodeEventPayload } from '/work/wt-events/libs/nestjs-celery/src/index.ts';
import { W4_SYSTEMS } from '/work/wt-events/bench/events/w4-systems.ts';
import { ORDER } from '/work/wt-events/bench/payload.ts';
const { Type } = await import('class-transformer');
const { IsArray, IsInt, IsNumber, IsString, ValidateNested } = await import('class-validator');
const { CeleryEvent } = await import('/work/wt-events/libs/nestjs-celery/src/index.ts');
class BenchLine { @IsString() sku!: string; @IsString() name!: string; @IsInt() qty!: number; @IsNumber() price!: number; }
class Ev { @IsString() id!: string; @IsString() customer!: string; @IsString() currency!: string; @IsArray() @ValidateNested({ each: true }) @Type(() => BenchLine) lines!: BenchLine[]; }
CeleryEvent({ exchange: 'pubtest', routingKey: 'bench.v1.order' })(Ev);
const event = Object.assign(new Ev(), JSON.parse(JSON.stringify(ORDER)));
let t = performance.now();
for (let i = 0; i < 20000; i++) { const p = encodeEventPayload(event); decodeEventPayload(Ev, p); }
console.log('encode+validate µs/ev', ((performance.now() - t) * 1000 / 20000).toFixed(1));
const broker = new AmqpBroker({ url: process.env.CELERY_BROKER_URL! });
await broker.connect();
const pub = new EventPublisher(broker);
await pub.publish(event);
for (const mode of ['publish', 'sendTask']) {
  t = performance.now();
  const c0 = process.cpuUsage();
  let started = 0;
  const client = new CeleryClient({ broker, resultBackend: 'disabled' });
  const lane = async () => { while (started < 20000) { started++; if (mode === 'publish') await pub.publish(event); else await client.sendTask('bench.v1.order', [ORDER], {}, { exchange: 'pubtest', routingKey: 'bench.v1.order', ignoreResult: true, replyTo: null }); } };
  await Promise.all(Array.from({ length: 1000 }, lane));
  const c = process.cpuUsage(c0);
  console.log(mode, 'per s', (20000 / (performance.now() - t) * 1000).toFixed(0), 'cpu µs/op', ((c.user + c.system) / 20000).toFixed(1));
}
await broker.close();
