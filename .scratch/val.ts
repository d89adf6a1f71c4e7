import 'reflect-metadata';
import { instanceToPlain, plainToInstance, Type } from 'class-transformer';
import { IsArray, IsInt, IsNumber, IsString, ValidateNested, validateSync } from 'class-validator';
import { ORDER } from '../bench/payload.ts';
class BenchLine { @IsString() sku!: string; @IsString() name!: string; @IsInt() qty!: number; @IsNumber() price!: number; }
class Ev { @IsString() id!: string; @IsString() customer!: string; @IsString() currency!: string; @IsArray() @ValidateNested({ each: true }) @Type(() => BenchLine) lines!: BenchLine[]; }
const plain = JSON.parse(JSON.stringify(ORDER));
const event = plainToInstance(Ev, plain);
const N = 20000;
function time(label: string, fn: () => unknown) { for (let i = 0; i < 2000; i++) fn(); const t = performance.now(); for (let i = 0; i < N; i++) fn(); console.log(label, ((performance.now() - t) * 1000 / N).toFixed(1), 'µs'); }
time('instanceToPlain', () => instanceToPlain(event));
time('plainToInstance', () => plainToInstance(Ev, plain));
time('validateSync', () => validateSync(event, { forbidUnknownValues: true, validationError: { target: false, value: false } }));
time('JSON.stringify', () => JSON.stringify(event));
