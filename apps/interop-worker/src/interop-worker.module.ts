import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { InteropTasks } from './interop.tasks.js';
import { GlobalLimitFilter, PipelineTasks } from './pipeline.tasks.js';
import { ValuesTasks } from './values.tasks.js';

/** The interop worker: the interop tasks, the value/error rules' tasks and the pipeline failure tasks (with a global filter). */
@Module({
  controllers: [InteropTasks, ValuesTasks, PipelineTasks],
  providers: [{ provide: APP_FILTER, useClass: GlobalLimitFilter }],
})
export class InteropWorkerModule {}
