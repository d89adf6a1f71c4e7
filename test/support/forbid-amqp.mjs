// Preloaded with `node --import` into a child process that must not use RabbitMQ: any TCP
// connection to port 5672 ends the process with status 99 and a line saying so.
import net from 'node:net';

const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  // net.connect() passes its normalized arguments as one array.
  const target = Array.isArray(args[0]) ? args[0][0] : args[0];
  const port = typeof target === 'object' && target !== null ? target.port : target;
  if (Number(port) === 5672) {
    console.error('forbid-amqp: this process tried to connect to RabbitMQ (port 5672)');
    process.exit(99);
  }
  return connect.apply(this, args);
};
