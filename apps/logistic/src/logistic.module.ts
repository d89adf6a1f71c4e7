import { Module } from '@nestjs/common';
import { LogisticTasks } from './logistic.tasks.js';

@Module({ controllers: [LogisticTasks] })
export class LogisticModule {}
