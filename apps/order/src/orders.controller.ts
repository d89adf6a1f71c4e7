import { Body, Controller, Get, HttpCode, Param, Post, UseFilters } from '@nestjs/common';
import type { Invoice } from '@app/contracts';
import { ChargebackDto, CreateOrderDto, orderValidationPipe } from './dto/index.js';
import { OrderHttpErrorsFilter } from './order-http-errors.filter.js';
import { OrderService } from './order.service.js';
import type { Order } from './orders/index.js';

/** The order service's HTTP API. */
@Controller('orders')
@UseFilters(OrderHttpErrorsFilter)
export class OrdersController {
  constructor(private readonly orders: OrderService) {}

  /** Places an order (201); billing and logistic take it from there. */
  @Post()
  submit(@Body(orderValidationPipe) dto: CreateOrderDto): Promise<Order> {
    return this.orders.submit(dto);
  }

  /** All orders, oldest first. */
  @Get()
  list(): Order[] {
    return this.orders.list();
  }

  /** One order with its status and history (404 if unknown). */
  @Get(':id')
  get(@Param('id') id: string): Order {
    return this.orders.get(id);
  }

  /** The order's invoice, asked from billing (`billing.sync.get_invoice`). */
  @Get(':id/invoice')
  invoice(@Param('id') id: string): Promise<Invoice> {
    return this.orders.invoice(id);
  }

  /** Charges back an invoiced order (409 if not invoiced yet or already charged back). */
  @Post(':id/chargeback')
  @HttpCode(200)
  chargeback(@Param('id') id: string, @Body(orderValidationPipe) dto: ChargebackDto = {}): Promise<Order> {
    return this.orders.chargeback(id, dto.reason ?? 'customer dispute');
  }
}
