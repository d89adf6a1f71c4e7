import { Module } from '@nestjs/common';
import { BillingTasks } from './billing.tasks.js';

@Module({ controllers: [BillingTasks] })
export class BillingModule {}
