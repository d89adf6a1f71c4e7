import { Controller, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CeleryTask, ServerCelery } from 'nestjs-celery';
@Controller()
class T { @CeleryTask('lat.echo') echo(x: unknown) { return x; } }
@Module({ controllers: [T] })
class M {}
const app = await NestFactory.createMicroservice(M, { strategy: new ServerCelery({ brokerUrl: process.env.URL!, queues: ['lat'], prefetchCount: 100, workerEvents: false, taskEvents: false } as never), logger: ['error', 'warn'] });
await app.listen();
console.log('ready');
