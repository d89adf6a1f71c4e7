import { Module } from '@nestjs/common';
import { InteropTasks } from './interop.tasks.js';

/** The interop worker: only the interop tasks. */
@Module({ controllers: [InteropTasks] })
export class InteropWorkerModule {}
