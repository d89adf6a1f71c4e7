import { Module } from '@nestjs/common';
import { InteropTasks } from './interop.tasks.js';
import { ValuesTasks } from './values.tasks.js';

/** The interop worker: the interop tasks and the value/error rules' tasks. */
@Module({ controllers: [InteropTasks, ValuesTasks] })
export class InteropWorkerModule {}
