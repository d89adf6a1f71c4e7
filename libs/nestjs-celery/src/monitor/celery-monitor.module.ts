import { BadRequestException, Body, Controller, ForbiddenException, Get, Header, HttpCode, Module, NotFoundException, Param, Post, Res, type DynamicModule } from '@nestjs/common';
import { CeleryMonitor } from './celery-monitor.js';
import type { CeleryMonitorOptions } from './celery-monitor.options.js';
import { loadMonitorAssets } from './monitor-assets.js';
import type { MonitorSnapshot } from './monitor-snapshot.js';

/** What the page posts to revoke a task. */
interface RevokeRequest {
  id?: unknown;
  terminate?: unknown;
}

/** The smallest response surface the asset route needs (Express' and Fastify's replies both have it). */
interface AssetReply {
  type?(contentType: string): unknown;
  header?(name: string, value: string): unknown;
  send(body: string): unknown;
}

/**
 * A monitoring page for Celery workers, Nest and Python alike, mounted in your Nest app like
 * bull-board: live workers (events and `inspect`), queues with depth and consumers, task rates,
 * recent failures with tracebacks, and a revoke button. Its assets ship in the package.
 *
 * ```ts
 * @Module({ imports: [CeleryMonitorModule.forRoot({ path: 'celery' })] })   // GET /celery
 * ```
 */
@Module({})
export class CeleryMonitorModule {
  static forRoot(options: CeleryMonitorOptions = {}): DynamicModule {
    const path = (options.path ?? 'celery').replace(/^\/+|\/+$/g, '');
    const assets = loadMonitorAssets(`/${path}`);
    const allowRevoke = options.allowRevoke ?? true;

    @Controller(path)
    class CeleryMonitorController {
      constructor(private readonly monitor: CeleryMonitor) {}

      /** The page. */
      @Get()
      @Header('Content-Type', 'text/html; charset=utf-8')
      page(): string {
        return assets.html;
      }

      /** Everything the page shows, as JSON. */
      @Get('api/state')
      state(): MonitorSnapshot {
        return this.monitor.snapshot();
      }

      /** Revokes a task: `{ id, terminate? }`. */
      @Post('api/revoke')
      @HttpCode(200)
      async revoke(@Body() body: RevokeRequest): Promise<{ revoked: string }> {
        if (!allowRevoke) throw new ForbiddenException('revoke is disabled on this monitor');
        if (typeof body?.id !== 'string' || !/^[\w.:-]{1,200}$/.test(body.id)) throw new BadRequestException('id must be a task id');
        await this.monitor.revoke(body.id, body.terminate === true);
        return { revoked: body.id };
      }

      /** The page's script and style sheet. */
      @Get('assets/:file')
      asset(@Param('file') file: string, @Res() reply: AssetReply): void {
        const asset = assets.files.get(file);
        if (!asset) throw new NotFoundException();
        if (reply.type) reply.type(asset.contentType);
        else reply.header?.('Content-Type', asset.contentType);
        reply.send(asset.body);
      }
    }

    return {
      module: CeleryMonitorModule,
      controllers: [CeleryMonitorController],
      providers: [{ provide: CeleryMonitor, useFactory: () => new CeleryMonitor(options) }],
      exports: [CeleryMonitor],
    };
  }
}
