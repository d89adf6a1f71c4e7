import { Module } from '@nestjs/common';
import { CeleryModule } from 'nestjs-celery';
import { OrderService } from './order.service.js';

@Module({
  imports: [CeleryModule.forRoot({ brokerUrl: process.env.CELERY_BROKER_URL })],
  providers: [OrderService],
})
export class OrderModule {}
