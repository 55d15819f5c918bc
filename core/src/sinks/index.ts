export * from './mask-secrets.js';
export * from './robot-endpoint.js';
export * from './send-to-robot.js';
export * from './robot-sink-schema.js';
