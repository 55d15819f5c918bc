export * from '../../testing/src/fake-robots/local-http-server.js';
