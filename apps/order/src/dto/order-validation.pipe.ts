import { ValidationPipe } from '@nestjs/common';

/**
 * Validates request bodies of the order API: converts to the DTO classes, strips nothing silently
 * (unknown properties are a 400 naming them), and answers 400 with every violated rule.
 */
export const orderValidationPipe = new ValidationPipe({
  transform: true,
  whitelist: true,
  forbidNonWhitelisted: true,
  forbidUnknownValues: true,
});
