export * from './task-route.js';
