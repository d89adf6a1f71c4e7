import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { OrderModule } from './order.module.js';
import { OrderService } from './order.service.js';

/** Places a few orders through billing and logistic, prints a summary and exits. */
async function main(): Promise<void> {
  const app = await NestFactory.createApplicationContext(OrderModule, { logger: ['log', 'warn', 'error'] });
  const orders = app.get(OrderService);
  const placed = [
    await orders.place([
      { itemId: 'book', quantity: 2, unitPrice: 12.5 },
      { itemId: 'pen', quantity: 3, unitPrice: 1.2 },
      { itemId: 'bag', quantity: 1, unitPrice: 30 },
    ]),
    await orders.place([{ itemId: 'lamp', quantity: 1, unitPrice: 45.99 }]),
    await orders.place([]), // billing refuses: ValueError travels back as a typed remote error
  ];
  const invoiced = placed.filter((p) => p.invoice);
  const shipped = placed.filter((p) => p.shipment);
  const total = invoiced.reduce((sum, p) => sum + p.invoice!.total, 0);
  console.log(
    `\nsummary: ${placed.length} orders, ${invoiced.length} invoiced (total ${total.toFixed(2)}), ` +
      `${shipped.length} shipments scheduled, ${placed.length - invoiced.length} refused`,
  );
  await app.close();
  if (invoiced.length !== 2 || shipped.length !== 2) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error('order demo failed:', error);
  process.exit(1);
});
